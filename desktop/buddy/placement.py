"""Where the pet sits: one remembered spot per screen, kept in ``buddy.json``.

    load(path) -> Spots                    what was saved (nothing, if unreadable)
    remember(path, spots, key, x, y)       a new spot for a screen, written at once
    screen_key(name, width, height)        "HDMI-1:1920x1080": a screen by name and size
    fit(x, y, w, h, area) / corner(w, h, area)

The file lives in the user config folder next to config.toml; it holds positions only,
nothing chosen about the pet. Positions are global (virtual desktop) coordinates; a
saved spot is fitted back into its screen in case the screen shrank.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from agent import paths

MARGIN = 24
Rect = tuple[int, int, int, int]  # x, y, width, height


@dataclass
class Spots:
    screens: dict[str, tuple[int, int]] = field(default_factory=dict)
    last: str = ""


def store_path() -> Path:
    return paths.config_dir() / "buddy.json"


def screen_key(name: str, width: int, height: int) -> str:
    return f"{name or 'screen'}:{width}x{height}"


def load(path: Path) -> Spots:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        screens = {str(k): (int(v[0]), int(v[1])) for k, v in dict(data.get("screens", {})).items()}
        return Spots(screens, str(data.get("last", "")))
    except (OSError, ValueError, TypeError, AttributeError, IndexError):
        return Spots()  # a lost position is no reason to fail; the pet goes to its corner


def remember(path: Path, spots: Spots, key: str, x: int, y: int) -> Spots:
    spots.screens[key] = (x, y)
    spots.last = key
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    data = {"screens": {k: list(v) for k, v in spots.screens.items()}, "last": key}
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return spots


def fit(x: int, y: int, w: int, h: int, area: Rect) -> tuple[int, int]:
    ax, ay, aw, ah = area
    return max(ax, min(x, ax + aw - w)), max(ay, min(y, ay + ah - h))


def corner(w: int, h: int, area: Rect) -> tuple[int, int]:
    """The bottom-right corner of ``area``, a little in from the edges."""
    ax, ay, aw, ah = area
    return ax + aw - w - MARGIN, ay + ah - h - MARGIN

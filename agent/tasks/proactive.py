"""Proactive mode's settings, per workspace: off by default, a tick interval, a daily cap.

    Proactive                   one workspace's settings and today's spend
    ProactiveStore              ``proactive.json`` under the data dir (the user's, not the
                                project's: a cloned repository cannot turn spending on);
                                atomic writes under a lock, like tasks.json

The file is ``{"version": 1, "workspaces": {"/real/path": {...}}}``. ``spent_usd`` counts
the ticks' cost on ``spent_day`` (the local date); a new day starts from zero.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from agent import paths
from agent.tasks.model import MODES, TaskError
from agent.tasks.store import _lock, write_atomically

VERSION = 1
DEFAULT_EVERY_S = 600.0
DEFAULT_DAILY_BUDGET_USD = 1.0
T = TypeVar("T")


@dataclass
class Proactive:
    """Whether ``workspace`` gets ticks, how often (at least ``every_s`` apart), in which
    mode and with which allow rules, and at most ``daily_budget_usd`` a day; ``session``
    is the workspace's tick conversation (continued across daemon restarts)."""

    workspace: str
    enabled: bool = False
    every_s: float = DEFAULT_EVERY_S
    daily_budget_usd: float = DEFAULT_DAILY_BUDGET_USD
    mode: str = "plan"
    allow: list[str] = field(default_factory=list)
    session: str | None = None
    spent_day: str = ""
    spent_usd: float = 0.0

    def spent_on(self, day: str) -> float:
        """What ticks cost on ``day`` (YYYY-MM-DD)."""
        return self.spent_usd if self.spent_day == day else 0.0

    @classmethod
    def from_dict(cls, workspace: str, data: Any) -> Proactive:
        """Settings from their stored form; raises ``TaskError`` naming what is wrong."""
        if not isinstance(data, dict):
            raise TaskError(f"proactive settings for {workspace} are not a JSON object")
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["workspace"] = workspace
        try:
            item = cls(**known)
            item.every_s, item.daily_budget_usd = float(item.every_s), float(item.daily_budget_usd)
            item.spent_usd = float(item.spent_usd)
        except (TypeError, ValueError) as exc:
            raise TaskError(f"proactive settings for {workspace} are invalid: {exc}") from None
        if not all(math.isfinite(v) for v in (item.every_s, item.daily_budget_usd, item.spent_usd)):
            # NaN would switch the daily cap off; infinity is not even valid JSON.
            raise TaskError(f"proactive settings for {workspace}: a number is not finite")
        if item.mode not in MODES:
            raise TaskError(f"proactive settings for {workspace}: unknown mode {item.mode!r}")
        return item


def settings_file() -> Path:
    return paths.data_dir() / "proactive.json"


class ProactiveStore:
    """The proactive settings in ``path`` (default: ``proactive.json`` in the data dir)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or settings_file()
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    def load(self) -> dict[str, Proactive]:
        """Every workspace's settings by real path; raises ``TaskError`` if corrupt."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise TaskError(f"cannot read {self.path}: {exc}; fix or remove it") from None
        spaces = data.get("workspaces") if isinstance(data, dict) else None
        if not isinstance(spaces, dict):
            raise TaskError(f'{self.path} is corrupt (not {{"workspaces": {{...}}}})')
        if data.get("version") != VERSION:  # a newer Harken's file: never rewritten as 1
            raise TaskError(
                f"{self.path} has version {data.get('version')!r}, which this Harken cannot "
                "read; Harken leaves it as it is"
            )
        return {key: Proactive.from_dict(key, value) for key, value in spaces.items()}

    def get(self, workspace: Path) -> Proactive:
        """``workspace``'s settings (off, with the defaults, when it has none)."""
        key = os.path.realpath(workspace)
        return self.load().get(key) or Proactive(workspace=key)

    def change(self, workspace: Path, edit: Callable[[Proactive], T]) -> T:
        """Load ``workspace``'s settings, ``edit`` them in place, write; under the lock."""
        key = os.path.realpath(workspace)
        with self._locked():
            items = self.load()
            item = items.setdefault(key, Proactive(workspace=key))
            result = edit(item)
            self._write(items)
            return result

    def add_spending(self, workspace: Path, day: str, usd: float) -> float:
        """Count ``usd`` toward ``day``; returns what that day has cost so far."""

        def add(item: Proactive) -> float:
            item.spent_usd = item.spent_on(day) + usd
            item.spent_day = day
            return item.spent_usd

        return self.change(workspace, add)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
            yield
        finally:
            os.close(fd)

    def _write(self, items: dict[str, Proactive]) -> None:
        spaces = {}
        for key, item in items.items():
            data = asdict(item)
            data.pop("workspace")
            spaces[key] = data
        text = json.dumps({"version": VERSION, "workspaces": spaces}, indent=2) + "\n"
        write_atomically(self.path, text)

"""A pet's name: chosen by its person and stored, or suggested from its seed.

    suggested_name(buddy)      a short name derived from the seed (recomputed, not stored)
    name_of(buddy, config)     the ``buddy_name`` setting, else the suggestion
    store_name(name, path)     write ``buddy_name`` into config.toml, keeping everything else

The suggestion uses its own Mulberry32 stream (seed xor a constant) so naming never
shifts the draws that make the pet.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from agent import paths
from agent.buddy.bones import Buddy
from agent.buddy.prng import mulberry32, pick

NAME_STREAM = 0x9E3779B9
MAX_NAME = 32
STARTS = (
    "Pip", "Mo", "Bix", "Lu", "Nib", "Tuf", "Zog", "Wob",
    "Fen", "Dot", "Bram", "Kip", "Ollo", "Sprock", "Mim", "Quill",
)  # fmt: skip
ENDS = ("kin", "sy", "ble", "o", "let", "wick", "bo", "za", "ly", "mo", "pop", "ster")
_LINE = re.compile(r"^\s*buddy_name\s*=")
_TABLE = re.compile(r"^\s*\[")


def suggested_name(buddy: Buddy) -> str:
    rand = mulberry32(buddy.seed ^ NAME_STREAM)
    return pick(rand, STARTS) + pick(rand, ENDS)


def name_of(buddy: Buddy, config: Any) -> str:
    chosen = str(getattr(config, "buddy_name", "") or "").strip()
    return chosen or suggested_name(buddy)


def clean_name(name: str) -> str:
    """``name`` on one line, trimmed; ValueError when nothing or too much is left."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("a name needs at least one letter")
    if any(unicodedata.category(c) == "Cc" for c in cleaned):
        raise ValueError("a name cannot hold control characters")
    if len(cleaned) > MAX_NAME:
        raise ValueError(f"a name has at most {MAX_NAME} characters")
    return cleaned


def store_name(name: str, path: Path | None = None) -> str:
    """Set ``buddy_name`` in the config file (created if missing); returns the name stored.

    Only that one line changes: comments and other settings stay as they are. A new line
    goes before the first ``[table]`` so it stays a top-level key.
    """
    path = path or paths.config_file()
    cleaned = clean_name(name)
    line = f"buddy_name = {json.dumps(cleaned, ensure_ascii=False)}\n"
    try:
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        lines = []
    for i, old in enumerate(lines):
        if _LINE.match(old):
            lines[i] = line
            break
        if _TABLE.match(old):
            lines.insert(i, line)
            break
    else:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        lines.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(lines), encoding="utf-8")
    return cleaned

"""What a Write or Edit would change, as a unified diff, computed before it runs.

    preview_for(name, data, workspace)   a ``Preview`` for Write and Edit, None otherwise

Write compares the file on disk with the new content (or shows a new file); Edit applies
``old_string`` -> ``new_string`` (all occurrences with ``replace_all``) as the tool would.
A file that is missing, binary, not text, too large or unreadable gives a ``note`` saying
so instead of a diff; so does an Edit that would fail. Nothing here raises for a bad file.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.tools.files import decode_text, human_size

MAX_BYTES = 2_000_000  # larger files are not diffed: it would stall the window
MAX_LINES = 3000  # diff lines shown; the rest is counted in a last line


@dataclass(frozen=True)
class Preview:
    path: str  # as people see it: relative to the workspace, or under ~
    lines: list[str] = field(default_factory=list)  # unified diff, no line endings
    note: str = ""  # why there is no diff, or what kind of change it is
    added: int = 0
    removed: int = 0


def preview_for(name: str, data: dict[str, Any], workspace: Path) -> Preview | None:
    """The change a Write or Edit call would make; None for other tools."""
    if name not in ("Write", "Edit") or not isinstance(data.get("file_path"), str):
        return None
    path = resolve(data["file_path"], workspace)
    shown = display(path, workspace)
    if name == "Write":
        return _write(path, shown, str(data.get("content", "")))
    return _edit(
        path,
        shown,
        str(data.get("old_string", "")),
        str(data.get("new_string", "")),
        bool(data.get("replace_all", False)),
    )


def resolve(file_path: str, workspace: Path) -> Path:
    """As the tools resolve paths: ``~`` expanded, relative to the workspace."""
    path = Path(os.path.expanduser(file_path))
    if not path.is_absolute():
        path = workspace / path
    return Path(os.path.normpath(path))


def display(path: Path, workspace: Path) -> str:
    """Relative inside the workspace, ``~/`` under the home folder, else absolute."""
    try:
        return str(path.relative_to(workspace)) or "."
    except ValueError:
        return tilde(path)


def tilde(path: Path) -> str:
    """``path`` with the home folder written as ``~``."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _read(path: Path, shown: str) -> tuple[str | None, str]:
    """The file's text, or None and a note; ("", "") stands for a missing file."""
    try:
        if path.is_dir():
            return None, f"{shown} is a folder; the call will fail."
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, f"{shown} is too large to preview ({human_size(size)})."
        data = path.read_bytes()
    except FileNotFoundError:
        return "", ""
    except OSError as exc:
        return None, f"Cannot read {shown} to preview the change: {exc.strerror or exc}."
    try:
        return decode_text(data).text, ""
    except ValueError:
        return None, f"{shown} is a binary file; no preview."


def _write(path: Path, shown: str, content: str) -> Preview:
    if len(content) > MAX_BYTES:
        size = f"{len(content):,} characters"
        return Preview(shown, note=f"The new content is too large to preview ({size}).")
    exists = path.exists()
    old, note = _read(path, shown)
    if old is None:
        return Preview(shown, note=note)
    if not exists:
        return _diff(shown, "", content, "New file.", new_file=True)
    if old == content:
        return Preview(shown, note="The new content is the same as the file on disk.")
    return _diff(shown, old, content, "Replaces the whole file.")


def _edit(path: Path, shown: str, old: str, new: str, replace_all: bool) -> Preview:
    exists = path.exists()
    text, note = _read(path, shown)
    if text is None:
        return Preview(shown, note=note)
    if not exists:
        if old:
            return Preview(shown, note=f"{shown} does not exist; the edit will fail.")
        return _diff(shown, "", new, "New file.", new_file=True)
    old, new = old.replace("\r\n", "\n"), new.replace("\r\n", "\n")
    if not old:
        if text:
            return Preview(shown, note=f"{shown} is not empty; an empty old_string will fail.")
        return _diff(shown, "", new, "Fills an empty file.")
    count = text.count(old)
    if count == 0:
        return Preview(shown, note="The text to replace is not in the file; the edit will fail.")
    if count > 1 and not replace_all:
        return Preview(
            shown,
            note=f"The text to replace occurs {count} times and replace_all is off; "
            "the edit will fail.",
        )
    updated = text.replace(old, new) if replace_all else text.replace(old, new, 1)
    what = f"Replaces {count} occurrences." if count > 1 else ""
    return _diff(shown, text, updated, what)


def _diff(shown: str, before: str, after: str, note: str, new_file: bool = False) -> Preview:
    lines = list(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile="/dev/null" if new_file else f"a/{shown}",
            tofile=f"b/{shown}",
            lineterm="",
        )
    )
    added = sum(1 for line in lines[2:] if line.startswith("+"))
    removed = sum(1 for line in lines[2:] if line.startswith("-"))
    if len(lines) > MAX_LINES:
        rest = len(lines) - MAX_LINES
        lines = [*lines[:MAX_LINES], f"… {rest:,} more lines not shown"]
    return Preview(shown, lines, note, added, removed)

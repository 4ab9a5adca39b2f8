"""Reading memory files, never rewriting them: ``MEMORY.md`` (tier 1) and topic notes
(tier 2).

A topic note is any other ``*.md`` file in a scope's folder (subfolders too, hidden ones
skipped), starting with a front matter of plain ``key: value`` lines::

    ---
    name: Staging server
    description: what the staging server is called and how to reach it
    type: project            # user, feedback, project or reference
    ---
    The staging server is called kestrel.

A note whose front matter is malformed still counts (its file name as its name, its whole
text as its body); one that is not UTF-8 is skipped. Each problem is one warning line.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from agent.memory.folders import Scope
from agent.memory.report import warn

INDEX_NAME = "MEMORY.md"
INDEX_MAX_LINES = 200
INDEX_MAX_BYTES = 25 * 1024
NOTE_TYPES = ("user", "feedback", "project", "reference")
NOTE_MAX_BYTES = 256 * 1024  # a bigger note is indexed by its first part only
STALE_AFTER_DAYS = 3

_KEY_LINE = re.compile(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Note:
    """A topic note as read from disk."""

    scope: str
    path: Path
    relative: str  # inside the scope folder, with "/"
    name: str
    description: str
    type: str
    body: str
    mtime: float

    @property
    def virtual(self) -> str:
        """The memory tool's path for it: ``/memories/workspace/staging.md``."""
        return f"/memories/{self.scope}/{self.relative}"


@dataclass(frozen=True)
class FrontMatter:
    fields: dict[str, str]
    body: str
    problem: str = ""


def parse_front_matter(text: str) -> FrontMatter:
    """Split ``text`` into its front matter fields and body; ``problem`` says what is
    malformed (then ``fields`` is empty and ``body`` is the whole text)."""
    text = text.removeprefix("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return FrontMatter({}, text, "no front matter (it must start with a --- line)")
    fields: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        stripped = line.strip()
        if stripped == "---":
            return FrontMatter(fields, "".join(lines[number:]))
        if not stripped or stripped.startswith("#"):
            continue
        match = _KEY_LINE.match(stripped)
        if match is None:
            return FrontMatter({}, text, f"front matter line {number} is not 'key: value'")
        value = re.sub(r"\s+#.*$", "", match.group(2)).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        fields[match.group(1).lower()] = value
    return FrontMatter({}, text, "the front matter has no closing --- line")


@dataclass(frozen=True)
class Skipped:
    """A note file that is not used, and why in a few words ("not UTF-8")."""

    scope: str
    path: Path
    why: str
    mtime: float


def read_note(scope: Scope, path: Path) -> Note | None:
    """The note at ``path``; None (with a warning) when it cannot be read as text."""
    found = examine_note(scope, path)
    return found if isinstance(found, Note) else None


def examine_note(scope: Scope, path: Path) -> Note | Skipped:
    """The note at ``path``, or why it is skipped (with a warning)."""
    try:
        stat = path.stat()
        with open(path, "rb") as file:
            raw = file.read(NOTE_MAX_BYTES)
    except OSError as exc:
        warn(f"cannot read the memory note {path}: {exc.strerror or exc}")
        return Skipped(scope.name, path, "unreadable", 0.0)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if stat.st_size > NOTE_MAX_BYTES and exc.start > len(raw) - 4:
            text = raw[: exc.start].decode("utf-8")  # the cap split a character
        else:
            warn(f"the memory note {path} is not UTF-8 text; it is skipped (left as it is)")
            return Skipped(scope.name, path, "not UTF-8", stat.st_mtime)
    if "\x00" in text:
        warn(f"the memory note {path} is not a text file; it is skipped (left as it is)")
        return Skipped(scope.name, path, "not text", stat.st_mtime)
    matter = parse_front_matter(text)
    if matter.problem:
        warn(
            f"the memory note {path} has a malformed front matter ({matter.problem}); "
            "it is used with its file name as its name"
        )
    relative = path.relative_to(scope.folder).as_posix()
    kind = matter.fields.get("type", "")
    return Note(
        scope=scope.name,
        path=path,
        relative=relative,
        name=matter.fields.get("name") or path.stem,
        description=matter.fields.get("description", ""),
        type=kind if kind in NOTE_TYPES else (kind or ""),
        body=matter.body,
        mtime=stat.st_mtime,
    )


def note_files(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """Every topic note file under ``folder`` with its stat (no MEMORY.md, nothing
    hidden, no symlink that leads out of the folder)."""
    real_root = os.path.realpath(folder)
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            try:
                if entry.is_symlink() and not _inside(os.path.realpath(path), real_root):
                    continue
                if entry.is_dir():
                    stack.append(path)
                elif entry.name.endswith(".md") and entry.is_file():
                    if current == folder and entry.name == INDEX_NAME:
                        continue
                    yield path, entry.stat()
            except OSError:
                continue


def list_notes(scopes: list[Scope], skipped: list[Skipped] | None = None) -> list[Note]:
    """Every readable note of ``scopes``, sorted by scope then path; the files skipped
    (not UTF-8, not text, unreadable) are added to ``skipped`` when it is given."""
    notes = []
    for scope in scopes:
        for path, _stat in sorted(note_files(scope.folder)):
            found = examine_note(scope, path)
            if isinstance(found, Note):
                notes.append(found)
            elif skipped is not None:
                skipped.append(found)
    return notes


@dataclass(frozen=True)
class IndexText:
    """What of a scope's MEMORY.md goes into the system prompt."""

    scope: str
    path: Path
    text: str
    cut: bool


def read_index(scope: Scope) -> IndexText | None:
    """The first ``INDEX_MAX_LINES`` lines (at most ``INDEX_MAX_BYTES``) of the scope's
    MEMORY.md; None when there is none. Bytes that are not UTF-8 show as U+FFFD."""
    path = scope.folder / INDEX_NAME
    try:
        with open(path, "rb") as file:
            raw = file.read(INDEX_MAX_BYTES * 8)
            more = bool(file.read(1))
    except FileNotFoundError:
        return None
    except OSError as exc:
        warn(f"cannot read {path}: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        warn(f"{path} is not all UTF-8 text; the bytes that are not show as \ufffd")
        text = raw.decode("utf-8", errors="replace")
    text = text.replace("\x00", "")
    lines = text.splitlines(keepends=True)
    kept = lines[:INDEX_MAX_LINES]
    cut = more or len(lines) > INDEX_MAX_LINES
    while kept and len("".join(kept).encode("utf-8")) > INDEX_MAX_BYTES:
        kept.pop()
        cut = True
    if not kept and lines:
        # One line longer than the limit: its beginning, cut at a character boundary,
        # rather than nothing at all.
        kept = [lines[0].encode("utf-8")[:INDEX_MAX_BYTES].decode("utf-8", errors="ignore")]
    if cut:
        warn(
            f"{path} is longer than {INDEX_MAX_LINES} lines or {INDEX_MAX_BYTES // 1024} KB; "
            "only its beginning is loaded (keep it short: details belong in topic notes)"
        )
    return IndexText(scope.name, path, "".join(kept), cut)


def age_text(mtime: float, now: float | None = None) -> str:
    """How old a note is, for the model: "saved today", "saved 5 days ago (...)"."""
    days = int(max(0.0, (time.time() if now is None else now) - mtime) // 86400)
    if days == 0:
        return "saved today"
    said = "saved yesterday" if days == 1 else f"saved {days} days ago"
    if days > STALE_AFTER_DAYS:
        said += "; it may be out of date, so check it before relying on it"
    return said


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)

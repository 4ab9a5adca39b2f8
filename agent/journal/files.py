"""The day files: where they are, one atomic append, reading a day back.

A day's file is created by the first entry of that day, title and entry in one write
(``O_EXCL`` decides which writer creates it). Every later entry is one ``write`` on an
``O_APPEND`` descriptor, then ``fsync``: a reader sees whole entries or, after a crash,
one torn entry at the end, which ``entry.parse`` marks and the next entry (starting with
a blank line) does not disturb.
"""

from __future__ import annotations

import contextlib
import logging
import os
from datetime import date, datetime, timedelta
from pathlib import Path

from agent import paths
from agent.journal.entry import Entry, Written, parse
from agent.redact import redact

log = logging.getLogger(__name__)
DIGEST_CHARS = 12_000
DIGEST_DAYS = 14


def journal_dir() -> Path:
    """``<data>/journal``."""
    return paths.data_dir() / "journal"


def day_file(day: date) -> Path:
    """``<data>/journal/YYYY/MM/YYYY-MM-DD.md``."""
    # Four digits always: strftime's %Y writes the year 1 as "1" on some platforms.
    return journal_dir() / f"{day.year:04d}" / f"{day.month:02d}" / f"{day.isoformat()}.md"


def title(day: date) -> str:
    """The first line of a day file."""
    return f"# Harken journal · {day.isoformat()}\n"


def append(entry: Entry) -> Path:
    """Append ``entry`` to its day's file (by ``entry.at``); returns the file.

    Raises ``OSError`` when the file cannot be written; callers that must not fail
    because of the journal use ``append_quietly``."""
    day = entry.at.date()
    path = day_file(day)
    path.parent.mkdir(parents=True, exist_ok=True)
    # An error the model or the API returned may quote a key; the journal is plain text.
    text = redact(entry.markdown())
    created = False
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        created = True
        text = title(day) + text
    except FileExistsError:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        data = text.encode("utf-8", "surrogateescape")
        written = os.write(fd, data)
        while written < len(data):  # a regular file takes it all; a full disk may not
            written += os.write(fd, data[written:])
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        _sync_dir(path.parent)
    return path


def append_quietly(entry: Entry) -> Path | None:
    """``append``, logging instead of raising: a full disk must not fail a task run."""
    try:
        return append(entry)
    except OSError as exc:
        log.warning("cannot write the journal: %s", exc)
        return None


def read_day(day: date) -> list[Written]:
    """The entries of ``day`` (empty when there are none); raises ``OSError`` when the
    file exists but cannot be read."""
    try:
        raw = day_file(day).read_bytes()
    except FileNotFoundError:
        return []
    return parse(raw.decode("utf-8", errors="replace"))


def digest_since(since: float, workspace: Path | None = None, limit: int = DIGEST_CHARS) -> str:
    """The journal entries since the POSIX time ``since`` (at most ``DIGEST_DAYS`` days
    back), of ``workspace`` and its subfolders (or naming no folder), as Markdown; the
    newest kept when it is too long; "" when there are none."""
    today = datetime.now().astimezone().date()
    earliest = today - timedelta(days=DIGEST_DAYS - 1)
    # Whole days: entries earlier on the day of ``since`` come along (a day is small).
    start = max(datetime.fromtimestamp(since).date(), earliest) if since > 0 else earliest
    parts: list[str] = []
    day = start
    while day <= today:
        try:
            entries = read_day(day)
        except OSError:
            entries = []
        kept = [e.markdown() for e in entries if _belongs(e, workspace)]
        if kept:
            parts.append(f"### {day.isoformat()}\n" + "\n".join(kept))
        day += timedelta(days=1)
    text = "\n".join(parts)
    if len(text) > limit:
        text = "[... older entries left out ...]\n" + text[-limit:]
    return text


def _belongs(entry: Written, workspace: Path | None) -> bool:
    if workspace is None or not entry.folder:
        return True
    folder, root = os.path.realpath(entry.folder), os.path.realpath(workspace)
    return folder == root or folder.startswith(root.rstrip(os.sep) + os.sep)


def _sync_dir(folder: Path) -> None:
    # The new file's name must survive a crash too.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

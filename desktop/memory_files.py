"""The Memory window's file work, run on background workers (never the GUI thread):
listing both scopes' notes, opening one, saving an edit through ``MemoryStore`` only when
the file is still what was shown, deleting one, and the search filter.

May import: the standard library and ``agent.memory`` (inside functions). No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

EDIT_MAX_BYTES = 512 * 1024  # MemoryStore's limit: a bigger file is shown, not edited


@dataclass(frozen=True)
class Entry:
    """One memory file as the window lists it."""

    scope: str
    path: Path
    relative: str
    name: str
    type: str  # note type, "index" for MEMORY.md, "" when unset
    mtime: float
    skipped: str = ""  # why the file is not used ("not UTF-8"); "" for a usable one
    haystack: str = ""  # lower-case text the search looks in

    @property
    def virtual(self) -> str:
        """The path MemoryStore knows it by."""
        return f"/memories/{self.scope}/{self.relative}"


@dataclass(frozen=True)
class Opened:
    """A file read for the editor: ``text`` is None when it cannot be edited (``why``)."""

    entry: Entry
    raw: bytes
    text: str | None
    why: str = ""


# -- work done off the GUI thread ------------------------------------------------------


def load_entries(workspace: Path) -> tuple[list[Entry], dict[str, Path]]:
    """Every memory file of ``workspace`` (MEMORY.md, notes, skipped files) and the
    scopes' folders."""
    from agent.memory.folders import scopes_for
    from agent.memory.notes import INDEX_NAME, Skipped, list_notes

    scopes = scopes_for(workspace)
    entries: list[Entry] = []
    for scope in scopes.all():
        index = scope.folder / INDEX_NAME
        try:
            raw = index.read_bytes()[:EDIT_MAX_BYTES]
            mtime = index.stat().st_mtime
        except OSError:
            continue
        text = raw.decode("utf-8", errors="replace").lower()
        entries.append(Entry(scope.name, index, INDEX_NAME, INDEX_NAME, "index", mtime, "", text))
    skipped: list[Skipped] = []
    for note in list_notes(scopes.all(), skipped):
        hay = " ".join((note.name, note.description, note.type, note.relative, note.body))
        entries.append(
            Entry(
                note.scope,
                note.path,
                note.relative,
                note.name,
                note.type,
                note.mtime,
                "",
                hay.lower(),
            )
        )
    for bad in skipped:
        folder = scopes.folder(bad.scope)
        relative = bad.path.relative_to(folder).as_posix()
        name = f"{relative} ({bad.why}: skipped)"
        entries.append(
            Entry(bad.scope, bad.path, relative, name, "-", bad.mtime, bad.why, name.lower())
        )
    return entries, {s.name: s.folder for s in scopes.all()}


def open_entry(entry: Entry) -> Opened:
    """Read ``entry`` for the editor."""
    raw = entry.path.read_bytes()
    if len(raw) > EDIT_MAX_BYTES:
        text = raw[:EDIT_MAX_BYTES].decode("utf-8", errors="replace")
        return Opened(entry, raw, None, f"larger than {EDIT_MAX_BYTES // 1024} KB: shown only")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Opened(entry, raw, None, "not UTF-8 text: Harken skips it and leaves it as it is")
    if "\x00" in text:
        return Opened(entry, raw, None, "not a text file: Harken skips it and leaves it as it is")
    return Opened(entry, raw, text)


def save_entry(workspace: Path, opened: Opened, new_text: str) -> None:
    """Write ``new_text`` over ``opened``'s file through MemoryStore (atomic), unless the
    file changed since it was read; raises ``OSError`` or ``ToolError`` saying why not."""
    from agent.memory.folders import scopes_for
    from agent.memory.store import MemoryStore
    from agent.tools.base import ToolError

    if opened.text is None:
        raise ToolError(f"{opened.entry.relative} is {opened.why}; it is not rewritten.")
    store = MemoryStore(scopes_for(workspace))
    target = store.resolve(opened.entry.virtual)
    if target.real is None or target.real.read_bytes() != opened.raw:
        raise ToolError(
            f"{opened.entry.relative} changed on disk since it was opened; reopen it first."
        )
    if opened.text:
        # The whole old text occurs once in itself: MemoryStore checks the path, writes a
        # temporary file and renames it over the note.
        store.str_replace(opened.entry.virtual, opened.text, new_text)
    else:  # an empty file: str_replace needs something to replace
        store.delete(opened.entry.virtual)
        store.create(opened.entry.virtual, new_text)


def delete_entry(workspace: Path, entry: Entry) -> None:
    """Remove ``entry``'s file through MemoryStore (which keeps to the memory folders)."""
    from agent.memory.folders import scopes_for
    from agent.memory.store import MemoryStore

    MemoryStore(scopes_for(workspace)).delete(entry.virtual)


def matches(entry: Entry, query: str) -> bool:
    """Whether every word of ``query`` occurs in ``entry`` (name, description, body)."""
    return all(word in entry.haystack for word in query.lower().split())

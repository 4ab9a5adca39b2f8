"""Which notes are relevant to a prompt: local, deterministic, no model call.

An in-memory SQLite FTS5 table holds every note's name, description and body (Porter
stemming, so "servers" finds "server"); a prompt's content words, stop words left out,
are matched with OR and ranked by bm25, with the name weighing most and the body least.
Between calls only notes whose size or modification time changed are read again, so a
warm selection over 1,000 notes costs a folder scan and one query (see
``benchmarks/memory.py``).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from agent.memory.folders import Scope
from agent.memory.notes import Note, note_files, read_note

MAX_TERMS = 32
# name, description, body (bm25 column weights)
WEIGHTS = (6.0, 3.0, 1.0)
# A note scoring under this share of the best note's score is left out: sharing one
# common word ("called") with the prompt does not make a note relevant.
RELATIVE_CUT = 0.3

_STOP_TEXT = """a about above after again all also am an and any are as at be because been before
    being below between both but by can could did do does doing done don down during each
    few for from further get got had has have having he her here hers him his how i if in
    into is it its itself just let like me mine more most my no nor not now of off on once
    only or other our ours out over own please same she should so some such than that the
    their theirs them then there these they this those through to too under until up us
    very was we were what when where which while who whom why will with would you your
    yours yourself hey ok okay harken tell say said know remember recall thing things
    something want wanted need needed make made use using one two yes"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(text: str) -> list[str]:
    """The content words of ``text``, lower case, first occurrence order, at most
    ``MAX_TERMS``."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) < 2 or word in STOP_WORDS or (word.isdigit() and len(word) < 3):
            continue
        seen.setdefault(word, None)
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)


def fts_query(terms: list[str], joiner: str = " OR ") -> str:
    """An FTS5 MATCH expression for ``terms`` (each quoted, so no word is syntax)."""
    return joiner.join('"' + t.replace('"', '""') + '"' for t in terms)


@dataclass(frozen=True)
class _Known:
    size: int
    mtime_ns: int
    rowid: int  # 0: unreadable (skipped until it changes)
    note: Note | None


class NoteIndex:
    """Relevance over the notes of some scopes, kept up to date on each ``select``."""

    def __init__(self, scopes: list[Scope]) -> None:
        self.scopes = scopes
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.execute(
            "CREATE VIRTUAL TABLE notes USING fts5(name, description, body, "
            "tokenize='porter unicode61')"
        )
        self._known: dict[Path, _Known] = {}
        self._next_rowid = 1
        self._lock = threading.Lock()

    def refresh(self) -> None:
        """Read the notes that are new or changed since the last call; forget removed ones."""
        seen: set[Path] = set()
        for scope in self.scopes:
            for path, stat in note_files(scope.folder):
                seen.add(path)
                known = self._known.get(path)
                if known and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                    continue
                if known:
                    self._forget(path)
                note = read_note(scope, path)
                if note is None:
                    self._known[path] = _Known(stat.st_size, stat.st_mtime_ns, 0, None)
                else:
                    self._add(path, stat.st_size, stat.st_mtime_ns, note)
        for path in [p for p in self._known if p not in seen]:
            self._forget(path)

    def select(self, text: str, limit: int = 5) -> list[Note]:
        """Up to ``limit`` notes most relevant to ``text``, best first; none when no
        content word of ``text`` occurs in any note (see ``RELATIVE_CUT``)."""
        with self._lock:
            self.refresh()
            terms = query_terms(text)
            if not terms or not self._known:
                return []
            rows = self._db.execute(
                "SELECT rowid, bm25(notes, ?, ?, ?) AS score FROM notes WHERE notes MATCH ? "
                "ORDER BY score, rowid LIMIT ?",
                (*WEIGHTS, fts_query(terms), limit),
            ).fetchall()
            by_row = {k.rowid: k.note for k in self._known.values() if k.note is not None}
            best = rows[0][1] if rows else 0.0  # bm25 here: lower (more negative) is better
            return [
                by_row[row] for row, score in rows if row in by_row and score <= best * RELATIVE_CUT
            ]

    def __len__(self) -> int:
        return len(self._known)

    def close(self) -> None:
        self._db.close()

    def _add(self, path: Path, size: int, mtime_ns: int, note: Note) -> None:
        rowid = self._next_rowid
        self._next_rowid += 1
        self._db.execute(
            "INSERT INTO notes(rowid, name, description, body) VALUES (?, ?, ?, ?)",
            (rowid, note.name, note.description, note.body),
        )
        self._known[path] = _Known(size, mtime_ns, rowid, note)

    def _forget(self, path: Path) -> None:
        known = self._known.pop(path, None)
        if known is not None and known.rowid:
            self._db.execute("DELETE FROM notes WHERE rowid = ?", (known.rowid,))

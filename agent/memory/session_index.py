"""Tier 3: a SQLite FTS5 index of every session transcript, for search over past sessions.

The transcripts stay the source of truth; the index can always be rebuilt from them.
It lives beside the sessions folder (``<data>/index/sessions.sqlite3`` for the default
``<data>/sessions``). What is indexed: each prompt the user gave and the text of each
assistant answer (tool output is not: it is bulky and mostly file contents).

Indexing is incremental: per transcript the index keeps how many bytes it has read, and
reads only what was appended since (whole lines only; a torn last line waits). A file
that shrank is read again from the start. An index that is missing is built; one that
is damaged (not a database, a failed check, the wrong schema) is set aside with a
one-line warning and rebuilt; when it cannot be written at all, search still works from
an index kept in memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.memory.relevance import fts_query, query_terms
from agent.memory.report import warn
from agent.utf8 import clean

SCHEMA_VERSION = 1
MAX_CHUNK_CHARS = 20_000  # a longer answer is indexed by its beginning

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, session_id TEXT, started TEXT, workspace TEXT,
    read_bytes INTEGER NOT NULL DEFAULT 0);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks USING fts5(
    text, session_id UNINDEXED, at UNINDEXED, role UNINDEXED,
    tokenize='porter unicode61');
"""


def index_path_for(sessions_dir: Path) -> Path:
    """Where the index of ``sessions_dir`` lives."""
    return sessions_dir.parent / "index" / "sessions.sqlite3"


@dataclass
class SessionHit:
    """One past session that matches, with its best excerpts (best first)."""

    session_id: str
    started: str
    workspace: str
    excerpts: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, str]:
        """The form ``harken sessions search --json`` prints."""
        return {
            "session_id": self.session_id,
            "started": self.started,
            "workspace": self.workspace,
            "excerpt": self.excerpts[0] if self.excerpts else "",
        }


class SessionIndex:
    """The index of one sessions folder. Safe to share between threads."""

    def __init__(self, sessions_dir: Path, db_path: Path | None = None) -> None:
        self.sessions_dir = sessions_dir
        self.db_path = db_path or index_path_for(sessions_dir)
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None

    # -- opening and repair -----------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._db is not None:
            return self._db
        try:
            self._db = self._open_file()
            return self._db
        except (sqlite3.Error, OSError) as exc:
            problem: BaseException = exc
        if _is_damage(problem):
            warn(f"the session index {self.db_path} is damaged ({problem}); rebuilding it")
            self._set_aside()
            try:
                self._db = self._open_file()
                return self._db
            except (sqlite3.Error, OSError) as again:
                problem = again
        warn(
            f"cannot write the session index {self.db_path} ({problem}); "
            "searching with an index kept in memory"
        )
        self._db = _new_db(":memory:")
        return self._db

    def _open_file(self) -> sqlite3.Connection:
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.db_path, timeout=10, check_same_thread=False)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"unknown schema version {version}")
            if version == SCHEMA_VERSION:
                db.execute("INSERT INTO chunks(chunks) VALUES ('integrity-check')")
                db.execute("SELECT count(*) FROM files").fetchone()
            else:
                db.executescript(_SCHEMA + f"PRAGMA user_version = {SCHEMA_VERSION};")
            db.commit()
        except BaseException:
            db.close()
            raise
        return db

    def _set_aside(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.db_path}{suffix}")

    def _guarded(self, work: Any) -> Any:
        """Run ``work(db)``; a database that turns out damaged is rebuilt once."""
        with self._lock:
            try:
                return work(self._connect())
            except sqlite3.DatabaseError as exc:
                if not _is_damage(exc):
                    raise
                warn(f"the session index {self.db_path} is damaged ({exc}); rebuilding it")
                self.close()
                self._set_aside()
                return work(self._connect())

    # -- indexing -------------------------------------------------------------------

    def update(self, transcript: Path | None = None) -> int:
        """Index what is new in ``transcript`` (None: in every transcript, and forget
        the ones that are gone). Returns how many pieces of text were added."""

        def work(db: sqlite3.Connection) -> int:
            if transcript is not None:
                added = self._index_file(db, transcript)
            else:
                added = 0
                present = set()
                if self.sessions_dir.is_dir():
                    for path in sorted(self.sessions_dir.glob("*.jsonl")):
                        present.add(str(path))
                        added += self._index_file(db, path)
                for (known,) in db.execute("SELECT path FROM files").fetchall():
                    if known not in present:
                        self._drop(db, known)
            db.commit()
            return added

        return int(self._guarded(work))

    def _index_file(self, db: sqlite3.Connection, path: Path) -> int:
        try:
            size = path.stat().st_size
        except OSError:
            return 0
        row = db.execute(
            "SELECT read_bytes, session_id, started, workspace FROM files WHERE path = ?",
            (str(path),),
        ).fetchone()
        done, session_id, started, workspace = row or (0, path.stem, "", "")
        if size < done:  # rewritten or cut: read it all again
            self._drop(db, str(path))
            done, session_id, started, workspace = 0, path.stem, "", ""
        if size == done:
            return 0
        try:
            with open(path, "rb") as file:
                file.seek(done)
                data = file.read(size - done)
        except OSError as exc:
            warn(f"cannot read the transcript {path}: {exc.strerror or exc}")
            return 0
        whole = data[: data.rfind(b"\n") + 1]
        added = 0
        for raw in whole.split(b"\n"):
            record = parse_record(raw)
            if record is None:
                continue
            if record.get("type") == "session":
                session_id = str(record.get("id") or session_id)
                started = str(record.get("started") or "")
                workspace = str(record.get("cwd") or "")
                continue
            for role, at, text in record_texts(record):
                db.execute(
                    "INSERT INTO chunks(text, session_id, at, role) VALUES (?, ?, ?, ?)",
                    (text[:MAX_CHUNK_CHARS], session_id, at, role),
                )
                added += 1
        db.execute(
            "INSERT OR REPLACE INTO files(path, session_id, started, workspace, read_bytes) "
            "VALUES (?, ?, ?, ?, ?)",
            (str(path), session_id, started, workspace, done + len(whole)),
        )
        return added

    @staticmethod
    def _drop(db: sqlite3.Connection, path: str) -> None:
        row = db.execute("SELECT session_id FROM files WHERE path = ?", (path,)).fetchone()
        if row:
            db.execute("DELETE FROM chunks WHERE session_id = ?", (row[0],))
        db.execute("DELETE FROM files WHERE path = ?", (path,))

    # -- search ---------------------------------------------------------------------

    def search(
        self, query: str, limit: int = 5, excerpts: int = 3, exclude: str = ""
    ) -> list[SessionHit]:
        """Past sessions matching ``query``, best first: all its content words if any
        session has them all, else any of them. Brings the index up to date first."""
        terms = query_terms(query) or [w for w in query.lower().split() if w.strip()]
        if not terms:
            return []
        self.update()

        def work(db: sqlite3.Connection) -> list[SessionHit]:
            hits = _matching(db, fts_query(terms, " AND "), limit, excerpts, exclude)
            if not hits and len(terms) > 1:
                hits = _matching(db, fts_query(terms), limit, excerpts, exclude)
            return hits

        return list(self._guarded(work))

    def close(self) -> None:
        """Close the database connection (the next call opens it again)."""
        with self._lock:
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
                self._db = None


def _matching(
    db: sqlite3.Connection, match: str, limit: int, excerpts: int, exclude: str
) -> list[SessionHit]:
    rows = db.execute(
        "SELECT c.session_id, f.started, f.workspace, "
        "snippet(chunks, 0, '[', ']', '…', 16) FROM chunks c "
        "LEFT JOIN files f ON f.session_id = c.session_id "
        "WHERE chunks MATCH ? ORDER BY bm25(chunks), c.rowid LIMIT 500",
        (match,),
    ).fetchall()
    hits: dict[str, SessionHit] = {}
    for session_id, started, workspace, excerpt in rows:
        if session_id == exclude:
            continue
        hit = hits.get(session_id)
        if hit is None:
            if len(hits) >= limit:
                continue
            hit = hits[session_id] = SessionHit(session_id, started or "", workspace or "")
        if len(hit.excerpts) < excerpts:
            hit.excerpts.append(" ".join(excerpt.split()))
    return list(hits.values())


_DAMAGE_WORDS = ("malformed", "not a database", "corrupt", "schema", "no such", "fts5")


def _is_damage(exc: BaseException) -> bool:
    """Whether ``exc`` says the index file itself is bad (rebuild it), rather than busy
    or unwritable (then it is left alone)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    text = str(exc).lower()
    return type(exc) is sqlite3.DatabaseError or any(w in text for w in _DAMAGE_WORDS)


def _new_db(where: str) -> sqlite3.Connection:
    db = sqlite3.connect(where, check_same_thread=False)
    db.executescript(_SCHEMA)
    return db


def parse_record(raw: bytes) -> dict[str, Any] | None:
    """One transcript line as a record, or None for a blank, torn or foreign line.

    Its strings hold no lone surrogates: a transcript written by hand or by an older
    Harken may carry ``"\\udce9"`` escapes, which SQLite and UTF-8 files cannot take."""
    if not raw.strip():
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return clean(record) if isinstance(record, dict) else None


def record_texts(record: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(role, at, text) of what a record adds to search: prompts and answers."""
    kind = record.get("type")
    if kind == "prompt":
        text = str(record.get("text") or "").strip()
        return [("user", str(record.get("at") or ""), text)] if text else []
    if kind != "message":
        return []
    message = record.get("message") or {}
    if message.get("role") != "assistant" or not isinstance(message.get("content"), list):
        return []
    parts = [
        str(b.get("text") or "")
        for b in message["content"]
        if isinstance(b, dict) and b.get("type") == "text"
    ]
    text = "\n".join(p for p in parts if p.strip()).strip()
    return [("assistant", "", text)] if text else []

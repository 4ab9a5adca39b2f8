"""Append-only JSONL session transcripts: write, load (surviving a torn tail), list.

One file per session, ``<sessions dir>/<id>.jsonl``, one JSON record per line:

    {"type": "session", "id", "started", "cwd", "model", "version"}   first line
    {"type": "prompt", "text", "at"}                                  a turn begins
    {"type": "message", "message": {"role", "content"}}               conversation
    {"type": "compaction", "messages": [...], "tokens_before"}        history replaced
    {"type": "history", "messages": [...], "reason"}                  history repaired
    {"type": "tool_started", "id", "at"}                              a tool call runs
    {"type": "turn_end", "stop_reason", "usage", "cost_usd", "at"}    a turn ended

Every record is flushed as it is written and the file is fsynced at turn ends and before a
tool call runs, so a crash loses at most the record being written; such a torn last line is
skipped on load.

Records are valid UTF-8 whatever their text held (lone surrogates become U+FFFD: see
``agent.utf8``), when written and again when loaded. A loaded conversation holds no
empty message and no orphaned tool_result (``conversation.without_orphaned_results``):
sessions saved before Harken refused them are repaired on load (``LoadedSession.repaired``),
and a resumed session writes a ``history`` record so later records restate messages of
the repaired list.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from agent.conversation import without_orphaned_results
from agent.empty_messages import without_empty_messages
from agent.errors import HarkenError
from agent.redact import redact
from agent.usage import Usage
from agent.utf8 import clean

log = logging.getLogger(__name__)

FORMAT_VERSION = 1


class TranscriptDamaged(HarkenError):
    """A transcript has unreadable records before its last line."""


def new_session_id(now: datetime | None = None) -> str:
    """A sortable, unique id: ``20261124-153012-3f9a``."""
    now = now or datetime.now()
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class TranscriptWriter:
    """Appends records to one session file; ``sync()`` makes them durable."""

    def __init__(self, path: Path, file: IO[str]) -> None:
        self.path = path
        self._file = file

    @classmethod
    def create(cls, directory: Path, session_id: str, **meta: Any) -> TranscriptWriter:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{session_id}.jsonl"
        # "x": two sessions must never share a file.
        writer = cls(path, open(path, "x", encoding="utf-8"))  # noqa: SIM115
        writer.append(
            {"type": "session", "id": session_id, "started": now_iso(), "version": FORMAT_VERSION}
            | meta
        )
        writer.sync()
        return writer

    @classmethod
    def reopen(cls, path: Path) -> TranscriptWriter:
        """Open an existing transcript for appending, first cutting off a torn last line
        (it could not be read anyway, and new records must start on a line of their own)."""
        with open(path, "rb+") as raw:
            data = raw.read()
            if data and not data.endswith(b"\n"):
                keep = data.rfind(b"\n") + 1
                log.warning("%s: dropping %d bytes of a torn last record", path, len(data) - keep)
                raw.truncate(keep)
        return cls(path, open(path, "a", encoding="utf-8"))

    def append(self, record: dict[str, Any]) -> None:
        """Write one record; text that is not valid UTF-8 is cleaned first (agent.utf8), and
        anything that looks like an API key or auth header is masked (``agent.redact``):
        an error the API echoed, a key the user pasted, never stored whole."""
        if self._file.closed:
            # Something still running after its session closed (a cancelled subagent
            # settling late): the record is dropped, the caller must not crash for it.
            log.debug("%s: closed, a %s record dropped", self.path, record.get("type"))
            return
        line = json.dumps(_masked(clean(record)), ensure_ascii=False, separators=(",", ":"))
        self._file.write(line + "\n")
        self._file.flush()

    def sync(self) -> None:
        if self._file.closed:
            return
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if not self._file.closed:
            self.sync()
            self._file.close()


@dataclass
class LoadedSession:
    """A transcript replayed: the conversation as it stands and the session's totals."""

    id: str
    path: Path
    meta: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)
    prompts: list[str] = field(default_factory=list)
    turns: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    warnings: list[str] = field(default_factory=list)
    # ids of tool calls that began to run (``tool_started`` records), answered or not
    started_tools: set[str] = field(default_factory=set)
    # True when empty messages were dropped on load (the file still holds them)
    repaired: bool = False

    @property
    def started(self) -> str:
        return str(self.meta.get("started", ""))

    @property
    def first_prompt(self) -> str:
        return self.prompts[0] if self.prompts else ""


def load(path: Path) -> LoadedSession:
    """Replay a transcript. A torn last line is skipped with a warning; an unreadable
    line elsewhere raises ``TranscriptDamaged`` naming it."""
    lines = path.read_bytes().split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    session = LoadedSession(id=path.stem, path=path, meta={})
    for number, raw in enumerate(lines, start=1):
        try:
            record = json.loads(raw)
            if not isinstance(record, dict):
                raise ValueError("not an object")
        except ValueError:
            if number == len(lines):
                session.warnings.append(
                    f"{path.name}: the last record (line {number}) was cut off, probably by a "
                    "crash; it was skipped"
                )
                break
            raise TranscriptDamaged(
                f"Session {path.stem} is damaged at line {number} of {path}"
            ) from None
        # A file written by hand or by another tool may hold lone surrogates (JSON escapes
        # such as "\udce9"): everything loaded is valid UTF-8, as everything written is.
        _apply(session, clean(record))
    repaired = without_orphaned_results(without_empty_messages(session.messages))
    if repaired is not session.messages:
        log.info("%s: repaired messages saved by an older Harken", path.name)
        session.messages, session.repaired = repaired, True
    return session


def _apply(session: LoadedSession, record: dict[str, Any]) -> None:
    kind = record.get("type")
    if kind == "session":
        session.meta = record
        session.id = str(record.get("id", session.id))
    elif kind == "prompt":
        session.prompts.append(str(record.get("text", "")))
    elif kind == "message":
        _apply_message(session.messages, record["message"])
    elif kind in ("compaction", "history"):
        session.messages = list(record["messages"])
    elif kind == "tool_started":
        session.started_tools.add(str(record.get("id")))
    elif kind in ("turn_end", "spending"):  # spending: subagents' after the last turn
        session.turns += kind == "turn_end"
        session.usage = session.usage + Usage.from_dict(record.get("usage") or {})
        session.cost_usd += float(record.get("cost_usd") or 0.0)


def _apply_message(messages: list[dict[str, Any]], message: dict[str, Any]) -> None:
    # A "message" record may restate the trailing message after blocks were merged
    # into it (see conversation.add_user_content): it then replaces it.
    if record_replaces_last(messages, message):
        messages[-1] = message
    else:
        messages.append(message)


def record_replaces_last(messages: list[dict[str, Any]], message: dict[str, Any]) -> bool:
    return bool(messages) and messages[-1].get("role") == message.get("role") == "user"


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``harken sessions``."""

    id: str
    started: str
    cwd: str
    first_prompt: str
    turns: int
    cost_usd: float
    problem: str = ""


def list_sessions(directory: Path) -> list[SessionSummary]:
    """Every session in ``directory``, newest first; damaged ones say so in ``problem``."""
    if not directory.is_dir():
        return []
    summaries = []
    for path in directory.glob("*.jsonl"):
        try:
            loaded = load(path)
        except (OSError, TranscriptDamaged) as exc:
            summaries.append(SessionSummary(path.stem, "", "", "", 0, 0.0, str(exc)))
            continue
        summaries.append(
            SessionSummary(
                loaded.id,
                loaded.started,
                str(loaded.meta.get("cwd", "")),
                loaded.first_prompt,
                loaded.turns,
                loaded.cost_usd,
            )
        )
    summaries.sort(key=lambda s: (s.started, s.id), reverse=True)
    return summaries


def find_session(directory: Path, wanted: str) -> Path:
    """The transcript for ``wanted``: an id, a unique id prefix, or ``latest``."""
    if wanted == "latest":
        sessions = [s for s in list_sessions(directory) if not s.problem]
        if not sessions:
            raise HarkenError("There is no session to resume yet.")
        return directory / f"{sessions[0].id}.jsonl"
    exact = directory / f"{wanted}.jsonl"
    if exact.is_file():
        return exact
    matches = sorted(directory.glob(f"{wanted}*.jsonl")) if directory.is_dir() else []
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise HarkenError(f"Session id {wanted!r} is ambiguous: {len(matches)} sessions match.")
    raise HarkenError(f"No session {wanted!r}; `harken sessions` lists them.")


def _masked(value: Any) -> Any:
    """``value`` with secrets masked in every string inside it (keys of dicts included)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {_masked(k): _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value

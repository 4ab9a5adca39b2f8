"""A session's state and its transcript: what a new session writes first, what a resumed
one restores, and the records each turn appends.

Records are appended only when the session keeps a transcript (``sessions_dir`` given);
otherwise every write is a no-op, so the turn loop never has to ask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import conversation
from agent.transcript import LoadedSession, TranscriptWriter, new_session_id, now_iso
from agent.usage import Usage


@dataclass
class SessionState:
    """What a session carries from turn to turn (and what a resume restores)."""

    id: str
    messages: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    turns: int = 0


class SessionRecord:
    """Appends a session's records to its transcript, when it has one."""

    def __init__(self, transcript: TranscriptWriter | None) -> None:
        self.transcript = transcript

    def add(self, record: dict[str, Any]) -> None:
        """Append ``record`` as it is."""
        if self.transcript is not None:
            self.transcript.append(record)

    def message(self, message: dict[str, Any]) -> None:
        """Append a message added to the conversation."""
        self.add({"type": "message", "message": message})

    def tool_started(self, block: dict[str, Any]) -> None:
        """Note that the tool call ``block`` starts; on disk before the call runs, so that
        after a crash a resume does not say it did not run."""
        self.add({"type": "tool_started", "id": block["id"], "at": now_iso()})
        self.sync()

    def turn_end(self, stop_reason: str, usage: Usage, cost: float, error: str) -> None:
        """Append how a turn ended and what it cost, and put it on disk."""
        self.add(
            {
                "type": "turn_end",
                "stop_reason": stop_reason,
                "usage": usage.to_dict(),
                "cost_usd": cost,
                "error": error,
                "at": now_iso(),
            }
        )
        self.sync()

    def spending(self, usage: Usage, cost: float) -> None:
        """Append spending that no turn_end record holds (after the last turn ended)."""
        self.add({"type": "spending", "usage": usage.to_dict(), "cost_usd": cost, "at": now_iso()})

    def sync(self) -> None:
        """Put what was appended on disk."""
        if self.transcript is not None:
            self.transcript.sync()

    def close(self) -> None:
        """Close the transcript file."""
        if self.transcript is not None:
            self.transcript.close()


def start(
    sessions_dir: Path | None, resume: LoadedSession | None, *, cwd: Path, model: str
) -> tuple[SessionState, SessionRecord]:
    """A new session's state and transcript, or those of ``resume`` continued."""
    if resume is None:
        state = SessionState(new_session_id())
        transcript = (
            TranscriptWriter.create(sessions_dir, state.id, cwd=str(cwd), model=model)
            if sessions_dir
            else None
        )
        return state, SessionRecord(transcript)
    state = SessionState(resume.id, resume.messages, resume.usage, resume.cost_usd, resume.turns)
    # A session killed mid-turn may end on unanswered tool calls: answer them now,
    # as of unknown outcome when the transcript says they had started.
    repaired = conversation.settle(
        state.messages, conversation.NOT_STARTED, started=resume.started_tools
    )
    record = SessionRecord(TranscriptWriter.reopen(resume.path) if sessions_dir else None)
    if resume.repaired:  # later records restate messages of the repaired list
        record.add({"type": "history", "messages": resume.messages, "at": now_iso()})
    if repaired:
        record.message(state.messages[-1])
    return state, record

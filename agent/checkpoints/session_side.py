"""Checkpoints in a live session: attach the recorder, and take changes back from it.

    attach(session, sessions_dir)            the session's Recorder (None: checkpoints off)
    undo(recorder, count=, since_turn=)      restore; user-edited files asked about first
                                             (never answered by --yes: with nobody to
                                             ask, the user's version is kept and both
                                             the model and the user are told)
    undo_in_session(session, ...)            the same, and the conversation told (desktop)

The store lives next to the sessions folder (``<data dir>/checkpoints``). The settings
``checkpoints`` (on by default) and ``checkpoint_max_file_mb`` are read when present.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.checkpoints.history import (
    read_turns,
    restored_note,
    steps_named,
    unrecorded_agent_change,
)
from agent.checkpoints.recorder import Recorder, session_asker
from agent.checkpoints.restore import FilePlan, Plan, Result, apply, diff, plan, select
from agent.checkpoints.store import DEFAULT_MAX_FILE_BYTES, CheckpointStore

MB = 1024 * 1024
QUESTION_DIFF_LINES = 40  # of a diff in a permission question


def checkpoints_root(sessions_dir: Path) -> Path:
    """Where the checkpoints of the sessions in ``sessions_dir`` are kept."""
    return Path(sessions_dir).parent / "checkpoints"


def attach(session: Any, sessions_dir: Path | None) -> Recorder | None:
    """A Recorder for ``session``, or None when it keeps no transcript (nothing to rewind
    to) or the user turned checkpoints off."""
    values = getattr(session.config, "values", {})
    if sessions_dir is None or not values.get("checkpoints", True):
        return None
    budget = values.get("checkpoint_max_file_mb")
    max_bytes = int(budget * MB) if isinstance(budget, int | float) else DEFAULT_MAX_FILE_BYTES
    store = CheckpointStore(checkpoints_root(sessions_dir), session.id, max_bytes)
    transcript = session.transcript.path if session.transcript is not None else None

    def notice(text: str) -> None:
        from agent.events import Notice

        session.emit(Notice(text))

    return Recorder(
        store,
        turn=lambda: session.state.turns + 1,
        ask=session_asker(session),
        notice=notice,
        transcript=transcript,
        running=lambda: session._task is not None,
    )


@dataclass
class Undone:
    """A restore's plan, result and the note the model gets."""

    plan: Plan
    result: Result
    note: str


def preview(recorder: Recorder, count: int | None = 1, since_turn: int | None = None) -> Plan:
    """What ``undo`` would restore, changing nothing."""
    manifest = recorder.store.load()
    for problem in manifest.problems + manifest.warnings:
        recorder.notice(problem)
    return plan(recorder.store, select(manifest.steps(), count, since_turn))


async def undo(
    recorder: Recorder,
    count: int | None = 1,
    since_turn: int | None = None,
    who: str = "You",
    shown: Callable[[str], str] = str,
    tell_kept: bool = True,
) -> Undone:
    """Take back the last ``count`` steps (or those from turn ``since_turn`` on). A file
    the user edited since is restored only if they say yes to the question with its diff."""
    todo = preview(recorder, count, since_turn)
    turns = read_turns(recorder.transcript)
    for item in todo.files:
        newest = max((s.turn for s in todo.steps if item.path in s.paths), default=0)
        item.since = unrecorded_agent_change(turns, item.path, newest)

    async def confirm(item: FilePlan, shown_diff: str) -> bool | str:
        shown_diff = diff(item, QUESTION_DIFF_LINES)  # a dialog shows it whole
        question = _question(item, shown(item.path))
        reason = f"{item.why}; restoring it discards:\n{shown_diff}"
        allowed, asked = await recorder.ask(question, reason, item.path, True)
        if asked:
            return allowed
        return f"{item.why}, and nobody was there to ask whether to discard that"

    turn = recorder.turn() if recorder.running() else recorder.turn() - 1
    result = await apply(recorder.store, todo, turn, confirm, steps_named(todo.steps))
    for path, why in result.kept if tell_kept else ():  # the model's undo: the user sees
        recorder.notice(f"Kept {shown(path)} as it is, not restored: {why}.")
    note = restored_note(result, todo.steps, turns.prompts, who, shown)
    return Undone(todo, result, note)


def _question(item: FilePlan, name: str) -> str:
    """The question before discarding what is not the agent's, worded for people."""
    if item.now == item.left:
        return f"Restore {name}, which you made read-only?"
    if item.since:
        return f"Restore {name}, discarding the later changes to it?"
    return f"Discard your edits to {name}?"


async def undo_in_session(
    session: Any, count: int | None = 1, since_turn: int | None = None
) -> Undone | None:
    """``undo`` for the desktop (no model call): the user hears what happened and the
    conversation records it, so the model's next request knows. None: checkpoints off."""
    from agent import conversation
    from agent.events import Notice

    recorder = session.ctx.checkpoints
    if recorder is None:
        return None
    done = await undo(recorder, count, since_turn, "The user", session.ctx.display, False)
    if not done.plan.steps:
        since = f" since turn {since_turn}" if since_turn is not None else ""
        session.emit(Notice(f"There are no file changes to undo{since} in this session."))
        return done
    session.emit(Notice(done.note.removeprefix("[Harken] ")))
    if done.result.done:
        block = {"type": "text", "text": done.note}
        message = conversation.add_user_content(session.messages, [block])
        session._log.message(message)  # the transcript too: a resumed session knows
    return done

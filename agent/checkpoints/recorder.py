"""The seam the file tools call: keep a file's content before the agent changes it.

``Recorder.before_change(path, after)`` runs just before Write or Edit replaces a file.
It keeps the file's bytes (or notes that it did not exist) in the session's step for the
running turn. When there would be no way back (the store cannot be written, or the file
is over the size budget) it asks the user first, through the session's permission
question, and refuses the change (a ``ToolError`` the model hears) unless they agree.

The path kept is the one actually written: a symbolic link is followed (Write and Edit
write through it), so a restore brings back the file it points to and leaves the link.

Questions put to people carry ``input["question"]`` (how a front end words them instead
of "Allow <tool>") and ``input["discards_user_edits"]`` when yes would discard the user's
own edits: a blanket yes (``--yes``) answers the agent's permission questions, never that.
"""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from agent.checkpoints.store import (
    ABSENT,
    NOT_KEPT,
    Change,
    CheckpointStore,
    StoreUnavailable,
    digest,
    now_iso,
    read_only,
)
from agent.tools.base import ToolError
from agent.tools.files import overlay

# ask(question, reason, file_path, discards_user_edits) -> (allowed, somebody_was_asked)
Ask = Callable[[str, str, str, bool], Awaitable[tuple[bool, bool]]]


async def _nobody(question: str, reason: str, file_path: str, discards: bool) -> tuple[bool, bool]:
    return False, False


@dataclass
class Recorder:
    """Checkpoints of one session. ``turn()`` is the number the conversation gives the
    running turn (the transcript's count of finished turns plus one while one runs)."""

    store: CheckpointStore
    turn: Callable[[], int]
    ask: Ask = _nobody
    notice: Callable[[str], None] = lambda text: None
    transcript: Path | None = None
    running: Callable[[], bool] = lambda: True

    async def before_change(self, path: Path, after: bytes, tool: str = "") -> None:
        """Keep ``path``'s content before it becomes ``after``; raises ``ToolError`` when
        it cannot be kept and the user does not agree to change it anyway."""
        path, before, unreadable = _current(path)
        after_sha = digest(after)
        if before is not None and len(before) == len(after) and digest(before) == after_sha:
            return  # nothing changes: nothing to take back
        turn = self.turn()
        size = len(before) if before is not None else 0
        problem = ""
        try:
            if unreadable:  # it exists: never recorded as absent (a restore would delete it)
                ref = NOT_KEPT
                problem = f"{path.name} cannot be read ({unreadable})"
            elif before is None:
                ref = ABSENT
            elif size > self.store.max_file_bytes:
                ref = NOT_KEPT
                problem = (
                    f"{path.name} is {_size(size)}, over the checkpoint size budget of "
                    f"{_size(self.store.max_file_bytes)}"
                )
            else:
                ref = self.store.keep(before)
            if not problem:
                self.store.append(self._change(turn, path, ref, after_sha, size, tool))
                return
        except StoreUnavailable as exc:
            problem = str(exc)
        await self._confirm_without_way_back(path, problem, tool)
        with contextlib.suppress(StoreUnavailable):  # the manifest says: no way back, and why
            self.store.append(self._change(turn, path, NOT_KEPT, after_sha, size, tool, problem))

    def _change(
        self, turn: int, path: Path, ref: str, after: str, size: int, tool: str, why: str = ""
    ) -> Change:
        at, ro = now_iso(), read_only(path)  # before the write, which keeps the mode
        step = f"t{turn}"
        return Change(step, turn, "change", str(path), ref, after, size, tool, at, "", why, ro)

    async def _confirm_without_way_back(self, path: Path, problem: str, tool: str) -> None:
        question = f"Change {path} without a way to undo it?"
        reason = f"No checkpoint: {problem}. This change could not be undone."
        allowed, asked = await self.ask(question, reason, str(path), False)
        if allowed:
            by = f" by {tool}" if tool else ""
            self.notice(
                f"{path} was changed{by} without a checkpoint ({problem}): "
                "harken rewind cannot bring back its earlier content."
            )
            return
        who = "the user did not agree" if asked else "nobody was there to ask the user"
        raise ToolError(
            f"Not changed: Harken could not keep a checkpoint of {path} ({problem}), so the "
            f"change could not be undone, and {who} to make it anyway. Tell the user; do not "
            "try to change the file another way."
        )


def session_asker(session: object) -> Ask:
    """An ``Ask`` that puts the question to ``session``'s listeners, as a permission
    request (the desktop shows its dialog, ``harken ask`` its y/N prompt)."""
    from agent.permission_prompt import ask
    from agent.permissions import Decision, ToolCall
    from agent.permissions.decision import Risk, Verdict
    from agent.tools.base import ToolKind

    numbers = itertools.count(1)

    async def put(question: str, reason: str, file_path: str, discards: bool) -> tuple[bool, bool]:
        asked: dict[str, object] = {"file_path": file_path, "question": question}
        if discards:
            asked["discards_user_edits"] = True
        name = "Restore" if discards else "Change without checkpoint"
        call = ToolCall(f"checkpoint-{next(numbers)}", name, asked, ToolKind.WRITE, question)
        decision = Decision(Verdict.ASK, reason, risk=Risk.HIGH)
        answer = await ask(
            call,
            decision,
            listening=bool(session._listeners),  # type: ignore[attr-defined]
            emit=session.emit,  # type: ignore[attr-defined]
            notify=session.hooks.notify,  # type: ignore[attr-defined]
        )
        return answer.allow, answer.asked

    return put


def _current(path: Path) -> tuple[Path, bytes | None, str]:
    """The absolute path, the file's bytes (None when it does not exist) and why it could
    not be read (empty when it could)."""
    path = Path(os.path.realpath(path))  # the file the tool writes, through any link
    held = overlay.get()  # a front end's unsaved buffer is the content the change replaces
    if held is not None and path in held.held:
        return path, held.held[path], ""
    try:
        return path, path.read_bytes(), ""
    except FileNotFoundError:
        return path, None, ""
    except OSError as exc:
        return path, None, exc.strerror or str(exc)


def _size(size: int) -> str:
    from agent.tools.files import human_size

    return human_size(size)

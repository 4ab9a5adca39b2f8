"""Taking changes back: which files, to what, and whether the user changed them since.

    select(steps, count, since_turn)  the steps to take back: always the newest ones
    plan(store, steps)                per file: the content to bring back, and its state now
    apply(store, plan, turn, confirm) every question first, then the restore (itself a new
                                      step, so an undo can be undone)
    decide / write                    the same in two parts, for a caller that asks its
                                      questions without an event loop (``harken rewind``)

A file whose content now differs from what the agent left was edited by someone else
(the user), and so is a file the user made read-only (its mode is theirs): ``apply``
brings it back only when ``confirm(file, diff)`` says yes, so the user's own edits are
never silently discarded. Every question is asked before anything is written, so a
person who stops at a question leaves every file as it was. A file deleted after the
agent's change (by a command, or by the user) is brought back without a question:
nothing of anyone's is lost by restoring it. A file already as it was is left alone. A
file whose old content was not kept, or whose kept content is damaged, is skipped with the
reason. Restoring a file whose folder is gone recreates the folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent.checkpoints.store import (
    ABSENT,
    NOT_KEPT,
    BlobDamaged,
    Change,
    CheckpointStore,
    Step,
    StoreUnavailable,
    digest,
    now_iso,
    read_only,
)
from agent.tools.files import atomic_write

DIFF_LINES = 200  # lines of a diff shown before the question
KEPT = "changed after the agent's change; your edits kept"

# confirm(file, diff): True to restore it; False (the person said no) or the reason it
# was kept (nobody could be asked) to leave it.
Confirm = Callable[["FilePlan", str], Awaitable[bool | str]]


def select(steps: list[Step], count: int | None = 1, since_turn: int | None = None) -> list[Step]:
    """The newest steps to take back: those from turn ``since_turn`` on, else the last
    ``count`` (an undo of several steps always includes every later one)."""
    if since_turn is not None:
        return [s for s in steps if s.turn >= since_turn]
    if not count or count < 1:
        return []
    return steps[-count:]


@dataclass
class FilePlan:
    """One file to take back. ``target``: the content to bring back (a hash or
    ``absent``); ``left``: what the agent's last change left; ``now``: what it holds."""

    path: str
    target: str
    left: str
    now: str
    problem: str = ""
    data: bytes | None = field(default=None, repr=False)
    readonly: bool = False  # the user took away write permission: their choice too
    since: str = ""  # who changed it after the agent, when known (not the user)

    @property
    def action(self) -> str:
        """``skip`` (cannot), ``same`` (already so), ``remove`` or ``restore``."""
        if self.problem:
            return "skip"
        if self.now == self.target:
            return "same"
        return "remove" if self.target == ABSENT else "restore"

    @property
    def gone(self) -> bool:
        """Deleted after the agent's change: restoring it discards nothing."""
        return self.action == "restore" and self.now == ABSENT and self.left != ABSENT

    @property
    def edited(self) -> bool:
        """Whether someone changed the file (or its mode) after the agent's last change to
        it, so restoring would discard something that is not the agent's."""
        if self.action not in ("remove", "restore") or self.gone:
            return False
        return self.now != self.left or self.readonly

    @property
    def why(self) -> str:
        """Why restoring needs a question, in words for people (empty when it does not)."""
        if not self.edited:
            return ""
        name = Path(self.path).name
        if self.now == self.left:
            return f"{name} was made read-only after the agent's change"
        if self.since:
            return f"{name} changed after the agent's change ({self.since})"
        return f"{name} changed after the agent's change"

    def to_dict(self) -> dict[str, object]:
        """For ``--json``: ``restore`` is what the restore does to the file."""
        return {
            "path": self.path,
            "restore": self.action,
            "deleted_since": self.gone,
            "edited_since": self.edited,
            "read_only": self.readonly,
            "problem": self.problem,
        }


@dataclass
class Plan:
    """What taking back ``steps`` would do."""

    steps: list[Step]
    files: list[FilePlan]

    @property
    def to_do(self) -> list[FilePlan]:
        """The files that would change."""
        return [f for f in self.files if f.action in ("remove", "restore")]


@dataclass
class Result:
    """What a restore did: ``done`` (path, ``removed``/``restored``), ``kept`` (path,
    why not restored), ``skipped`` (path, problem)."""

    step: str = ""
    done: list[tuple[str, str]] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    interrupted: list[str] = field(default_factory=list)  # stopped before these were written


def plan(store: CheckpointStore, steps: list[Step]) -> Plan:
    """Per file the steps changed: the content before the first of them, and now."""
    first: dict[str, Change] = {}
    last: dict[str, Change] = {}
    for step in steps:
        for change in step.changes:
            first.setdefault(change.path, change)
            last[change.path] = change
    files = []
    for path, change in first.items():
        now, readonly = _state_now(Path(path))
        readonly = readonly and not last[path].ro  # read-only already then: not made so since
        item = FilePlan(path, change.before, last[path].after, now, readonly=readonly)
        if change.before == NOT_KEPT:
            why = f": {change.why}" if change.why else ""
            item.problem = f"its content before turn {change.turn} was not kept{why}"
        elif change.before != ABSENT:
            try:
                item.data = store.read(change.before)
            except BlobDamaged as exc:
                item.problem = str(exc)
        files.append(item)
    return Plan(steps, files)


def diff(item: FilePlan, limit: int = DIFF_LINES) -> str:
    """How the file would change: its content now against what the restore brings back
    (at most ``limit`` lines)."""
    path = Path(item.path)
    try:
        now = path.read_bytes()
    except OSError:
        now = b""
    then = item.data or b""
    if b"\0" in now[:8192] or b"\0" in then[:8192]:
        return f"(binary file: {len(now)} bytes now, {len(then)} bytes after the restore)"
    old = now.decode("utf-8", "replace").splitlines(keepends=True)
    new = then.decode("utf-8", "replace").splitlines(keepends=True)
    name = path.name
    lines = list(difflib.unified_diff(old, new, f"{name} (now)", f"{name} (restored)"))
    if item.target == ABSENT:
        lines.append("(the file is removed: it did not exist before)\n")
    shown = "".join(lines[:limit])
    if len(lines) > limit:
        shown += f"... {len(lines) - limit} more lines\n"
    return shown


async def apply(
    store: CheckpointStore, todo: Plan, turn: int, confirm: Confirm, undid: str = ""
) -> Result:
    """Ask about every file that needs it, then bring back the planned files as a new step
    of ``turn`` (so it can be undone); ``undid`` names what it takes back."""
    answers: dict[str, bool | str] = {}
    for item in todo.files:
        if item.edited:
            answers[item.path] = await confirm(item, diff(item))
    return write(store, todo, turn, answers, undid)


def write(
    store: CheckpointStore,
    todo: Plan,
    turn: int,
    answers: dict[str, bool | str],
    undid: str = "",
    stop: Callable[[], bool] = lambda: False,
) -> Result:
    """Bring back the planned files; a file that needs a question is written only when
    ``answers`` says True for it. ``stop()`` is checked between files: once it is true,
    the rest are listed in ``Result.interrupted`` and left alone."""
    result = Result(step=f"r{time.time_ns()}")
    for item in todo.files:
        if item.action == "skip":
            result.skipped.append((item.path, item.problem))
            continue
        if item.action == "same":
            continue
        if item.edited:
            answer = answers.get(item.path, False)
            if answer is not True:
                result.kept.append((item.path, answer if isinstance(answer, str) else KEPT))
                continue
        if stop():
            result.interrupted.append(item.path)
            continue
        _write_one(store, item, turn, undid, result)
    return result


def _write_one(store: CheckpointStore, item: FilePlan, turn: int, undid: str, out: Result) -> None:
    path = Path(item.path)
    try:
        current = _read(path)
    except OSError as exc:  # a folder now, or unreadable: what it holds cannot be kept
        out.skipped.append((item.path, f"not restored: {exc.strerror or exc}"))
        return
    try:
        before = ABSENT if current is None else store.keep(current)
        size = len(current or b"")
        at, ro = now_iso(), read_only(path)
        change = Change(out.step, turn, "restore", item.path, before, item.target, size, "", at)
        change = dataclasses.replace(change, undid=undid, ro=ro)
        store.append(change)
    except StoreUnavailable as exc:
        out.skipped.append((item.path, f"not restored: {exc}, so it could not be undone"))
        return
    try:
        _bring_back(path, item)
    except OSError as exc:
        out.skipped.append((item.path, f"could not be restored: {exc.strerror or exc}"))
        return
    out.done.append((item.path, "removed" if item.target == ABSENT else "restored"))


def _bring_back(path: Path, item: FilePlan) -> None:
    if item.target == ABSENT:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return
    assert item.data is not None
    atomic_write(path, item.data)  # makes missing folders too


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _state_now(path: Path) -> tuple[str, bool]:
    """The file's content hash (``absent``, ``unreadable``) and whether it is read-only
    for its owner (a mode the user chose: restoring over it needs their say)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ABSENT, False
    except OSError:
        return "unreadable", False
    return digest(data), read_only(path)

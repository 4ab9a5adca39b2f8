"""Taking changes back: which files, to what, and whether the user changed them since.

    select(steps, count, since_turn)  the steps to take back: always the newest ones
    plan(store, steps)                per file: the content to bring back, and its state now
    apply(store, plan, turn, confirm) bring it back; the restore is itself a new step

A file whose content now differs from what the agent left was edited by someone else
(the user): ``apply`` brings it back only when ``confirm(file, diff)`` says yes, so the
user's own edits are never silently discarded. A file already as it was is left alone.
A file whose old content was not kept, or whose kept content is damaged, is skipped with
the reason. Restoring a file whose folder is gone recreates the folder.
"""

from __future__ import annotations

import contextlib
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
)
from agent.tools.files import atomic_write

DIFF_LINES = 200  # lines of a diff shown before the question

Confirm = Callable[["FilePlan", str], Awaitable[bool]]


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

    @property
    def action(self) -> str:
        """``skip`` (cannot), ``same`` (already so), ``remove`` or ``restore``."""
        if self.problem:
            return "skip"
        if self.now == self.target:
            return "same"
        return "remove" if self.target == ABSENT else "restore"

    @property
    def edited(self) -> bool:
        """Whether someone changed the file after the agent's last change to it."""
        return self.action in ("remove", "restore") and self.now != self.left

    def to_dict(self) -> dict[str, object]:
        """For ``--json``."""
        return {
            "path": self.path,
            "action": self.action,
            "edited_since": self.edited,
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
        item = FilePlan(path, change.before, last[path].after, _hash_now(Path(path)))
        if change.before == NOT_KEPT:
            item.problem = f"its content before turn {change.turn} was not kept"
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


async def apply(store: CheckpointStore, todo: Plan, turn: int, confirm: Confirm) -> Result:
    """Bring back the planned files, as a new step of ``turn`` (so it can be undone)."""
    result = Result(step=f"r{time.time_ns()}")
    for item in todo.files:
        if item.action == "skip":
            result.skipped.append((item.path, item.problem))
            continue
        if item.action == "same":
            continue
        if item.edited and not await confirm(item, diff(item)):
            result.kept.append((item.path, "changed since the agent's change; your edits kept"))
            continue
        path = Path(item.path)
        try:
            current = _read(path)
        except OSError as exc:  # a folder now, or unreadable: what it holds cannot be kept
            result.skipped.append((item.path, f"not restored: {exc.strerror or exc}"))
            continue
        try:
            before = ABSENT if current is None else store.keep(current)
            size = len(current or b"")
            at = now_iso()
            store.append(
                Change(result.step, turn, "restore", item.path, before, item.target, size, "", at)
            )
        except StoreUnavailable as exc:
            result.skipped.append((item.path, f"not restored: {exc}, so it could not be undone"))
            continue
        try:
            _bring_back(path, item)
        except OSError as exc:
            result.skipped.append((item.path, f"could not be restored: {exc.strerror or exc}"))
            continue
        result.done.append((item.path, "removed" if item.target == ABSENT else "restored"))
    return result


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


def _hash_now(path: Path) -> str:
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return ABSENT
    except OSError:
        return "unreadable"

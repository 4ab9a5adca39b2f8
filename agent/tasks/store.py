"""tasks.json under the data dir: read whole, changed under a lock, replaced atomically.

The file is ``{"version": 1, "tasks": [...]}``. A write goes to a temp file in the same
folder, is synced, and replaces the old file, so a crash leaves the old or the new list,
never half of one. A read-modify-write holds an exclusive lock (``tasks.lock``), so the
CLI, the tray and the daemon never lose each other's changes. A file that cannot be read
as a task list raises ``TaskError`` and is never overwritten: the user's tasks stay there
to be repaired. One task in it that cannot be read is skipped by the scheduler
(``load_valid``) and written back exactly as it was by every change.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from agent import paths
from agent.tasks.model import Task, TaskError

VERSION = 1
T = TypeVar("T")


def tasks_file() -> Path:
    return paths.data_dir() / "tasks.json"


class TaskStore:
    """The task list in ``path`` (default: ``tasks.json`` in the data dir)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or tasks_file()
        self._lock_path = self.path.with_name(self.path.name + ".lock")

    def load(self) -> list[Task]:
        """Every task; an absent file is an empty list; raises ``TaskError`` if the file
        or any task in it is corrupt."""
        tasks, bad = self._read()
        if bad:
            raise TaskError(f"{self.path} is corrupt ({bad[0][1]}); fix or remove that task")
        return tasks

    def load_valid(self) -> tuple[list[Task], list[str]]:
        """The tasks that can be read, and one line for each that cannot (so a scheduler
        runs the others); raises ``TaskError`` only if the file as a whole is corrupt."""
        tasks, bad = self._read()
        return tasks, [f"{self.path}: {why}; that task is skipped until fixed" for _, why in bad]

    def _read(self) -> tuple[list[Task], list[tuple[Any, str]]]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return [], []
        except (OSError, UnicodeDecodeError) as exc:
            raise TaskError(f"cannot read {self.path}: {exc}") from None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("tasks"), list):
                raise TaskError('not {"version": 1, "tasks": [...]}')
        except (ValueError, TaskError) as exc:
            raise TaskError(
                f"{self.path} is corrupt ({exc}); fix or remove it — Harken leaves it as it is"
            ) from None
        if data.get("version") != VERSION:
            # A newer Harken's file (or a damaged one): rewriting it as version 1 would
            # drop what this version does not know.
            raise TaskError(
                f"{self.path} has version {data.get('version')!r}, which this Harken cannot "
                "read (written by a newer Harken, or damaged); Harken leaves it as it is"
            )
        tasks: list[Task] = []
        bad: list[tuple[Any, str]] = []
        for item in data["tasks"]:
            try:
                tasks.append(Task.from_dict(item))
            except TaskError as exc:
                bad.append((item, str(exc)))
        return tasks, bad

    def get(self, task_id: str) -> Task:
        """The task ``task_id``; raises ``TaskError`` if there is none."""
        tasks, unreadable = self._read()
        for task in tasks:
            if task.id == task_id:
                return task
        for item, why in unreadable:
            if isinstance(item, dict) and item.get("id") == task_id:
                raise TaskError(f"{self.path}: {why}; fix or remove that task")
        raise TaskError(f"no task {task_id!r} (see `harken tasks list`)")

    def add(self, task: Task) -> None:
        self.change(lambda tasks: tasks.append(task))

    def remove(self, task_id: str) -> Task:
        """Remove ``task_id`` and return it; raises ``TaskError`` if there is none."""

        def drop(tasks: list[Task]) -> Task:
            for i, task in enumerate(tasks):
                if task.id == task_id:
                    return tasks.pop(i)
            raise TaskError(f"no task {task_id!r} (see `harken tasks list`)")

        return self.change(drop)

    def update(self, task_id: str, **values: object) -> Task | None:
        """Set fields of ``task_id``; None if it was removed meanwhile (nothing written)."""

        def apply(tasks: list[Task]) -> Task | None:
            for task in tasks:
                if task.id == task_id:
                    for key, value in values.items():
                        setattr(task, key, value)
                    return task
            return None

        return self.change(apply)

    def change(self, edit: Callable[[list[Task]], T]) -> T:
        """Load, ``edit`` the list in place, write it back; all under the lock."""
        with self._locked():
            tasks, bad = self._read()
            result = edit(tasks)
            # A task that cannot be read is kept as it was, for the user to repair.
            self._write(tasks, [item for item, _ in bad])
            return result

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            _lock(fd)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _write(self, tasks: list[Task], unreadable: Sequence[Any] = ()) -> None:
        data = {"version": VERSION, "tasks": [t.to_dict() for t in tasks] + list(unreadable)}
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        write_atomically(self.path, text)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one step: a temp file beside it, synced, renamed,
    and the folder synced, so a crash leaves the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_dir(path.parent)


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt locks a byte range instead
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
        return
    fcntl.flock(fd, fcntl.LOCK_EX)


def _sync_dir(folder: Path) -> None:
    # The rename itself must survive a crash; not every platform can open a folder.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

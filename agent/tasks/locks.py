"""One task at a time per workspace, across processes (the CLI, the tray, the daemon).

The lock is an ``flock`` on a file under the data dir named after the workspace's real
path, held for the whole run; the operating system releases it if the process dies.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from agent import paths


class WorkspaceBusy(Exception):
    """Another task is running in this workspace (raised only when not waiting)."""


def lock_path(workspace: Path) -> Path:
    real = os.path.realpath(workspace)
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return paths.data_dir() / "tasks" / "locks" / f"{digest}.lock"


def workspace_lock(
    workspace: Path, *, wait: bool = True
) -> contextlib.AbstractContextManager[None]:
    """Hold the workspace's task lock; ``wait=False`` raises ``WorkspaceBusy`` at once
    when another task holds it (a scheduler then tries the next task)."""
    return held(lock_path(workspace), wait=wait, busy=f"another task is running in {workspace}")


def scheduler_lock() -> contextlib.AbstractContextManager[None]:
    """Held by the one process that runs due tasks (``harken daemon``, later the tray)."""
    path = paths.data_dir() / "tasks" / "scheduler.lock"
    return held(path, wait=False, busy="another Harken scheduler (harken daemon) is running")


@contextlib.contextmanager
def held(path: Path, *, wait: bool, busy: str) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` while inside; ``WorkspaceBusy(busy)`` when it
    is taken and ``wait`` is false."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # Windows: no flock; one host runs tasks there
            yield
            return
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(fd, flags)
        except BlockingIOError:
            raise WorkspaceBusy(busy) from None
        yield
    finally:
        os.close(fd)

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


@contextlib.contextmanager
def workspace_lock(workspace: Path, *, wait: bool = True) -> Iterator[None]:
    """Hold the workspace's task lock; ``wait=False`` raises ``WorkspaceBusy`` at once
    when another task holds it (a scheduler then tries the next task)."""
    path = lock_path(workspace)
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
            raise WorkspaceBusy(f"another task is running in {workspace}") from None
        yield
    finally:
        os.close(fd)

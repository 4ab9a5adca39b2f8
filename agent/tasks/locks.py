"""One task at a time per workspace, across processes (the CLI, the tray, the daemon).

The lock is an ``flock`` on a file under the data dir named after the workspace's real
path, held for the whole run; the operating system releases it if the process dies.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Callable, Iterator
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


def scheduler_lock_path() -> Path:
    return paths.data_dir() / "tasks" / "scheduler.lock"


def scheduler_lock(
    holder: str = "harken daemon", *, wait: bool = False
) -> contextlib.AbstractContextManager[None]:
    """Held by the one process that runs due tasks (``harken daemon``, the tray app).
    ``holder`` (with this pid) is written into the lock file while held, so a second
    scheduler can say who runs the tasks; ``wait`` blocks until the lock is free."""
    path = scheduler_lock_path()
    return held(path, wait=wait, busy=lambda: _busy_scheduler(path), holder=holder)


def scheduler_holder() -> str:
    """Who holds the scheduler lock, as written in it (``harken daemon, pid 123``), or ""."""
    try:
        return scheduler_lock_path().read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def _busy_scheduler(path: Path) -> str:
    who = scheduler_holder()
    return f"another Harken scheduler is running ({who or 'harken daemon or the tray app'})"


@contextlib.contextmanager
def held(
    path: Path,
    *,
    wait: bool,
    busy: str | Callable[[], str],
    holder: str | None = None,
) -> Iterator[None]:
    """An exclusive ``flock`` on ``path`` while inside; ``WorkspaceBusy(busy)`` when it
    is taken and ``wait`` is false. ``holder`` and the pid go into the file while held
    (it is emptied before the lock is let go)."""
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
            raise WorkspaceBusy(busy() if callable(busy) else busy) from None
        if holder is not None:
            _say_holder(fd, f"{holder}, pid {os.getpid()}\n")
        try:
            yield
        finally:
            if holder is not None:
                _say_holder(fd, "")
    finally:
        os.close(fd)


def try_lock(path: Path) -> int | None:
    """The descriptor of ``path`` locked exclusively, or None when another holds it (no
    waiting). Release with ``os.close``. Without ``flock`` (Windows) always granted."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        import fcntl
    except ImportError:
        return fd
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _say_holder(fd: int, text: str) -> None:
    with contextlib.suppress(OSError):  # only a courtesy for the message of a second one
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode("utf-8", "replace"), 0)

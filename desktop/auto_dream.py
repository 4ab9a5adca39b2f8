"""Dreaming from the tray: "Dream now" in the Memory window, and on its own when idle.

    job = DreamJob(config, workspace)       one dream; job.run() blocks (call it on a
                                            worker), job.cancel() from any thread
    runner = dream_runner(lambda: config)   (workspace) -> DreamReport, for the window;
                                            runner.cancel() stops its dreams (at quit)
    auto = AutoDream(run, notify, lambda: workspace, lambda: config)
    auto.poll(idle=...)                     every POLL_SECONDS from a timer (GUI thread)
    auto.activity()                         a hotkey press or a new turn: stop the dream
    auto.stop()                             quitting: stop it and start no other

The automatic dream waits until Harken has been idle (nothing running, recording or
speaking) for ``IDLE_SECONDS``, then, at most every ``CHECK_SECONDS``, asks
``agent.memory.dream.should_dream`` (24 hours and 5 sessions since the last dream) off
the GUI thread, and if it is time runs a dream, also off the GUI thread. A press of the
hotkey or a new turn cancels it: a cancelled dream leaves memory as it was. A dream held
off by another one (``DreamBusy``: the CLI's, the window's) is not an error. The
report's ``summary()`` is shown as a notification.

``run(work, on_success, on_failure)`` is ``desktop.background.Background.run`` in the
app (callbacks on the GUI thread); this module itself imports no Qt, so the decision is
tested with explicit times.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.errors import HarkenError

log = logging.getLogger(__name__)

POLL_SECONDS = 60  # how often the app calls poll()
IDLE_SECONDS = 5 * 60  # Harken idle this long before it may dream
CHECK_SECONDS = 30 * 60  # should_dream reads the transcripts' first lines: not too often
RETRY_AFTER_FAILURE_SECONDS = 6 * 3600  # a failed automatic dream is not retried sooner

Run = Callable[[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]], Any]


class DreamCancelled(HarkenError):
    """The dream was stopped (a hotkey press, a new turn); memory is as it was."""


class DreamJob:
    """One dream of ``workspace``'s memory in its own event loop on the calling thread.

    ``config`` is the app's ``agent.config.Config``; the API key is read (keyring, else
    ``ANTHROPIC_API_KEY``) and the client built when ``run`` starts, on that thread."""

    def __init__(self, config: Any, workspace: Path, *, sessions_dir: Path | None = None) -> None:
        self.config = config
        self.workspace = workspace
        self.sessions_dir = sessions_dir
        self._lock = threading.Lock()
        self._cancelled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[Any] | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def cancel(self) -> None:
        """Stop the dream (any thread); memory stays as it was. Before ``run``: it never starts."""
        with self._lock:
            self._cancelled = True
            loop, task = self._loop, self._task
        if loop is not None and task is not None:
            # A RuntimeError: the loop has just closed, so the dream has ended anyway.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)

    def run(self) -> Any:
        """Run the dream and return its ``DreamReport``. Raises ``DreamCancelled``,
        ``DreamBusy``, ``DreamFailed`` or another ``HarkenError`` (no key, ...)."""
        try:
            return asyncio.run(self._main())
        except asyncio.CancelledError:
            raise DreamCancelled("the dream was stopped; memory is as it was") from None
        except HarkenError:
            if self._cancelled:  # the turn was cut short by the cancel: say so
                raise DreamCancelled("the dream was stopped; memory is as it was") from None
            raise

    async def _main(self) -> Any:
        from agent.credentials import api_key
        from agent.memory.dream import dream
        from desktop.sessions import new_client

        with self._lock:
            if self._cancelled:
                raise asyncio.CancelledError
            self._loop = asyncio.get_running_loop()
            self._task = asyncio.current_task()
        client = new_client(self.config, api_key())
        try:
            return await dream(client, self.config, self.workspace, sessions_dir=self.sessions_dir)
        finally:
            await client.aclose()
            with self._lock:
                self._loop = self._task = None


class DreamRunner:
    """A blocking ``(workspace) -> DreamReport`` for the Memory window's "Dream now"
    (``config()`` is read at each run, so changed settings apply); ``cancel()`` stops the
    dreams it runs (at quit, so the app does not wait for the model)."""

    def __init__(self, config: Callable[[], Any], *, sessions_dir: Path | None = None) -> None:
        self._config = config
        self._sessions_dir = sessions_dir
        self._jobs: set[DreamJob] = set()
        self._lock = threading.Lock()

    def __call__(self, workspace: Path) -> Any:
        job = DreamJob(self._config(), workspace, sessions_dir=self._sessions_dir)
        with self._lock:
            self._jobs.add(job)
        try:
            return job.run()
        finally:
            with self._lock:
                self._jobs.discard(job)

    def cancel(self) -> None:
        """Stop every dream this runner is running (any thread)."""
        with self._lock:
            jobs = list(self._jobs)
        for job in jobs:
            job.cancel()


def dream_runner(config: Callable[[], Any], *, sessions_dir: Path | None = None) -> DreamRunner:
    """The runner for ``show_memory_window(..., run_dream=...)``."""
    return DreamRunner(config, sessions_dir=sessions_dir)


def may_check(
    *,
    now: float,
    idle_since: float | None,
    last_check: float | None,
    dreaming: bool,
    failed_at: float | None = None,
) -> bool:
    """Whether to ask ``should_dream`` now: Harken idle for ``IDLE_SECONDS``, no dream
    running, none checked in the last ``CHECK_SECONDS``, none failed in the last
    ``RETRY_AFTER_FAILURE_SECONDS``. Times are epoch seconds; ``idle_since`` is None while
    Harken is busy."""
    if dreaming or idle_since is None or now - idle_since < IDLE_SECONDS:
        return False
    if last_check is not None and now - last_check < CHECK_SECONDS:
        return False
    return failed_at is None or now - failed_at >= RETRY_AFTER_FAILURE_SECONDS


class AutoDream:
    """The tray's automatic dream. All methods are called on the GUI thread; ``run``
    brings its callbacks back there (``Background.run``)."""

    def __init__(
        self,
        run: Run,
        notify: Callable[[str], None],
        workspace: Callable[[], Path],
        config: Callable[[], Any],
        *,
        clock: Callable[[], float] = time.time,
        sessions_dir: Path | None = None,
    ) -> None:
        self._run = run
        self._notify = notify
        self._workspace = workspace
        self._config = config
        self._clock = clock
        self._sessions_dir = sessions_dir
        self.idle_since: float | None = None
        self.last_check: float | None = None
        self.failed_at: float | None = None
        self.checking = False
        self.stopped = False
        self.job: DreamJob | None = None

    @property
    def dreaming(self) -> bool:
        return self.job is not None

    def poll(self, idle: bool) -> None:
        """Called every ``POLL_SECONDS`` with whether Harken is idle now (state ``idle``:
        nothing recording, transcribing, running or speaking)."""
        now = self._clock()
        if not idle or self.stopped:
            self.activity()
            return
        if self.idle_since is None:
            self.idle_since = now
        if self.checking or not may_check(
            now=now,
            idle_since=self.idle_since,
            last_check=self.last_check,
            dreaming=self.dreaming,
            failed_at=self.failed_at,
        ):
            return
        self.last_check = now
        self.checking = True
        workspace, sessions_dir = self._workspace(), self._sessions_dir

        def due() -> bool:
            from agent.memory.dream import should_dream

            return should_dream(workspace, now, sessions_dir)

        self._run(due, lambda yes: self._checked(yes, workspace), self._check_failed)

    def activity(self) -> None:
        """A hotkey press, a recording or a new turn: Harken is busy; a running dream
        stops (memory as it was)."""
        self.idle_since = None
        if self.job is not None:
            log.info("automatic dream cancelled: Harken is in use")
            self.job.cancel()

    def stop(self) -> None:
        """Harken quits: cancel a running dream and start no other."""
        self.stopped = True
        self.activity()

    def _checked(self, due: bool, workspace: Path) -> None:
        self.checking = False
        if not due or self.stopped or self.idle_since is None or self.job is not None:
            return  # not time, or the user came back while it was checked
        job = DreamJob(self._config(), workspace, sessions_dir=self._sessions_dir)
        self.job = job
        log.info("automatic dream of %s starts", workspace)
        self._run(job.run, lambda rep: self._dreamed(job, rep), lambda e: self._failed(job, e))

    def _check_failed(self, exc: BaseException) -> None:
        self.checking = False
        log.warning("cannot tell whether to dream: %s", exc)

    def _dreamed(self, job: DreamJob, report: Any) -> None:
        if self.job is job:
            self.job = None
        self.failed_at = None
        self._notify(report.summary())

    def _failed(self, job: DreamJob, exc: BaseException) -> None:
        from agent.memory.dream import DreamBusy

        if self.job is job:
            self.job = None
        if isinstance(exc, DreamCancelled):
            log.info("%s", exc)
        elif isinstance(exc, DreamBusy):
            log.info("no automatic dream: %s", exc)  # another dream is doing the work
        else:
            self.failed_at = self._clock()
            log.warning("the automatic dream failed: %s", exc)
            self._notify(f"Memory was not tidied: {exc}")

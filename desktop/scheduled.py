"""Scheduled tasks in the tray app: the scheduler's thread, the window, the voice path.

    host = ScheduledHost(tell=...)                the scheduler, on a thread of its own
    host.start() / host.stop()                    (its own asyncio loop; never the GUI's)
    host.owner                                    True while this app runs due tasks
    host.run_now(task_id)                         one task now (a concurrent Future)
    add_task(prompt, cron, cwd, mode)             check and store a new task (the window
                                                  and the voice path; as the CLI does)
    start_scheduled(controller, background)       what ``desktop.app`` calls
    show_window(controller)                       the scheduled-tasks window

One scheduler runs due tasks per user: whoever holds ``agent.tasks.locks.scheduler_lock``.
When ``harken daemon`` holds it, the tray leaves scheduling to it and tries again every
``CHECK_EVERY`` seconds, so when the daemon stops the tray takes over; the lock is an
``flock``, so a task never runs in both. While it holds the lock the tray runs
``agent.tasks.scheduler.serve`` until it quits (a running task is then interrupted and its
session saved). A permission question from a task becomes a desktop notification with
Allow and Deny (``desktop.notifications_questions``); no click within the question
timeout, or no notification daemon, refuses the call and the task goes on with that
answer. A task that keeps failing is told in a desktop notification (the runner's
``notify``). Beside the tasks, on the same loop, run the proactive ticks of the folders
that turned them on (``desktop.scheduled_ticks``). Qt is imported only by the functions for
the GUI thread. A schedule said aloud is read back and confirmed in
``desktop.scheduled_voice``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.notifications import DesktopNotifier, NotificationsUnavailable
from desktop.notifications_questions import ask_in_notification

if TYPE_CHECKING:
    from agent.tasks.model import Task
    from agent.tasks.runner import RunResult
    from agent.tasks.store import TaskStore
    from desktop.scheduled_ticks import TrayTicks

log = logging.getLogger(__name__)

CHECK_EVERY = 30.0  # seconds between tries for the scheduler lock while a daemon holds it
DEFAULT_QUESTION_TIMEOUT = 120.0
Tell = Callable[[str], None]  # a notification for people, from any thread


class ScheduledHost:
    """Runs due tasks on its own thread while it holds the scheduler lock."""

    def __init__(
        self,
        *,
        tell: Tell,
        notifier: DesktopNotifier | None = None,
        question_timeout: float = DEFAULT_QUESTION_TIMEOUT,
        store: TaskStore | None = None,
        check_every: float = CHECK_EVERY,
        clock: Callable[[], datetime] | None = None,
        on_owner: Callable[[bool], None] | None = None,
        ticks: TrayTicks | None = None,
    ) -> None:
        self.tell = tell
        self.notifier = notifier or DesktopNotifier()
        self.question_timeout = question_timeout
        self._store = store
        self.check_every = check_every
        self.clock = clock
        self.on_owner = on_owner  # called (on the scheduler's thread) when ownership changes
        self.ticks = ticks  # proactive ticks, run while this app holds the lock
        self.owner = False
        self.checks = 0  # tries for the scheduler lock so far
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._main: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._shows: set[asyncio.Task[None]] = set()

    @property
    def store(self) -> TaskStore:
        if self._store is None:
            from agent.tasks.store import TaskStore

            self._store = TaskStore()
        return self._store

    def start(self) -> None:
        """Start the scheduler's thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="harken-scheduler", daemon=True)
        self._thread.start()
        self._started.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop scheduling; a running task is interrupted (its session saved). Any thread."""
        loop, main = self._loop, self._main
        if loop is not None and main is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop ended meanwhile
                loop.call_soon_threadsafe(main.cancel)
        if self._thread is not None:
            self._thread.join(timeout)

    def run_now(self, task_id: str) -> concurrent.futures.Future[RunResult]:
        """Run ``task_id`` now on the scheduler's loop (as ``harken tasks run``): it waits
        for a task running in the same folder; its questions become notifications too."""
        from agent.tasks.runner import run_task

        if self._loop is None:
            raise RuntimeError("the scheduler is not running")
        options = self._run_options()
        if self.clock is not None:
            options["now"] = self.clock
        return asyncio.run_coroutine_threadsafe(
            run_task(self.store, task_id, **options), self._loop
        )

    # -- the scheduler's thread -----------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._stop = asyncio.Event()
        self._main = loop.create_task(self._serve_when_free())
        self._started.set()
        try:
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(self._main)
        finally:
            # Tasks run by hand stop with the app too (their sessions are saved).
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve_when_free(self) -> None:
        from agent.tasks.locks import WorkspaceBusy, scheduler_lock

        said_busy = False
        while True:
            self.checks += 1
            lock = scheduler_lock("the Harken tray app")
            try:
                lock.__enter__()
            except WorkspaceBusy:
                if not said_busy:
                    log.info("harken daemon runs the scheduled tasks; the tray leaves them to it")
                    said_busy = True
                self._set_owner(False)
                await asyncio.sleep(self.check_every)
                continue
            failed: Exception | None = None
            try:
                log.info("this app runs the scheduled tasks")
                self._set_owner(True)
                await self._serve()
            except Exception as exc:  # a bug must not end scheduling until the app restarts
                log.exception("the scheduler failed; it starts again in %g s", self.check_every)
                failed = exc
            finally:
                self._set_owner(False)
                lock.__exit__(None, None, None)
            if failed is not None:
                self.tell(f"Scheduled tasks stopped for a moment: {failed}")
                await asyncio.sleep(self.check_every)

    async def _serve(self) -> None:
        from agent.tasks.scheduler import serve

        options: dict[str, Any] = self._run_options()
        if self.clock is not None:
            options["clock"] = self.clock
        assert self._stop is not None
        work = serve(self.store, self._stop, report=self._report, **options)
        if self.ticks is None:
            await work
        else:  # the proactive ticks run beside the tasks (desktop.scheduled_ticks)
            await self.ticks.alongside(work, self._stop)

    def _run_options(self) -> dict[str, Any]:
        return {
            "ask": ask_in_notification(
                self.notifier, self.tell, expire_s=self.question_timeout, asking=self._running
            ),
            "question_timeout": self.question_timeout,
            "note": lambda text: log.warning("scheduled task: %s", text),
            "notify": self._failed,  # a task that keeps failing, told once per streak
        }

    def _running(self) -> str | None:
        """The name of the task that runs now, when only one does (questions name it)."""
        from agent.tasks.model import TaskError

        try:
            running = [t for t in self.store.load_valid()[0] if t.last_status == "running"]
        except TaskError:
            return None
        return running[0].name if len(running) == 1 else None

    def _set_owner(self, owner: bool) -> None:
        if owner != self.owner:
            self.owner = owner
            if self.on_owner is not None:
                self.on_owner(owner)

    def _report(self, problem: str) -> None:
        log.warning("scheduled tasks: %s", problem)
        self.tell(f"Scheduled tasks: {problem}")

    def _failed(self, text: str) -> None:
        """A task keeps failing: a desktop notification (the tray's balloon without one)."""
        log.warning("%s", text)
        loop = self._loop
        if loop is None:
            self.tell(text)
            return

        async def show() -> None:
            try:
                await self.notifier.show("Harken: a scheduled task failed", text)
            except NotificationsUnavailable:
                self.tell(text)

        def start() -> None:
            # Called from inside a run on this loop: shown without holding the run up.
            job = loop.create_task(show())
            self._shows.add(job)  # the loop keeps only a weak reference to a task
            job.add_done_callback(self._shows.discard)

        loop.call_soon_threadsafe(start)


def add_task(
    prompt: str, cron: str, cwd: Path | str, mode: str = "standard", *, name: str = ""
) -> Task:
    """Check and store a new task as ``harken tasks add`` does; raises ``TaskError`` with
    a message for people (an invalid cron expression, a folder that is not there, no
    prompt). Nothing is stored when it raises."""
    from agent.tasks.model import MODES, Task, TaskError, default_name, iso, new_task_id, now
    from agent.tasks.schedule import check_cron
    from agent.tasks.store import TaskStore

    normal = check_cron(cron)
    if not prompt.strip():
        raise TaskError("the prompt is empty: say what the task should do")
    folder = Path(cwd).expanduser()
    if not folder.is_dir():
        raise TaskError(f"{folder} is not a folder")
    if mode not in MODES:
        raise TaskError(f"unknown mode {mode!r}")
    task = Task(
        id=new_task_id(),
        name=name.strip() or default_name(prompt),
        prompt=prompt.strip(),
        cron=normal,
        cwd=str(folder.resolve()),
        mode=mode,
        created=iso(now()),
    )
    TaskStore().add(task)
    return task


def start_scheduled(controller: Any, background: Any) -> ScheduledHost:
    """The tray app's scheduler: started now, stopped when the app quits."""
    from PySide6.QtCore import QCoreApplication

    timeout = float(getattr(controller.config, "permission_timeout_seconds", 0) or 0)

    def tell(message: str) -> None:
        background.on_main(lambda: controller.notify(message, title="Harken: scheduled tasks"))

    from desktop.scheduled_ticks import tray_ticks

    notifier = DesktopNotifier()
    host = ScheduledHost(
        tell=tell,
        notifier=notifier,
        question_timeout=timeout or DEFAULT_QUESTION_TIMEOUT,
        ticks=tray_ticks(controller, background, notifier),
    )
    host.start()
    app = QCoreApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(host.stop)
    return host


# -- the tray's window (GUI thread) ---------------------------------------------------------


def who_runs(host: ScheduledHost | None) -> str:
    """The Tasks window's status line: who runs the tasks when they are due."""
    if host is None:
        return ""
    if host.owner:
        return "Harken runs these tasks when they are due."
    return "harken daemon runs these tasks when they are due; Harken takes over when it stops."


def show_window(controller: Any) -> Any:
    """The scheduled-tasks window (made at first use), in front."""
    from desktop.windows.scheduled_tasks import ScheduledTasksWindow

    window = controller.scheduled_window
    if window is None:
        parts = controller.parts
        window = ScheduledTasksWindow(
            run_now=lambda task_id: run_by_hand(controller, task_id),
            who_runs=lambda: who_runs(controller.scheduled),
            folder=parts.workspace if parts is not None else Path.cwd(),
        )
        controller.scheduled_window = window
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def run_by_hand(controller: Any, task_id: str) -> None:
    """Run now (the window's button): on the scheduler's thread; its end is notified."""
    host, parts = controller.scheduled, controller.parts
    if host is None or parts is None:
        controller.notify("Harken is still starting; try again in a moment.")
        return
    future = host.run_now(task_id)

    def done(result: Any) -> None:
        window = controller.scheduled_window
        if window is not None:
            window.refresh()
        if isinstance(result, BaseException):
            controller.notify(f"The task did not run: {result}", title="Harken: scheduled tasks")
            return
        summary = f": {result.summary}" if result.summary else ""
        controller.notify(f"{result.task.name}: {result.status}{summary}", title="Harken: task ran")

    def finished(f: concurrent.futures.Future[Any]) -> None:
        if f.cancelled():
            return
        outcome = f.exception() or f.result()
        parts.background.on_main(done, outcome)

    future.add_done_callback(finished)

"""The one helper that runs work off the GUI thread and brings the result back onto it.

    background.run(work, on_success, on_failure)   work() on a worker; a callback on the GUI
    background.run(..., lane="mic")                 lanes run their work in order, one at a time
    background.on_main(fn, *args)                   from any thread: fn(*args) on the GUI thread

Like Anki's taskman: callbacks always run on the GUI thread; a failure nobody handles is
logged and reported through ``failed`` (the app shows it as a notification), so a worker's
exception never vanishes and never freezes the UI. Tests may pass ``immediate=True`` to run
work at once on the calling thread (as Picard's tests swap the thread pool).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)


class Background(QObject):
    failed = Signal(str)  # a one-line message for people
    _call = Signal(object)  # a closure to run on the GUI thread

    def __init__(self, *, workers: int = 2, immediate: bool = False) -> None:
        super().__init__()
        self.immediate = immediate
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="harken-bg")
        self._lanes: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()
        self._closed = False
        # Queued even when emitted on the GUI thread: a callback never runs inside the caller.
        self._call.connect(self._run_closure, Qt.ConnectionType.QueuedConnection)

    def run(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        lane: str | None = None,
    ) -> Future[Any]:
        """Run ``work()`` off the GUI thread; its result (or exception) comes back on it."""
        if self.immediate:
            return self._run_now(work, on_success, on_failure)
        executor = self._executor(lane)
        future = executor.submit(work)
        future.add_done_callback(lambda f: self.on_main(self._finish, f, on_success, on_failure))
        return future

    def on_main(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call ``fn(*args)`` on the GUI thread soon; safe from any thread."""
        if self._closed:
            return
        self._call.emit(lambda: fn(*args))

    def shutdown(self, *, wait: bool = False) -> None:
        """Stop taking work and drop what has not started; ``wait`` for what runs (at quit:
        native libraries must not be torn down under a thread still loading a model)."""
        self._closed = True
        for executor in [self._pool, *self._lanes.values()]:
            executor.shutdown(wait=wait, cancel_futures=True)

    def _executor(self, lane: str | None) -> ThreadPoolExecutor:
        if lane is None:
            return self._pool
        with self._lock:
            if lane not in self._lanes:
                self._lanes[lane] = ThreadPoolExecutor(1, thread_name_prefix=f"harken-{lane}")
            return self._lanes[lane]

    def _run_now(
        self,
        work: Callable[[], Any],
        on_success: Callable[[Any], None] | None,
        on_failure: Callable[[BaseException], None] | None,
    ) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(work())
        except Exception as exc:
            future.set_exception(exc)
        self._finish(future, on_success, on_failure)
        return future

    def _finish(
        self,
        future: Future[Any],
        on_success: Callable[[Any], None] | None,
        on_failure: Callable[[BaseException], None] | None,
    ) -> None:
        if future.cancelled():
            return
        exc = future.exception()
        if exc is None:
            if on_success is not None:
                on_success(future.result())
            return
        if on_failure is not None:
            on_failure(exc)
            return
        log.error("background work failed", exc_info=exc)
        self.failed.emit(str(exc) or type(exc).__name__)

    def _run_closure(self, closure: Callable[[], None]) -> None:
        try:
            closure()
        except Exception:  # a broken callback must not take the event loop down
            log.exception("a callback on the GUI thread failed")
            self.failed.emit("Something went wrong inside Harken; see the log for details.")

"""Proactive ticks in the tray app, beside its scheduled tasks.

    ticks = tray_ticks(controller, background, notifier)   made by ``start_scheduled``
    await ticks.alongside(work, stop)      (scheduler's loop) ``work`` (the scheduler) with
                                           ``agent.tasks.ticks.serve_ticks`` beside it
    ticks.user_busy(busy)                  (GUI thread) after each input of the controller

The tray runs ticks only while it holds the scheduler lock, on the scheduler's thread and
loop (``desktop.scheduled.ScheduledHost``): when ``harken daemon`` holds the lock, the
daemon ticks and the tray does not, so no tick runs twice. Ticks pause while the
interaction is not idle (the user holds the hotkey, a transcript waits, a user turn runs,
its summary is spoken) and go on when it is idle again; a tick already running ends as
it would. Threads meet only through ``loop.call_soon_threadsafe`` (GUI to loop) and
``Background.on_main`` (loop to GUI), so the GUI thread never waits on a tick.

A tick's ``PushNotification`` is a desktop notification whose click opens the
conversation window (the tray balloon when no notification daemon answers);
``SendUserMessage`` is a notice in the conversation window, spoken when spoken summaries
are on and the interaction is idle; the user's next press stops it, as it stops a summary.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desktop.notifications import DesktopNotifier, NotificationsUnavailable

if TYPE_CHECKING:
    from agent.tasks.proactive import ProactiveStore
    from agent.tasks.ticks import Sleeper

log = logging.getLogger(__name__)

PUSH_TITLE = "Harken"
MESSAGE_PREFIX = "Harken (proactive): "
LISTEN_S = 3600.0  # how long a pushed notification's click still opens the conversation

Say = Callable[[str], None]


class _Loops(dict[str, Any]):
    """``serve_ticks``' running loops by folder. A loop made while the user is busy starts
    paused: ``TickLoop.run`` waits for resume before its first tick too."""

    def __init__(self, owner: TrayTicks) -> None:
        super().__init__()
        self._owner = owner

    def __setitem__(self, key: str, loop: Any) -> None:
        if self._owner.paused:
            loop.pause()
        super().__setitem__(key, loop)


class TrayTicks:
    """The tray's proactive ticks (see the module doc). ``show_message`` and
    ``open_conversation`` are safe from any thread (they go to the GUI thread); ``tell``
    is the tray balloon. ``store``, ``sleep`` and ``clock`` are for tests."""

    def __init__(
        self,
        *,
        show_message: Say,
        open_conversation: Callable[[], None],
        tell: Say,
        notifier: DesktopNotifier | None = None,
        store: ProactiveStore | None = None,
        sleep: Sleeper | None = None,
        clock: Callable[[], datetime] | None = None,
        listen_s: float = LISTEN_S,
    ) -> None:
        self.show_message, self.open_conversation, self.tell = show_message, open_conversation, tell
        self.notifier = notifier or DesktopNotifier()
        self.store, self.sleep, self.clock = store, sleep, clock
        self.listen_s = listen_s
        self.paused = False  # as applied on the scheduler's loop
        self.held = 0  # times the user's activity paused running ticks (for the log, tests)
        self.loops = _Loops(self)
        self.hush: Callable[[], None] | None = None  # stops a message being spoken
        self._lock = threading.Lock()
        self._busy = False  # the GUI's latest word
        self._loop: asyncio.AbstractEventLoop | None = None
        self._shows: set[asyncio.Task[None]] = set()

    # -- the GUI thread -------------------------------------------------------------------

    def user_busy(self, busy: bool) -> None:
        """The interaction is busy (True) or idle again: ticks pause or go on (the GUI
        thread: the controller calls it after each input; repeated calls cost nothing)."""
        with self._lock:
            if busy == self._busy:
                return
            self._busy = busy
            loop = self._loop
        if busy and self.hush is not None:
            self.hush()
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed: nothing ticks
                loop.call_soon_threadsafe(self._apply)

    # -- the scheduler's loop -------------------------------------------------------------

    async def alongside(self, work: Awaitable[None], stop: asyncio.Event) -> None:
        """Await ``work`` with the ticks running beside it; they stop when it ends."""
        self.loops = _Loops(self)
        self.paused = False
        with self._lock:
            self._loop = asyncio.get_running_loop()
        self._apply()
        ticks = asyncio.get_running_loop().create_task(self._serve(stop), name="ticks")
        try:
            await work
        finally:
            ticks.cancel()  # a running tick is interrupted, its turn saved
            await asyncio.gather(ticks, return_exceptions=True)
            with self._lock:
                self._loop = None

    def _apply(self) -> None:
        with self._lock:
            busy = self._busy
        if busy == self.paused:
            return
        self.paused = busy
        for loop in list(self.loops.values()):
            if busy:
                loop.pause()
            else:
                loop.resume()
        if busy and self.loops:
            self.held += 1
            log.info("proactive ticks wait while the user is busy")

    async def _serve(self, stop: asyncio.Event) -> None:
        from agent.tasks.ticks import serve_ticks

        options: dict[str, Any] = {}
        if self.sleep is not None:
            options["sleep"] = self.sleep
        if self.clock is not None:
            options["clock"] = self.clock
        try:
            await serve_ticks(
                stop,
                store=self.store,
                report=self._report,
                loops=self.loops,
                notify=self._push,
                say=self.show_message,
                note=lambda text: log.warning("proactive tick: %s", text),
                **options,
            )
        except asyncio.CancelledError:
            raise
        except Exception:  # ticks failing must not stop the scheduled tasks beside them
            log.exception("proactive ticks stopped")

    def _report(self, problem: str) -> None:
        log.warning("proactive ticks: %s", problem)
        self.tell(f"Proactive mode: {problem}")

    def _push(self, message: str) -> None:
        # Called inside a tick's tool call on this loop: shown without holding the tick up.
        job = asyncio.get_running_loop().create_task(self._show(message))
        self._shows.add(job)  # the loop keeps only a weak reference to a task
        job.add_done_callback(self._shows.discard)

    async def _show(self, message: str) -> None:
        try:
            clicked = await self.notifier.show_clickable(
                PUSH_TITLE, message, listen_s=self.listen_s
            )
        except NotificationsUnavailable as exc:
            log.info("no desktop notification (%s): the tray says it", exc)
            self.tell(message)
            return
        if clicked:
            self.open_conversation()


def tray_ticks(controller: Any, background: Any, notifier: DesktopNotifier) -> TrayTicks:
    """The tray app's ticks, wired to ``controller`` (its conversation window, voice and
    tray) through ``background.on_main``; ``controller.ticks`` is set to them."""
    speaking: list[int] = []  # the voice's speech number while it says a tick's message

    def show(message: str) -> None:
        # SendUserMessage, on the GUI thread: a notice in the conversation window (the
        # tray balloon before the window exists), spoken when summaries are spoken and
        # nothing else goes on (never over the user or an answer).
        from agent.events import Notice
        from audio.spoken import for_the_ear
        from desktop import state as st

        parts = controller.parts
        conversation = parts.conversation if parts is not None else None
        if conversation is not None:
            conversation.on_event(Notice(message=MESSAGE_PREFIX + message))
        else:
            controller.notify(message, title=PUSH_TITLE)
        voice = parts.voice if parts is not None else None
        idle = controller.machine.state is st.State.IDLE
        if voice is not None and controller.config.speak_summaries and idle:
            voice.speak(for_the_ear(message))
            speaking[:] = [voice.speech_number]

    def hush() -> None:
        voice = controller.parts.voice if controller.parts is not None else None
        if voice is not None and speaking and speaking[0] == voice.speech_number:
            voice.stop_speech()  # only a message of ours, not a summary spoken since
        speaking.clear()

    ticks = TrayTicks(
        show_message=lambda message: background.on_main(show, message),
        open_conversation=lambda: background.on_main(controller.show_conversation),
        tell=lambda message: background.on_main(controller.notify, message),
        notifier=notifier,
    )
    ticks.hush = hush
    controller.ticks = ticks
    return ticks

"""The bridge in the tray app: ``agent.bridge_server``'s ``Host`` over the controller and
the agent thread, serving on a thread of its own.

    remote = TrayBridgeHost(controller)           GUI thread, before the agent bridge
    AgentBridge(remote.sessions(factory), ...)    sessions get the editor's context
    remote.start(agent_bridge)                    after ``controller.attach``: listening
                                                  (bridge.json written); stopped, and the
                                                  file removed, when the app quits

Three threads meet here, and cross only this way: the bridge's own asyncio loop (the
"harken-bridge" thread) runs the WebSocket server and awaits the GUI through a queued Qt
signal carrying a callable and a ``concurrent.futures.Future`` (never blocking either
side); the GUI thread sends events over with ``loop.call_soon_threadsafe``; sessions are
made on the agent thread, where ``sessions()``'s wrapper adds the editor context.

What a bridge client does is what a person could do: ``send`` is typed text (refused while
Harken records or works, as the conversation window's would be), ``ptt`` the hotkey,
``interrupt`` Stop, and ``permission.answer`` presses the open dialog's button (it closes;
whichever answer comes first wins). The tray has one workspace and one session at a time:
a ``cwd`` elsewhere is refused, and a ``session_id`` resumes that session first.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

STOP_WAIT_S = 3.0


class TrayBridgeHost(QObject):
    """``agent.bridge_server.host.Host`` for the tray app (lives on the GUI thread)."""

    _to_gui = Signal(object)  # a callable, run on the GUI thread

    def __init__(self, controller: Any) -> None:
        super().__init__()
        self._controller = controller
        self._agent: Any = None  # desktop.bridge.AgentBridge
        self._lock = threading.Lock()
        self._ide: Any = None  # made on first use, off the GUI thread (it loads pydantic)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[dict[str, Any]], None]] = []  # bridge loop only
        # GUI thread only:
        self._questions: Any = None
        self._session_id: str | None = None
        self._waiting: list[concurrent.futures.Future[str]] = []  # sends before turn_started
        self._to_gui.connect(self._run_on_gui, Qt.ConnectionType.QueuedConnection)

    # -- wiring ---------------------------------------------------------------------------

    def sessions(self, factory: Callable[[Any], Any]) -> Callable[[Any], Any]:
        """``factory`` whose sessions get the IdeContext tool and context block."""

        def make(resume: Any) -> Any:
            from agent.bridge_server.ide import attach

            return attach(factory(resume), self.ide_context)

        return make

    @property
    def ide_context(self) -> Any:
        with self._lock:
            if self._ide is None:
                from agent.tools.ide_context import IdeContextStore

                self._ide = IdeContextStore()
            return self._ide

    def start(self, agent: Any) -> None:
        """Serve the bridge (GUI thread; returns at once)."""
        if self._thread is not None:
            return
        self._agent = agent
        agent.event.connect(self._on_event)
        agent.turn_done.connect(self._on_turn_done)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)
        self._thread = threading.Thread(target=self._serve, name="harken-bridge", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and remove bridge.json (GUI thread, as the app quits)."""
        loop, thread = self._loop, self._thread
        if loop is not None and loop.is_running():
            loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(STOP_WAIT_S)
        self._thread = None

    def _serve(self) -> None:
        from agent.bridge_server.discovery import DiscoveryError
        from agent.bridge_server.host_methods import start_host_bridge
        from agent.bridge_server.secret import SecretUnavailable

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        _ = self.ide_context
        try:
            server = loop.run_until_complete(start_host_bridge(self))
        except (DiscoveryError, SecretUnavailable, OSError) as exc:
            log.warning("no bridge: %s", exc)
            loop.close()
            return
        self._loop = loop
        try:
            loop.run_forever()
        finally:
            self._loop = None
            loop.run_until_complete(server.close())
            loop.close()
            log.info("bridge closed")

    # -- crossing to the GUI thread ------------------------------------------------------

    def _run_on_gui(self, job: Callable[[], None]) -> None:
        job()

    async def _on_gui(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(*args)`` on the GUI thread; its result (or exception) here."""
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def job() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                future.set_result(fn(*args))
            except BaseException as exc:
                future.set_exception(exc)

        self._to_gui.emit(job)
        return await asyncio.wrap_future(future)

    # -- the Host interface (awaited on the bridge's loop) ---------------------------------

    async def submit(self, text: str, cwd: str | None, session_id: str | None) -> str:
        if session_id is not None:
            await asyncio.to_thread(_find_session, session_id)
        waiter: concurrent.futures.Future[str] = await self._on_gui(
            self._gui_submit, text, cwd, session_id
        )
        return await asyncio.wrap_future(waiter)

    async def ptt(self, action: str) -> None:
        c = self._controller
        await self._on_gui({"press": c.press, "release": c.release, "toggle": c.toggle}[action])

    async def interrupt(self, session_id: str | None = None) -> None:
        # The tray runs one session at a time: Stop, unless the client's session is over.
        if session_id is not None and session_id != self._session_id:
            return
        await self._on_gui(self._controller.stop)

    async def answer_permission(self, request_id: str, decision: str) -> bool:
        return bool(await self._on_gui(self._gui_answer, request_id, decision))

    async def status(self) -> dict[str, Any]:
        return dict(await self._on_gui(self._gui_status))

    def subscribe(self, listener: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- on the GUI thread -----------------------------------------------------------------

    def _gui_submit(
        self, text: str, cwd: str | None, session_id: str | None
    ) -> concurrent.futures.Future[str]:
        from agent.bridge_server.host import HostError
        from agent.bridge_server.rpc import BUSY, INVALID_PARAMS, UNAVAILABLE
        from desktop import state as st

        c = self._controller
        parts = c.parts
        if parts is None or parts.bridge is None:
            raise HostError(UNAVAILABLE, "Harken is still starting; try again in a moment")
        if cwd is not None and os.path.realpath(cwd) != os.path.realpath(parts.workspace):
            raise HostError(INVALID_PARAMS, f"the tray app works in {parts.workspace}")
        if c.machine.state not in (st.State.IDLE, st.State.SPEAKING):
            raise HostError(BUSY, f"Harken is busy ({c.machine.display}); try again later")
        if session_id is not None and session_id != c.session_id:
            self._agent.resume(session_id)  # before the turn, on the agent thread's queue
        c.feed(c.machine.typed, text)  # as typed in the conversation window
        waiter: concurrent.futures.Future[str] = concurrent.futures.Future()
        if c.machine.state is not st.State.THINKING:
            raise HostError(BUSY, "Harken did not take the request")
        self._waiting.append(waiter)
        return waiter

    def _gui_answer(self, request_id: str, decision: str) -> bool:
        from agent.bridge_server.host import answer_for

        request = self._pending().take(request_id)
        if request is None:
            return False
        answer = answer_for(decision)
        dialog = _dialog_for(request)
        if dialog is not None:
            dialog.answer_from_elsewhere(answer)  # the permission flow answers and closes it
        else:  # not on screen yet: the flow will not show an answered question
            request.answer(answer)
        return True

    def _gui_status(self) -> dict[str, Any]:
        c = self._controller
        parts = c.parts
        return {
            "host": "tray",
            "state": c.machine.display,
            "mode": str(c.config.mode),
            "session": c.session_id,
            "workspace": str(parts.workspace) if parts is not None else None,
            "questions": self._pending().open_ids(),
        }

    def _pending(self) -> Any:
        if self._questions is None:
            from agent.bridge_server.host import PendingQuestions

            self._questions = PendingQuestions()
        return self._questions

    def _on_event(self, event: Any) -> None:
        from agent.bridge_server.host import event_payload

        request_id = None
        if event.kind == "turn_started":
            self._session_id = event.session_id
            waiting, self._waiting = self._waiting, []
            for waiter in waiting:
                waiter.set_result(event.session_id)
        elif event.kind == "permission_requested":
            request_id = self._pending().add(event)
        loop = self._loop
        if loop is None or not self._listeners:
            return
        payload = event_payload(event, self._session_id, request_id)
        loop.call_soon_threadsafe(self._publish, payload)

    def _on_turn_done(self, outcome: Any) -> None:
        waiting, self._waiting = self._waiting, []
        if not waiting:
            return
        from agent.bridge_server.host import HostError
        from agent.bridge_server.rpc import UNAVAILABLE

        for waiter in waiting:  # the turn ended before it started: say why
            waiter.set_exception(HostError(UNAVAILABLE, outcome.error or outcome.stop_reason))

    def _publish(self, payload: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            listener(payload)


def _find_session(session_id: str) -> None:
    from agent import paths, transcript
    from agent.bridge_server.host import HostError
    from agent.bridge_server.rpc import NOT_FOUND
    from agent.errors import HarkenError

    try:
        transcript.find_session(paths.sessions_dir(), session_id)
    except HarkenError as exc:
        raise HostError(NOT_FOUND, str(exc)) from None


def _dialog_for(request: Any) -> Any:
    from desktop.windows.permission import PermissionDialog

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, PermissionDialog) and widget.request is request:
            return widget if widget.answer is None else None
    return None

"""The bridge's host in ``harken daemon``: no screen, no microphone, sessions on its loop.

    SERVICES = [..., ("bridge", bridge_service)]   in ``desktop.daemon``: the bridge listens
                                                  (bridge.json written) until the daemon
                                                  stops, then closes its sessions
    async with running_bridge(report) as host:     the same, around any block

Each ``send`` without a ``session_id`` opens a new session in ``cwd`` (default: where the
daemon was started) and runs the text as its turn; with a ``session_id`` the turn goes to
that session (queued behind a turn it is running, or resumed from its transcript). A
session is closed once no turn of it runs or waits. A permission question waits for
``permission.answer`` over the bridge (subscribers see it as a ``permission_requested``
event with its ``request_id``, and ``status`` lists it) and is refused, as nobody's
answer, after ``permission_timeout_seconds`` (the setting; 0: never). Project allow
rules the user has not trusted stay off, as in the tray. There is no push-to-talk here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.bridge_server.host import (
    EventListener,
    HostError,
    PendingQuestions,
    answer_for,
    event_payload,
)
from agent.bridge_server.rpc import INVALID_PARAMS, NOT_FOUND, UNAVAILABLE
from agent.tools.ide_context import IdeContextStore

log = logging.getLogger(__name__)

CLOSE_WAIT_S = 5.0  # for running turns to stop when the daemon ends


@dataclass
class _Live:
    session: Any
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    turns: int = 0  # running or waiting for the lock


class HeadlessHost:
    """``agent.bridge_server.host.Host`` for the daemon; everything on one loop."""

    def __init__(self, report: Callable[[str], None], cwd: Path | None = None) -> None:
        self.ide_context = IdeContextStore()
        self._report = report
        self._cwd = cwd or Path.cwd()
        self._listeners: list[EventListener] = []
        self._live: dict[str, _Live] = {}
        self._questions = PendingQuestions()
        self._tasks: set[asyncio.Task[None]] = set()
        self._generation = 0  # bumped by interrupt: turns still waiting are dropped
        self._last: tuple[str, str] | None = None  # (session id, workspace) of the last send

    # -- the Host interface ---------------------------------------------------------------

    async def submit(self, text: str, cwd: str | None, session_id: str | None) -> str:
        live = self._live.get(session_id or "")
        if live is None:
            live = self._open(cwd, session_id)
            self._live[live.session.id] = live
        elif cwd is not None and not _same_folder(cwd, live.session.ctx.workspace):
            raise HostError(INVALID_PARAMS, f"session {session_id} works in another folder")
        live.turns += 1
        task = asyncio.get_running_loop().create_task(self._turn(live, text, self._generation))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        self._last = (live.session.id, str(live.session.ctx.workspace))
        return str(live.session.id)

    async def ptt(self, action: str) -> None:
        raise HostError(UNAVAILABLE, "harken daemon has no microphone; use `remote send`")

    async def interrupt(self, session_id: str | None = None) -> None:
        if session_id is not None:  # one client's turn: the others run on
            live = self._live.get(session_id)
            if live is not None:
                live.session.interrupt()
            return
        self._generation += 1
        for live in self._live.values():
            live.session.interrupt()

    async def answer_permission(self, request_id: str, decision: str) -> bool:
        request = self._questions.take(request_id)
        if request is None:
            return False
        request.answer(answer_for(decision))
        return True

    async def status(self) -> dict[str, Any]:
        from agent.config import load_config

        running = any(live.turns for live in self._live.values())
        questions = self._questions.open_ids()
        state = "waiting" if questions else "working" if running else "idle"
        session, workspace = self._last or (None, str(self._cwd))
        return {
            "host": "daemon",
            "state": state,
            "mode": str(load_config().mode),
            "session": session,
            "workspace": workspace,
            "sessions": sorted(self._live),
            "questions": questions,
        }

    def subscribe(self, listener: EventListener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    # -- sessions ---------------------------------------------------------------------------

    def _open(self, cwd: str | None, session_id: str | None) -> _Live:
        from agent.config import load_config
        from agent.credentials import api_key
        from agent.errors import HarkenError
        from desktop.sessions import load_resumable, open_session, project_rules

        config = load_config()
        key = api_key()
        if not key:
            raise HostError(UNAVAILABLE, "no API key: set ANTHROPIC_API_KEY or `harken key set`")
        resume = None
        if session_id is not None:
            try:
                resume = load_resumable(session_id)
            except HarkenError as exc:
                raise HostError(NOT_FOUND, str(exc)) from None
        where = cwd or (resume.meta.get("cwd") if resume is not None else None)
        workspace = Path(where).expanduser() if where else self._cwd
        if not workspace.is_dir():
            raise HostError(INVALID_PARAMS, f"{workspace} is not a folder")
        rules = project_rules(workspace, self._report)
        session = open_session(config, workspace, key, resume=resume, rules=rules)
        from agent.bridge_server.ide import attach

        attach(session, self.ide_context)
        session.subscribe(lambda event: self._on_event(session, event))
        return _Live(session)

    async def _turn(self, live: _Live, text: str, generation: int) -> None:
        try:
            async with live.lock:
                if generation != self._generation:
                    return  # interrupted before it started
                await live.session.submit(text)
        except Exception:  # submit reports API and tool failures itself: this is a bug
            log.exception("a bridge turn failed")
        finally:
            live.turns -= 1
            if live.turns == 0:
                await self._close(live)

    async def _close(self, live: _Live) -> None:
        from desktop.sessions import close_session

        if self._live.get(live.session.id) is live:
            del self._live[live.session.id]
        try:
            await close_session(live.session)
        except Exception:
            log.exception("closing session %s failed", live.session.id)

    def _on_event(self, session: Any, event: Any) -> None:
        request_id = None
        if event.kind == "permission_requested":
            request_id = self._questions.add(event)
            self._time_limit(event, request_id)
        payload = event_payload(event, str(session.id), request_id)
        for listener in list(self._listeners):
            listener(payload)

    def _time_limit(self, request: Any, request_id: str) -> None:
        from agent.config import load_config
        from agent.events import PermissionAnswer

        limit = int(load_config().permission_timeout_seconds)
        if limit <= 0:
            return

        def refuse() -> None:
            if self._questions.take(request_id) is not None:
                self._report(f"{request.name} not run: nobody answered within {limit} s")
                message = f"nobody answered over the bridge within {limit} s"
                request.answer(PermissionAnswer(False, message=message, asked=False))

        asyncio.get_running_loop().call_later(limit, refuse)

    async def close(self) -> None:
        """Stop every turn and close every session (transcripts synced)."""
        await self.interrupt()
        tasks = list(self._tasks)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=CLOSE_WAIT_S)
            for task in pending:
                task.cancel()
        for live in list(self._live.values()):
            await self._close(live)


def _same_folder(a: str | Path, b: str | Path) -> bool:
    return os.path.realpath(a) == os.path.realpath(b)


async def bridge_service(daemon: Any) -> None:
    """A ``desktop.daemon`` service: the bridge until the daemon stops (``daemon.stop``)
    or cancels it; problems go to ``daemon.report``."""
    async with running_bridge(daemon.report):
        await daemon.stop.wait()


@contextlib.asynccontextmanager
async def running_bridge(report: Callable[[str], None]) -> AsyncIterator[HeadlessHost | None]:
    """The daemon's bridge for as long as the block runs; None (said with ``report``)
    when it cannot start, e.g. the tray app already serves one: the daemon runs on."""
    from agent.bridge_server.discovery import DiscoveryError
    from agent.bridge_server.host_methods import start_host_bridge
    from agent.bridge_server.secret import SecretUnavailable

    host = HeadlessHost(report, Path(os.getcwd()))
    try:
        server = await start_host_bridge(host)
    except (DiscoveryError, SecretUnavailable, OSError) as exc:
        report(f"no bridge: {exc}")
        yield None
        return
    log.info("bridge on %s; `harken remote send TEXT` drives this daemon", server.url)
    try:
        yield host
    finally:
        await server.close()  # no new sends while the sessions close
        await host.close()

"""The agent thread: one asyncio loop running the session, and one QObject speaking for it.

    bridge = AgentBridge(factory)      factory(resume) -> Session, called on the agent thread
    bridge.start()                     the thread starts and warms up the agent's imports
    bridge.submit(text)                a turn (queued behind a running one)
    bridge.submit_job(text)            a coordinator job instead (workers in parallel)
    bridge.follow_up(text)             said during a turn: joins the turn's next request
    bridge.stop_task(task_id)          stop one subagent or worker (a ``task`` event's id)
    bridge.make_plan(prompt)           deep planning in the background, beside any turn
    bridge.interrupt()                 stop the running turn or job, drop queued ones
    bridge.new_session() / resume(id)  close the current session; the next turn starts afresh
    bridge.set_mode(mode)              the permission mode, for this and later sessions
    bridge.set_config(config)          new settings (model, mode, limits) for the next turn
    bridge.refresh_key()               a new API key was stored: the next call uses it
    bridge.start_mcp(workspace)        start the workspace's MCP servers now (desktop.bridge_mcp)
    bridge.mcp_statuses(workspace)     their statuses now (any thread but the GUI's: it waits)
    bridge.close()                     interrupt, close the session (transcript synced), stop

Signals, all delivered on the GUI thread in the order things happened:

    event(object)            every agent event (``agent.events``) as the session emits it
    turn_done(object)        once per ``submit``, always: a ``TurnOutcome``-like value
    session_changed(object)  (session id or None, messages) after new_session / resume
    failed(str)              a failure outside a turn (a session that could not be resumed)
    plan_done(object)        a ``make_plan`` ended: its ``Plan``, or a one-line error (str)

Threads cross only here: GUI -> agent through ``loop.call_soon_threadsafe`` (and
``run_coroutine_threadsafe``); agent -> GUI through Qt signals, which Qt queues to the
thread the bridge lives in. The session is built and used only on the agent thread.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from desktop.bridge_jobs import coordinator_job, plan_beside
from desktop.bridge_jobs import one_line as _one_line
from desktop.bridge_mcp import BridgeMcp

log = logging.getLogger(__name__)

SessionFactory = Callable[[Any], Any]  # (LoadedSession | None) -> Session
JobFactory = Callable[[Any], Any]  # (Session) -> CoordinatorJob


@dataclass(frozen=True)
class Outcome:
    """How a submitted turn ended (the session's ``TurnOutcome`` when it ran)."""

    stop_reason: str
    text: str = ""
    error: str = ""
    usage: Any = field(default=None, compare=False)
    job: bool = False  # a coordinator job's outcome: ``text`` is its final word


def warm_up_agent() -> None:
    """Import what a turn needs, here, off the GUI thread, before the first press
    (``anthropic`` alone takes about a second).

    About pydantic and PySide6: shiboken's import hook breaks pydantic's lazy imports
    ("cannot import name 'import_string' from partially initialized module") only when
    pydantic was partly imported *before* PySide6 and the rest after. The app loads PySide6
    first and pydantic only here or later, which is safe (tests/desktop/test_app_imports.py
    holds it to that); loading every tool module at once finishes pydantic's imports early.
    """
    importlib.import_module("agent.tools").default_tools()
    importlib.import_module("agent.session")
    importlib.import_module("anthropic")


class AgentBridge(QObject, BridgeMcp):
    event = Signal(object)
    turn_done = Signal(object)
    session_changed = Signal(object)
    failed = Signal(str)
    plan_done = Signal(object)
    # From the agent thread; re-emitted as the public signal of that name on the GUI thread,
    # so whoever connects to the public ones (functions, lambdas) runs there.
    _to_gui = Signal(str, object)

    def __init__(
        self,
        factory: SessionFactory,
        *,
        warm_up: Callable[[], None] = warm_up_agent,
        job_factory: JobFactory | None = None,
    ):
        super().__init__()
        self._factory = factory
        self._job_factory = job_factory or coordinator_job
        self._warm_up = warm_up
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        # Agent thread only:
        self._session: Any = None
        self._job: Any = None  # the coordinator job that runs now
        self._plans: set[asyncio.Task[Any]] = set()  # planning runs (cancelled at close)
        self._lock: asyncio.Lock | None = None
        self._generation = 0  # bumped by interrupt(): queued turns older than it are dropped
        self._mode: str | None = None
        self._mcp: dict[str, Any] = {}  # realpath(workspace) -> the McpServers started there
        self._to_gui.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def _deliver(self, name: str, payload: Any) -> None:
        getattr(self, name).emit(payload)

    def _post(self, name: str, payload: Any) -> None:
        self._to_gui.emit(name, payload)

    def _post_event(self, event: Any) -> None:
        self._post("event", event)

    # -- the thread -----------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="harken-agent", daemon=True)
        self._thread.start()
        self._started.wait()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._lock = asyncio.Lock()
        loop.call_soon(self._started.set)
        loop.call_soon(self._warm)
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def _warm(self) -> None:
        try:
            self._warm_up()
        except Exception:  # the first turn will meet the same problem and report it
            log.exception("warming up the agent failed")

    @property
    def running(self) -> bool:
        return self._loop is not None and self._loop.is_running()

    # -- what the GUI calls ---------------------------------------------------------------

    def submit(self, text: str) -> None:
        """Run a turn for ``text``; ``turn_done`` follows, whatever happens."""
        self._call(self._submit, text, self._generation_now(), False)

    def submit_job(self, text: str) -> None:
        """Run a coordinator job for ``text`` (its workers' ``task`` events come as
        events); ``turn_done`` follows once the whole job is over."""
        self._call(self._submit, text, self._generation_now(), True)

    def follow_up(self, text: str) -> None:
        """Queue ``text`` for the running turn's next request (``agent.follow_ups``)."""
        self._call(self._follow_up, text)

    async def _follow_up(self, text: str) -> None:
        assert self._lock is not None
        if self._session is not None and self._lock.locked():  # a turn runs: its next step
            self._session.follow_ups.add(text)
        else:  # the turn ended before the text came: it is the next request
            await self._submit(text, self._generation, False)

    def stop_task(self, task_id: str) -> None:
        """Stop the subagent or worker ``task_id``; its ``task`` event says when it has."""
        self._call(self._stop_task, task_id)

    def interrupt(self) -> None:
        """Stop the running turn as soon as possible and drop turns not yet started."""
        self._call(self._interrupt)

    def new_session(self) -> None:
        self._call(self._replace, None)

    def resume(self, session_id: str) -> None:
        self._call(self._replace, session_id)

    def set_mode(self, mode: str) -> None:
        self._call(self._set_mode, mode)

    def set_config(self, config: Any) -> None:
        self._call(self._set_config, config)

    def refresh_key(self) -> None:
        self._call(self._refresh_key)

    def close(self, timeout: float = 5.0) -> None:
        """Interrupt, close the session (its transcript synced), and stop the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not loop.is_running():
            return
        future = asyncio.run_coroutine_threadsafe(self._close(), loop)
        try:
            future.result(timeout)
        except Exception:  # a session that will not close must not keep Harken running
            log.exception("closing the session failed")
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        self._thread = None

    def _generation_now(self) -> int:
        # Read on the GUI thread; an int read is atomic, and a stale value only means a
        # turn submitted just before an interrupt is dropped, which is what interrupt means.
        return self._generation

    def _call(self, coroutine_fn: Callable[..., Any], *args: Any) -> None:
        loop = self._loop
        if loop is None or not loop.is_running():
            raise RuntimeError("the agent thread is not running")
        loop.call_soon_threadsafe(lambda: loop.create_task(coroutine_fn(*args)))

    # -- the agent thread -----------------------------------------------------------------

    async def _submit(self, text: str, generation: int, job: bool) -> None:
        assert self._lock is not None
        outcome = Outcome("error", error="The turn did not run.")
        try:
            async with self._lock:
                if generation != self._generation:
                    outcome = Outcome("interrupted")
                    return
                session = self._ensure_session()
                await self._mcp_settled()  # servers started at launch: their tools
                if job:
                    result = await self._run_job(session, text)
                else:
                    result = await session.submit(text)
                outcome = Outcome(result.stop_reason, result.text, result.error, result.usage, job)
        except asyncio.CancelledError:
            outcome = Outcome("interrupted")
            raise
        except Exception as exc:  # no key, an unreadable transcript, a bug: one line for people
            log.exception("the turn failed")
            outcome = Outcome("error", error=_one_line(exc))
        finally:
            self._post("turn_done", outcome)

    async def _run_job(self, session: Any, text: str) -> Any:
        job = self._job_factory(session)
        job.session.subscribe(self._post_event)
        self._job = job
        try:
            return await job.run(text)
        finally:
            self._job = None
            await job.aclose()

    async def _stop_task(self, task_id: str) -> None:
        for owner in (self._job, self._session):
            subagents = getattr(owner, "subagents", None)
            if subagents is not None and task_id in subagents.workers:
                log.info("stopping task %s: %s", task_id, subagents.stop(task_id))
                return
        log.info("task %s is not running any more", task_id)

    def make_plan(self, prompt: str, minutes: float = 30) -> None:
        """Plan ``prompt`` (read-only, ``agent.agents.planning``) in the background; its
        subagents' ``task`` events and notices come as events, then ``plan_done``."""
        loop = self._loop
        if loop is None or not loop.is_running():
            raise RuntimeError("the agent thread is not running")

        def start() -> None:
            task = loop.create_task(self._make_plan(prompt, minutes))
            self._plans.add(task)
            task.add_done_callback(self._plans.discard)

        loop.call_soon_threadsafe(start)

    async def _make_plan(self, prompt: str, minutes: float) -> None:
        result: Any = "The plan did not run."
        try:
            result = await plan_beside(self._ensure_session, prompt, minutes, self._post_event)
        finally:
            self._post("plan_done", result)

    def _ensure_session(self) -> Any:
        if self._session is None:
            self._attach(self._factory(None))
        return self._session

    def _attach(self, session: Any) -> None:
        if self._mode is not None:
            _apply_mode(session, self._mode)
        session.subscribe(self._post_event)
        if hasattr(session, "questions"):  # the tray answers AskUserQuestion (desktop.talk)
            session.questions.serve()
        self._session = session
        self._mcp_servers(session.ctx.workspace, session)

    async def _interrupt(self) -> None:
        self._generation += 1
        if self._job is not None:
            self._job.interrupt()  # the coordinator's turn, its wait and its workers
        if self._session is not None:
            self._session.interrupt()

    async def _replace(self, resume_id: str | None) -> None:
        assert self._lock is not None
        await self._interrupt()
        async with self._lock:
            await self._drop_session()
            try:
                if resume_id is None:
                    self._post("session_changed", (None, []))
                    return
                from desktop.sessions import load_resumable

                loaded = load_resumable(resume_id)
                self._attach(self._factory(loaded))
                self._post("session_changed", (self._session.id, list(self._session.messages)))
            except Exception as exc:
                log.exception("could not open session %s", resume_id)
                self._post("failed", f"Could not resume the session: {_one_line(exc)}")

    async def _set_mode(self, mode: str) -> None:
        self._mode = mode
        if self._session is not None:
            _apply_mode(self._session, mode)

    async def _set_config(self, config: Any) -> None:
        # A turn reads the config at each model call; the next one uses the new values.
        if self._session is not None:
            self._session.config = config
        await self._set_mode(config.mode)

    async def _refresh_key(self) -> None:
        from agent.credentials import api_key
        from desktop.sessions import new_client

        assert self._lock is not None
        async with self._lock:  # never under a running turn
            session = self._session
            if session is None:
                return  # the next session reads the key when it starts
            old, session.client = session.client, new_client(session.config, api_key())
            await old.aclose()

    async def _drop_session(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            from desktop.sessions import close_session

            self._mcp_detach(session)
            await close_session(session)

    async def _close(self) -> None:
        assert self._lock is not None
        await self._interrupt()
        for task in list(self._plans):
            task.cancel()
        if self._plans:
            await asyncio.wait(self._plans, timeout=3)
        try:
            async with asyncio.timeout(3):
                async with self._lock:
                    await self._drop_session()
        except TimeoutError:
            log.warning("the turn did not stop in time; closing its session anyway")
            await self._drop_session()
        await self._mcp_close()


def _apply_mode(session: Any, mode: str) -> None:
    from agent.permissions import Mode

    session.engine.mode = Mode(mode)
    session.config = session.config.override(mode=mode)

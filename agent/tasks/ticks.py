"""Proactive ticks: a ``<tick>`` prompt now and then to a workspace's session while the
user is away, until the model has nothing to do (it calls ``Sleep``) or the day's budget
is spent.

    TickLoop(settings, ...)         one workspace's ticks; ``pause()``/``resume()`` for
                                    the host (the user speaks, a user turn runs)
    await serve_ticks(stop, ...)    a loop per workspace whose proactive mode is on

A tick is one turn of the workspace's tick session (its own transcript, continued across
restarts), with the host's Sleep, PushNotification and SendUserMessage tools added and
slow Bash calls moved to the background. Ticks of one workspace never overlap: the next
is sent only after the last turn ended, at least ``every_s`` later, and at least as long
as the model asked to ``Sleep``. A tick holds the workspace's task lock, so it never runs
beside a scheduled task there. Each tick, each notification and message, and reaching the
daily cap get a journal entry; once the cap is reached, ticks stop until the next day.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from agent.events import Event, PermissionAnswer, PermissionRequested
from agent.journal.entry import Entry
from agent.journal.files import append_quietly
from agent.tasks.locks import WorkspaceBusy, workspace_lock
from agent.tasks.model import TaskError
from agent.tasks.model import now as local_now
from agent.tasks.proactive import Proactive, ProactiveStore
from agent.tasks.unattended import RunLog, close_session, open_session

if TYPE_CHECKING:
    from agent.session import Session

log = logging.getLogger(__name__)

Note = Callable[[str], None]
Sleeper = Callable[[float, asyncio.Event], Awaitable[None]]
BUSY_RETRY_S = 30.0  # a scheduled task holds the workspace: try the tick again then
SETTINGS_NAP_S = 60.0  # how often serve_ticks looks for workspaces turned on or off

FIRST_TICK = """\
<tick time="{now}">
You are in proactive mode in {workspace}: the user is away, and Harken sends you a <tick> \
like this now and then. Do useful work the user would want done here, within your \
permissions. Tell the user what needs them with SendUserMessage, or PushNotification if \
it cannot wait. When there is nothing useful to do, call Sleep with how many seconds to \
wait before the next tick, and end your turn.
</tick>"""
TICK = '<tick time="{now}"/>'


async def nap(seconds: float, stop: asyncio.Event) -> None:
    """Wait ``seconds`` or until ``stop`` is set (the default way a loop waits)."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max(0.0, seconds))


class TickLoop:
    """The ticks of one workspace (see the module doc).

    ``clock`` gives the local time (the day the budget counts), ``sleep`` waits between
    ticks; tests pass their own. ``notify`` is the host's notification (headless: logged)
    and ``say`` its way to show a message (None: the journal only)."""

    def __init__(
        self,
        workspace: Path,
        *,
        store: ProactiveStore | None = None,
        notify: Note | None = None,
        say: Note | None = None,
        note: Note = log.warning,
        clock: Callable[[], datetime] = local_now,
        sleep: Sleeper = nap,
        background_after: float | None = None,
    ) -> None:
        self.workspace = Path(os.path.realpath(workspace))
        self.store = store or ProactiveStore()
        self.notify, self.say, self.note = notify, say, note
        self.clock, self.sleep = clock, sleep
        self.background_after = background_after
        self.ticks = 0
        self._resumed = asyncio.Event()
        self._resumed.set()
        self._pauses = 0
        self._slept: float | None = None
        self._capped_day = ""
        self._session: Session | None = None
        self._record = RunLog()

    def pause(self) -> None:
        """Hold the next tick (the user is speaking, or a user turn runs); a tick already
        running ends as it would. Calls nest: each ``pause`` needs a ``resume``."""
        self._pauses += 1
        self._resumed.clear()

    def resume(self) -> None:
        """Undo one ``pause``; ticks go on once every pause is undone."""
        self._pauses = max(0, self._pauses - 1)
        if self._pauses == 0:
            self._resumed.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Tick until ``stop`` is set or proactive mode is turned off here."""
        try:
            while not stop.is_set():
                await _until_either(self._resumed, stop)
                if stop.is_set():
                    break
                settings = self.store.get(self.workspace)
                if not settings.enabled:
                    break
                await self.sleep(await self._step(settings), stop)
        finally:
            if self._session is not None:
                await close_session(self._session)
                self._record.collect_jobs(self._session)
                for job_id, command, ended, output in self._record.jobs:
                    self._journal("Background job", f"{job_id} · {ended}", f"{command}\n{output}")

    async def _step(self, settings: Proactive) -> float:
        """One tick (or why there is none); returns how long to wait for the next."""
        moment = self.clock()
        day = moment.date().isoformat()
        spent = settings.spent_on(day)
        if spent >= settings.daily_budget_usd:
            if self._capped_day != day:
                self._capped_day = day
                self._journal(
                    "Note",
                    "daily budget reached",
                    f"Ticks cost ${spent:.4f} today, the cap is "
                    f"${settings.daily_budget_usd:.2f}: no more ticks until tomorrow.",
                )
            return _until_tomorrow(moment)
        try:
            with workspace_lock(self.workspace, wait=False):
                return await self._tick(settings, moment, day)
        except WorkspaceBusy:
            return BUSY_RETRY_S

    async def _tick(self, settings: Proactive, moment: datetime, day: str) -> float:
        session = await self._open(settings)
        first = session.state.turns == 0
        prompt = (FIRST_TICK if first else TICK).format(
            now=moment.isoformat(timespec="seconds"), workspace=self.workspace
        )
        self._slept = None
        files_before, cost_before = len(self._record.files), self._record.cost_usd
        tools_before, refused_before = len(self._record.tools), len(self._record.refused)
        tokens_before = (self._record.input_tokens, self._record.output_tokens)
        try:
            outcome = await session.submit(prompt)
        except asyncio.CancelledError:  # the host stops: the turn is saved as interrupted
            self._journal("Tick", f"{self.workspace.name} · interrupted", prompt.splitlines()[0])
            raise
        self.ticks += 1
        cost = self._record.cost_usd - cost_before
        self.store.add_spending(self.workspace, day, cost)
        wait = max(settings.every_s, self._slept or 0.0)
        how = outcome.stop_reason if outcome.stop_reason != "end_turn" else "ok"
        slept = f"slept {self._slept:g} s" if self._slept is not None else "did not sleep"
        append_quietly(
            Entry(
                kind="Tick",
                title=self.workspace.name,
                asked=prompt.splitlines()[0],
                done=outcome.error or outcome.text,
                outcome=f"{how}; {slept}; next tick in {wait:g} s at the earliest",
                folder=str(self.workspace),
                files=self._record.files[files_before:],
                tools=self._record.tools[tools_before:],
                refused=self._record.refused[refused_before:],
                cost_usd=cost,
                input_tokens=self._record.input_tokens - tokens_before[0],
                output_tokens=self._record.output_tokens - tokens_before[1],
                session=session.id,
                at=self.clock(),
            )
        )
        return wait

    async def _open(self, settings: Proactive) -> Session:
        if self._session is not None:
            return self._session
        from agent.errors import HarkenError
        from agent.tools.proactive import (
            push_notification_tool,
            send_user_message_tool,
            sleep_tool,
        )

        tools = [
            sleep_tool(self._on_sleep),
            push_notification_tool(self._on_push),
            send_user_message_tool(self._on_say),
        ]
        options = {"background_after": self.background_after} if self.background_after else {}
        kwargs = {"mode": settings.mode, "allow": settings.allow, "note": self.note}
        try:
            session = await open_session(
                self.workspace, extra_tools=tools, resume=settings.session, **kwargs, **options
            )
        except HarkenError as exc:
            if settings.session is None or isinstance(exc, TaskError):
                raise
            self.note(f"the tick session {settings.session} cannot be continued ({exc}); "
                      "starting a new one")  # fmt: skip
            session = await open_session(self.workspace, extra_tools=tools, **kwargs, **options)
        session.subscribe(self._record)
        session.subscribe(_refuse_questions)
        self._session = session
        self.store.change(self.workspace, lambda item: setattr(item, "session", session.id))
        return session

    def _on_sleep(self, seconds: float) -> None:
        self._slept = seconds

    def _on_push(self, message: str) -> None:
        self._journal("Notification", "pushed to the user", message)
        if self.notify is not None:
            self.notify(message)

    def _on_say(self, message: str) -> None:
        self._journal("Message", "to the user", message)
        if self.say is not None:
            self.say(message)

    def _journal(self, kind: str, title: str, text: str) -> None:
        append_quietly(
            Entry(kind=kind, title=title, done=text, folder=str(self.workspace), at=self.clock())
        )


async def serve_ticks(
    stop: asyncio.Event,
    *,
    store: ProactiveStore | None = None,
    report: Note = log.warning,
    loops: dict[str, TickLoop] | None = None,
    **loop_options: object,
) -> None:
    """Run a ``TickLoop`` for each workspace whose proactive mode is on, noticing changes
    within ``SETTINGS_NAP_S``; ``loops`` (if given) shows the running ones to the host,
    by real path, for ``pause``/``resume``."""
    store = store or ProactiveStore()
    running: dict[str, asyncio.Task[None]] = {}
    said: dict[str, str] = {}  # the last failure of each folder's loop, not repeated
    loops = {} if loops is None else loops
    problem = ""
    try:
        while not stop.is_set():
            try:
                enabled = [key for key, item in store.load().items() if item.enabled]
                problem = ""
            except TaskError as exc:
                enabled = []
                if str(exc) != problem:
                    problem = str(exc)
                    report(problem)
            for key in enabled:
                if key in running and not running[key].done():
                    continue
                loop = TickLoop(Path(key), store=store, **loop_options)  # type: ignore[arg-type]
                loops[key] = loop
                job = _guarded(loop, stop, said)
                running[key] = asyncio.get_running_loop().create_task(job)
            await nap(SETTINGS_NAP_S, stop)
    finally:
        for job in running.values():
            job.cancel()
        await asyncio.gather(*running.values(), return_exceptions=True)


async def _guarded(loop: TickLoop, stop: asyncio.Event, said: dict[str, str]) -> None:
    from agent.errors import HarkenError

    key = str(loop.workspace)
    try:
        await loop.run(stop)
        said.pop(key, None)
    except asyncio.CancelledError:
        raise
    except HarkenError as exc:  # no key, the folder gone: said once, tried again later
        if said.get(key) != str(exc):
            said[key] = str(exc)
            log.warning("ticks in %s: %s", key, exc)
    except Exception:  # one workspace's trouble must not stop the others
        log.exception("ticks in %s stopped", key)


def _refuse_questions(event: Event) -> None:
    # Nobody is there during a tick: a call no rule allows is refused, and the tick goes on.
    if isinstance(event, PermissionRequested):
        event.answer(
            PermissionAnswer(
                False,
                message="refused: proactive ticks run unattended and nobody is there to "
                "answer; allow it with `harken tasks proactive on --allow RULE`",
                asked=False,
            )
        )


async def _until_either(first: asyncio.Event, second: asyncio.Event) -> None:
    waits = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()


def _until_tomorrow(moment: datetime) -> float:
    midnight = datetime.combine(moment.date() + timedelta(days=1), datetime.min.time())
    return max(1.0, (midnight.replace(tzinfo=moment.tzinfo) - moment).total_seconds())

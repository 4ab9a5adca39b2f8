"""Run one task now: its own Session, its own mode and rules, its result recorded.

    await run_task(store, task_id, listeners=[...], ask=None, question_timeout=120,
                   wait_for_workspace=True, notify=None, now=model.now) -> RunResult

Before the run, ``last_run`` is set (so a crash mid-run does not make the same slot run
again and again) and ``last_status`` is ``running``; after it, ``last_status``,
``last_summary``, ``last_session`` and ``failures`` say how it went, and the journal gets
an entry (what was asked, the answer's first lines, files touched, outcome, cost). The
API key, model and endpoint come from the user's config as for ``harken ask``.

A run that ends in ``error`` counts toward the task's back-off (``schedule.backoff``):
the journal entry says how long the task now waits, and after ``NOTIFY_AFTER`` failures
in a row ``notify(text)`` tells the user, once per streak of failures.

Permission questions: ``ask(event)`` is the host's way to reach the user (the tray: a
notification with Allow and Deny) and returns a ``PermissionAnswer``, or None for "no
answer". No answer within ``question_timeout`` seconds, or no ``ask`` at all (headless),
refuses the call, and the task goes on with that refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from agent.errors import HarkenError
from agent.events import Event, PermissionAnswer, PermissionRequested, Retrying
from agent.journal.entry import Entry
from agent.journal.files import append_quietly
from agent.redact import redact
from agent.tasks.locks import WorkspaceBusy, lock_path, try_lock
from agent.tasks.model import Task, TaskError, iso
from agent.tasks.model import now as local_now
from agent.tasks.schedule import backoff, problem
from agent.tasks.store import TaskStore
from agent.tasks.unattended import RunLog, close_session, open_session

log = logging.getLogger(__name__)

Ask = Callable[[PermissionRequested], Awaitable[PermissionAnswer | None]]
Note = Callable[[str], None]
SUMMARY_CHARS = 200
DEFAULT_QUESTION_TIMEOUT = 120.0
NOTIFY_AFTER = 3  # failures in a row before the user is told (once)
LOCK_POLL_S = 0.2  # how often a run waiting for a busy workspace tries its lock

# How a turn's stop reason reads in ``last_status``.
STATUS = {"end_turn": "ok", "stop_sequence": "ok"}


@dataclass(frozen=True)
class RunResult:
    """How a run went: ``status`` as stored in ``last_status``; ``summary`` one short line;
    ``text`` the whole answer (or error); ``files`` the files its tools changed."""

    task: Task
    status: str
    summary: str
    session_id: str | None
    text: str = ""
    files: list[str] = field(default_factory=list)
    cost_usd: float = 0.0


async def run_task(
    store: TaskStore,
    task_id: str,
    *,
    listeners: Iterable[Callable[[Event], None]] = (),
    ask: Ask | None = None,
    question_timeout: float | None = DEFAULT_QUESTION_TIMEOUT,
    wait_for_workspace: bool = True,
    note: Note | None = None,
    notify: Note | None = None,
    background_after: float | None = None,
    now: Callable[[], datetime] = local_now,
    on_wait: Note | None = None,
) -> RunResult:
    """Run ``task_id`` once, now, and record the outcome in ``store`` and the journal.

    ``background_after``: a Bash call still running after that many seconds moves to the
    background (None: the unattended default, 15 s). Raises ``TaskError`` when the task
    does not exist, and ``WorkspaceBusy`` when another task holds its workspace and
    ``wait_for_workspace`` is false. Failures of the run itself (no folder, no API key,
    an API error) are recorded and returned, not raised. ``on_wait`` hears one line when
    the run first waits for another task in its workspace. A task with an allow rule
    that cannot be read raises ``TaskError`` and does not run."""
    task = store.get(task_id)
    why = problem(task)
    if why is not None and "allow rule" in why:
        # Run without that rule and the task runs with other permissions than the user set.
        raise TaskError(why)
    workspace = Path(task.cwd)
    fd = try_lock(lock_path(workspace))
    if fd is None:
        if not wait_for_workspace:
            raise WorkspaceBusy(f"another task is running in {workspace}")
        if on_wait is not None:
            on_wait(f"waiting for the task running in {workspace}…")
        # Polled, not a blocking flock in a thread: a cancel (Ctrl-C) ends the wait at once.
        while fd is None:
            await asyncio.sleep(LOCK_POLL_S)
            fd = try_lock(lock_path(workspace))
    try:
        started = store.update(task.id, last_run=iso(now()), last_status="running")
        if started is None:
            raise TaskError(f"task {task.id!r} was removed")
        record = RunLog()
        session_id: list[str] = []
        try:
            status, text = await _run(
                started,
                [*listeners, record, _retries_logged(started)],
                ask,
                question_timeout,
                note or log.warning,
                session_id,
                background_after,
                record,
            )
        except asyncio.CancelledError:
            store.update(
                task.id,
                last_status="interrupted",
                last_summary="stopped",
                last_session=session_id[0] if session_id else None,
            )
            _journal(started, "interrupted", "Stopped before it finished.", record, session_id, now)
            _journal_jobs(started, record, session_id, now)
            raise
        except HarkenError as exc:
            status, text = "error", str(exc)
        text = redact(text)  # an API error may quote a key: not into tasks.json or a notice
        failures = started.failures + 1 if status == "error" else 0
        done = store.update(
            task.id,
            last_status=status,
            last_summary=_short(text),
            last_session=session_id[0] if session_id else None,
            failures=failures,
        )
        outcome = status
        if record.refused and status == "ok":
            outcome = f"ok ({_calls(len(record.refused))} refused or not run)"
        if failures:
            outcome = f"error ({_failed_times(failures)}; {_waits(failures)})"
        _journal(started, outcome, text, record, session_id, now)
        _journal_jobs(started, record, session_id, now)
        if failures == NOTIFY_AFTER and notify is not None:
            notify(
                f"Scheduled task {task.name!r} ({task.id}) has {_failed_times(failures)}: "
                f"{_short(text)} It now waits longer before each try; "
                "`harken journal` shows each run."
            )
        return RunResult(
            done or started,
            status,
            _short(text),
            session_id[0] if session_id else None,
            text,
            list(record.files),
            record.cost_usd,
        )
    finally:
        os.close(fd)  # closing releases the workspace's lock


async def _run(
    task: Task,
    listeners: Iterable[Callable[[Event], None]],
    ask: Ask | None,
    question_timeout: float | None,
    note: Note,
    session_id: list[str],
    background_after: float | None,
    record: RunLog,
) -> tuple[str, str]:
    """Run the task's prompt in a new session; its id goes into ``session_id`` as soon
    as it exists (so an interrupted run still names it)."""
    options = {} if background_after is None else {"background_after": background_after}
    session = await open_session(
        Path(task.cwd), mode=task.mode, allow=task.allow, note=note, **options
    )
    session_id.append(session.id)
    questions: set[asyncio.Task[None]] = set()

    def on_question(event: Event) -> None:
        if isinstance(event, PermissionRequested):
            job = asyncio.get_running_loop().create_task(
                _answer(event, ask, question_timeout, task)
            )
            questions.add(job)
            job.add_done_callback(questions.discard)

    for listener in listeners:
        session.subscribe(listener)
    session.subscribe(on_question)
    try:
        outcome = await session.submit(task.prompt)
    finally:
        for job in list(questions):
            job.cancel()
        await close_session(session)
        record.collect_jobs(session)
    status = STATUS.get(outcome.stop_reason, outcome.stop_reason)
    text = outcome.error if outcome.stop_reason == "error" else outcome.text
    return status, text


def _journal(
    task: Task,
    outcome: str,
    text: str,
    record: RunLog,
    session_id: list[str],
    now: Callable[[], datetime],
) -> None:
    append_quietly(
        Entry(
            kind="Task",
            title=f"{task.name} ({task.id})",
            asked=task.prompt,
            done=text,
            outcome=outcome,
            folder=task.cwd,
            files=list(record.files),
            tools=list(record.tools),
            refused=list(record.refused),
            cost_usd=record.cost_usd,
            input_tokens=record.input_tokens,
            output_tokens=record.output_tokens,
            session=session_id[0] if session_id else "",
            at=now(),
        )
    )


def _journal_jobs(
    task: Task, record: RunLog, session_id: list[str], now: Callable[[], datetime]
) -> None:
    for job_id, command, ended, output in record.jobs:
        append_quietly(
            Entry(
                kind="Background job",
                title=f"{job_id} of task {task.name} ({task.id})",
                asked=command,
                done=output[-2000:],
                outcome=ended,
                folder=task.cwd,
                session=session_id[0] if session_id else "",
                at=now(),
            )
        )


def _retries_logged(task: Task) -> Callable[[Event], None]:
    """A listener that logs each API retry (the daemon's log says why a run was slow)."""

    def listen(event: Event) -> None:
        if isinstance(event, Retrying):
            log.warning(
                "task %s: %s; retry %d in %.1f s", task.id, event.reason, event.attempt, event.delay
            )

    return listen


def _calls(count: int) -> str:
    return "1 call" if count == 1 else f"{count} calls"


def _failed_times(failures: int) -> str:
    return "failed once" if failures == 1 else f"failed {failures} times in a row"


def _waits(failures: int) -> str:
    minutes = backoff(failures).total_seconds() / 60
    wait = f"{minutes:g} min" if minutes < 60 else f"{minutes / 60:g} h"
    return f"the next try waits at least {wait} after this one"


async def _answer(
    event: PermissionRequested, ask: Ask | None, wait_s: float | None, task: Task
) -> None:
    """Resolve ``event`` with the user's answer, or refuse it when nobody answers."""
    answer: PermissionAnswer | None = None
    if ask is not None:
        with contextlib.suppress(TimeoutError):
            answer = await asyncio.wait_for(ask(event), wait_s)
    if answer is None:
        # Kept short: it follows "Not run: ... nobody was there to ask" in the tool result,
        # and a terminal shows the first 200 characters of that.
        if ask is None:
            why = " runs unattended"
        elif wait_s is None:
            why = ": nobody answered"
        else:
            why = f": nobody answered within {wait_s:g} s"
        answer = PermissionAnswer(
            False,
            message=f"Scheduled task {task.id}{why}; an --allow rule on it would let this run.",
            asked=False,
        )
    event.answer(answer)


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"

"""Run one task now: its own Session, its own mode and rules, its result recorded.

    await run_task(store, task_id, listeners=[...], ask=None, question_timeout=120,
                   wait_for_workspace=True, now=model.now) -> RunResult

Before the run, ``last_run`` is set (so a crash mid-run does not make the same slot run
again and again) and ``last_status`` is ``running``; after it, ``last_status``,
``last_summary`` and ``last_session`` say how it went. The API key, model and endpoint
come from the user's config as for ``harken ask``.

Permission questions: ``ask(event)`` is the host's way to reach the user (the tray: a
notification with Allow and Deny) and returns a ``PermissionAnswer``, or None for "no
answer". No answer within ``question_timeout`` seconds, or no ``ask`` at all (headless),
refuses the call, and the task goes on with that refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from agent.errors import HarkenError, NoApiKey
from agent.events import Event, PermissionAnswer, PermissionRequested
from agent.tasks.locks import workspace_lock
from agent.tasks.model import Task, TaskError, iso
from agent.tasks.model import now as local_now
from agent.tasks.store import TaskStore

log = logging.getLogger(__name__)

Ask = Callable[[PermissionRequested], Awaitable[PermissionAnswer | None]]
Note = Callable[[str], None]
SUMMARY_CHARS = 200
DEFAULT_QUESTION_TIMEOUT = 120.0

# How a turn's stop reason reads in ``last_status``.
STATUS = {"end_turn": "ok", "stop_sequence": "ok"}


@dataclass(frozen=True)
class RunResult:
    """How a run went: ``status`` as stored in ``last_status``; ``summary`` one short line."""

    task: Task
    status: str
    summary: str
    session_id: str | None


async def run_task(
    store: TaskStore,
    task_id: str,
    *,
    listeners: Iterable[Callable[[Event], None]] = (),
    ask: Ask | None = None,
    question_timeout: float = DEFAULT_QUESTION_TIMEOUT,
    wait_for_workspace: bool = True,
    note: Note | None = None,
    now: Callable[[], datetime] = local_now,
) -> RunResult:
    """Run ``task_id`` once, now, and record the outcome in ``store``.

    Raises ``TaskError`` when the task does not exist, and ``WorkspaceBusy`` when another
    task holds its workspace and ``wait_for_workspace`` is false. Failures of the run
    itself (no folder, no API key, an API error) are recorded and returned, not raised."""
    task = store.get(task_id)
    workspace = Path(task.cwd)
    lock = workspace_lock(workspace, wait=wait_for_workspace)
    # Waiting for another task's lock must not stall the event loop.
    await asyncio.to_thread(lock.__enter__)
    try:
        started = store.update(task.id, last_run=iso(now()), last_status="running")
        if started is None:
            raise TaskError(f"task {task.id!r} was removed")
        try:
            status, summary, session_id = await _run(
                started, listeners, ask, question_timeout, note or log.warning
            )
        except asyncio.CancelledError:
            store.update(task.id, last_status="interrupted", last_summary="stopped")
            raise
        except HarkenError as exc:
            status, summary, session_id = "error", str(exc), None
        done = store.update(
            task.id,
            last_status=status,
            last_summary=_short(summary),
            last_session=session_id,
        )
        return RunResult(done or started, status, _short(summary), session_id)
    finally:
        lock.__exit__(None, None, None)


async def _run(
    task: Task,
    listeners: Iterable[Callable[[Event], None]],
    ask: Ask | None,
    question_timeout: float,
    note: Note,
) -> tuple[str, str, str | None]:
    from agent import paths
    from agent.config import load_config
    from agent.credentials import api_key
    from agent.mcp import start_for_session
    from agent.model import ModelClient
    from agent.permissions.settings import load_rules
    from agent.retry import RetryPolicy
    from agent.session import Session

    workspace = Path(task.cwd)
    if not await asyncio.to_thread(workspace.is_dir):
        raise TaskError(f"the task's folder {workspace} no longer exists")
    config = load_config()
    for problem in config.problems:
        note(problem)
    config = config.override(mode=task.mode)
    key = api_key()
    if not key:
        raise NoApiKey()
    loaded = load_rules(workspace, cli={"allow": list(task.allow)})
    for warning in loaded.warnings:
        note(warning)
    client = ModelClient(
        api_key=key,
        base_url=config.base_url or None,
        retry=RetryPolicy(attempts=config.max_retries + 1),
    )
    session = Session(
        client=client,
        config=config,
        workspace=workspace,
        sessions_dir=paths.sessions_dir(),
        rules=loaded.rules,
    )
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
    servers = None
    try:
        servers = await start_for_session(session, note=note, warn=note)
        outcome = await session.submit(task.prompt)
    finally:
        for job in list(questions):
            job.cancel()
        if servers is not None:
            await servers.aclose()
        try:
            await session.aclose()
        finally:
            await client.aclose()
    status = STATUS.get(outcome.stop_reason, outcome.stop_reason)
    summary = outcome.error if outcome.stop_reason == "error" else outcome.text
    return status, summary, session.id


async def _answer(event: PermissionRequested, ask: Ask | None, wait_s: float, task: Task) -> None:
    """Resolve ``event`` with the user's answer, or refuse it when nobody answers."""
    answer: PermissionAnswer | None = None
    if ask is not None:
        with contextlib.suppress(TimeoutError):
            answer = await asyncio.wait_for(ask(event), wait_s)
    if answer is None:
        why = (
            f"nobody answered within {wait_s:g} s"
            if ask is not None
            else "nobody is there to answer"
        )
        answer = PermissionAnswer(
            False,
            message=f"refused: scheduled task {task.id} runs unattended and {why}; "
            f"add an allow rule to the task (--allow) to let this run",
            asked=False,
        )
    event.answer(answer)


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= SUMMARY_CHARS else line[: SUMMARY_CHARS - 1] + "…"

"""The scheduler a host runs: due tasks one after another, then sleep until the next.

    await run_due(store, at, ...) -> list[RunResult]    every task due at ``at``, once
    await serve(store, stop, ...)                        until ``stop`` is set

``serve`` re-reads tasks.json on every wake (tasks added or removed meanwhile count) and
sleeps at most ``MAX_NAP`` seconds at a time, so a clock that jumped (suspend, resume)
is noticed within that nap. A task whose workspace is busy waits for the next wake; a
corrupt tasks file is reported once per change and the scheduler keeps waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from agent.tasks.locks import WorkspaceBusy
from agent.tasks.model import TaskError
from agent.tasks.model import now as local_now
from agent.tasks.runner import RunResult, run_task
from agent.tasks.schedule import due, next_wake
from agent.tasks.store import TaskStore

log = logging.getLogger(__name__)
MAX_NAP = 60.0


async def run_due(store: TaskStore, at: datetime, **run_options: Any) -> list[RunResult]:
    """Run each task due at ``at`` once (``run_options`` go to ``run_task``)."""
    results = []
    for task in due(store.load(), at):
        try:
            results.append(await run_task(store, task.id, wait_for_workspace=False, **run_options))
        except WorkspaceBusy as exc:
            log.info("%s: %s; it runs when that one ends", task.id, exc)
        except TaskError as exc:  # removed meanwhile
            log.info("%s: %s", task.id, exc)
    return results


async def serve(
    store: TaskStore,
    stop: asyncio.Event,
    *,
    clock: Callable[[], datetime] = local_now,
    report: Callable[[str], None] = log.warning,
    **run_options: Any,
) -> None:
    """Run due tasks until ``stop`` is set; cancelling this interrupts a running task."""
    problem = ""
    while not stop.is_set():
        nap = MAX_NAP
        try:
            await run_due(store, clock(), now=clock, **run_options)
            wake = next_wake(store.load(), clock())
            problem = ""
            if wake is not None:
                # At least a second: a due task waiting for a busy workspace must not spin.
                nap = min(MAX_NAP, max(1.0, (wake - clock()).total_seconds()))
        except TaskError as exc:
            if str(exc) != problem:  # said once, not every minute
                problem = str(exc)
                report(problem)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), nap)

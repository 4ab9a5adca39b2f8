"""The scheduler a host runs: due tasks one after another, then sleep until the next.

    await run_due(store, at, ...) -> list[RunResult]    every task due at ``at``, once
    await serve(store, stop, ...)                        until ``stop`` is set

``serve`` re-reads tasks.json on every wake (tasks added or removed meanwhile count) and
sleeps at most until the next minute boundary (``nap_seconds``), so a task added while it
sleeps runs at its first slot and a clock that jumped (suspend, resume) is noticed within
a minute. A task whose workspace is busy waits for the next wake; a
corrupt tasks file, an unreadable task, an invalid cron expression are each reported once
per change, and the other tasks keep running. A failing task backs off
(``schedule.backoff``) and its host hears about it once (``run_task``'s ``notify``).
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
from agent.tasks.schedule import due, next_wake, problem
from agent.tasks.store import TaskStore

log = logging.getLogger(__name__)
MAX_NAP = 60.0
MIN_NAP = 1.0
# Woken a hair before a minute boundary, a pass must not spin until it passes.
MIN_NAP_AT_BOUNDARY = 0.05


async def run_due(store: TaskStore, at: datetime, **run_options: Any) -> list[RunResult]:
    """Run each task due at ``at`` once (``run_options`` go to ``run_task``). One task's
    failure, even a bug, never keeps the others from running."""
    results = []
    tasks, _problems = store.load_valid()
    for task in due(tasks, at):
        try:
            log.info("starting %s (%s) in %s", task.id, task.name, task.cwd)
            result = await run_task(store, task.id, wait_for_workspace=False, **run_options)
            log.info("ran %s (%s): %s %s", task.id, task.name, result.status, result.summary)
            results.append(result)
        except WorkspaceBusy as exc:
            log.info("%s: %s; it runs when that one ends", task.id, exc)
        except TaskError as exc:  # removed meanwhile, or the tasks file broke meanwhile
            log.info("%s: %s", task.id, exc)
        except Exception:
            log.exception("task %s failed unexpectedly; the other tasks go on", task.id)
    return results


def problems(store: TaskStore) -> list[str]:
    """One line for each task the scheduler skips: unreadable, or an invalid cron or
    time in a hand-edited file."""
    tasks, unreadable = store.load_valid()
    return unreadable + [p for p in (problem(t) for t in tasks) if p is not None]


def nap_seconds(now: datetime, wake: datetime | None) -> float:
    """How long ``serve`` sleeps at ``now``: until ``wake`` (the next task's slot), but at
    most until the next minute boundary, so a task added meanwhile (every slot is on a
    minute) waits no longer than its slot, and a clock that jumped is seen within a
    minute. At least ``MIN_NAP``: a due task waiting for a busy workspace must not spin."""
    boundary = 60.0 - now.second - now.microsecond / 1e6
    nap = min(MAX_NAP, boundary)
    if wake is not None:
        nap = min(nap, max(MIN_NAP, (wake - now).total_seconds()))
    return max(MIN_NAP_AT_BOUNDARY, nap)


async def serve(
    store: TaskStore,
    stop: asyncio.Event,
    *,
    clock: Callable[[], datetime] = local_now,
    report: Callable[[str], None] = log.warning,
    **run_options: Any,
) -> None:
    """Run due tasks until ``stop`` is set; cancelling this interrupts a running task.
    ``report`` hears each problem (a corrupt file, a task that cannot be scheduled) once,
    not on every wake. Nothing a stored task holds ends this loop: an unexpected error
    in one pass is logged and the next pass comes at the next nap."""
    said: set[str] = set()
    while not stop.is_set():
        nap = MAX_NAP
        try:
            now_problems = problems(store)
            for line in now_problems:
                if line not in said:
                    report(line)
            said = set(now_problems)
            await run_due(store, clock(), now=clock, **run_options)
            nap = nap_seconds(clock(), next_wake(store.load_valid()[0], clock()))
        except TaskError as exc:
            if str(exc) not in said:  # said once, not every minute
                said = {str(exc)}
                report(str(exc))
            nap = nap_seconds(clock(), None)
        except Exception:  # a bug must not end scheduling while the lock stays held
            log.exception("the scheduler's pass failed; it tries again shortly")
            nap = nap_seconds(clock(), None)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), nap)

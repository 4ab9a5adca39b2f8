"""When a task runs: cron slots, and catching up once after the machine slept.

A task's schedule is anchored on its last run (or its creation): the next slot is the
first cron slot after that anchor. When the machine wakes after missing several slots,
that slot lies in the past, the task is due, it runs once, and its new anchor (this run)
skips every slot it missed. Every function takes ``now`` explicitly so tests and hosts
decide the clock.
"""

from __future__ import annotations

from datetime import datetime

from agent.tasks.model import Task, TaskError, parse_iso


def check_cron(expr: str) -> str:
    """``expr`` normalised (single spaces) if it is a valid five-field cron expression
    (minute hour day-of-month month day-of-week); raises ``TaskError`` otherwise."""
    from croniter import croniter

    fields = expr.split()
    if len(fields) != 5:
        raise TaskError(
            f"invalid cron expression {expr!r}: expected five fields "
            "(minute hour day-of-month month day-of-week), e.g. '0 9 * * 1-5'"
        )
    normal = " ".join(fields)
    if not croniter.is_valid(normal):
        raise TaskError(f"invalid cron expression {expr!r}: a field is out of range or malformed")
    return normal


def slot_after(cron: str, moment: datetime) -> datetime:
    """The first slot of ``cron`` strictly after ``moment`` (in ``moment``'s time zone)."""
    from croniter import croniter

    return croniter(cron, moment).get_next(datetime)


def anchor(task: Task) -> datetime:
    """What the schedule counts from: the last run, else the task's creation."""
    return parse_iso(task.last_run or task.created)


def next_run(task: Task, now: datetime) -> datetime:
    """The slot ``task`` waits for: the first slot after its anchor, or after ``now`` if
    its anchor lies in the future (a clock set back must not silence a task)."""
    start = min(anchor(task), now)
    return slot_after(task.cron, start)


def is_due(task: Task, now: datetime) -> bool:
    """Whether ``task`` should run at ``now``: a slot has come since its anchor."""
    return next_run(task, now) <= now


def due(tasks: list[Task], now: datetime) -> list[Task]:
    """The tasks due at ``now``, the longest-waiting first; each appears once however
    many of its slots were missed."""
    ready = [t for t in tasks if is_due(t, now)]
    return sorted(ready, key=lambda t: next_run(t, now))


def next_wake(tasks: list[Task], now: datetime) -> datetime | None:
    """When the earliest task is due (``now`` if one is due already); None without tasks."""
    slots = [next_run(t, now) for t in tasks]
    return max(min(slots), now) if slots else None

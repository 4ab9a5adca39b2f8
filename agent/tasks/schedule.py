"""When a task runs: cron slots, and catching up once after the machine slept.

A task's schedule is anchored on its last run (or its creation): the next slot is the
first cron slot after that anchor. When the machine wakes after missing several slots,
that slot lies in the past, the task is due, it runs once, and its new anchor (this run)
skips every slot it missed. Every function takes ``now`` explicitly so tests and hosts
decide the clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from agent.tasks.model import Task, TaskError, parse_iso

# A task that fails every time waits BACKOFF_BASE after its first failure, twice as long
# after each further one, at most BACKOFF_CAP (beyond its own schedule's wait).
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=12)


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


def backoff(failures: int) -> timedelta:
    """How long a task waits after ``failures`` failed runs in a row (none for 0)."""
    if failures <= 0:
        return timedelta(0)
    # min() before the power: a count in the thousands must not overflow.
    return min(BACKOFF_BASE * 2 ** min(failures - 1, 20), BACKOFF_CAP)


def retry_at(task: Task) -> datetime | None:
    """The earliest a failing task may run again (its last run plus the back-off), or
    None when its last run did not fail."""
    if task.failures <= 0 or not task.last_run:
        return None
    return parse_iso(task.last_run) + backoff(task.failures)


def next_run(task: Task, now: datetime) -> datetime:
    """The slot ``task`` waits for: the first slot after its anchor, or after ``now`` if
    its anchor lies in the future (a clock set back must not silence a task); for a task
    failing in a row, the first slot once its back-off has passed."""
    start = min(anchor(task), now)
    slot = slot_after(task.cron, start)
    hold = retry_at(task)
    if hold is not None and slot < hold:
        slot = slot_after(task.cron, min(hold, now + BACKOFF_CAP) - timedelta(seconds=1))
    return slot


def problem(task: Task) -> str | None:
    """Why ``task`` cannot be scheduled (a hand-edited, invalid cron or time), or None."""
    try:
        check_cron(task.cron)
        anchor(task)
    except TaskError as exc:
        return f"task {task.id} ({task.name}): {exc}"
    except ValueError as exc:
        return f"task {task.id} ({task.name}): a stored time is invalid ({exc})"
    return None


def is_due(task: Task, now: datetime) -> bool:
    """Whether ``task`` should run at ``now``: a slot has come since its anchor."""
    return next_run(task, now) <= now


def due(tasks: list[Task], now: datetime) -> list[Task]:
    """The tasks due at ``now``, the longest-waiting first; each appears once however
    many of its slots were missed. Tasks with a ``problem`` are left out."""
    ready = [t for t in tasks if problem(t) is None and is_due(t, now)]
    return sorted(ready, key=lambda t: next_run(t, now))


def next_wake(tasks: list[Task], now: datetime) -> datetime | None:
    """When the earliest task is due (``now`` if one is due already); None without tasks
    (tasks with a ``problem`` do not count)."""
    slots = [next_run(t, now) for t in tasks if problem(t) is None]
    return max(min(slots), now) if slots else None

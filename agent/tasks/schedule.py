"""When a task runs: cron slots, and catching up once after the machine slept.

A task's schedule is anchored on its last run (or its creation): the next slot is the
first cron slot after that anchor. When the machine wakes after missing several slots,
that slot lies in the past, the task is due, it runs once, and its new anchor (this run)
skips every slot it missed. Every function takes ``now`` explicitly so tests and hosts
decide the clock.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from agent.tasks.model import Task, TaskError, parse_iso

# A task that fails every time waits BACKOFF_BASE after its first failure, twice as long
# after each further one, at most BACKOFF_CAP (beyond its own schedule's wait).
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=12)


# Standard cron: per field a list of ``*``, ``N`` or ``N-M`` (N <= M), each optionally
# ``/STEP``; names for months and weekdays. Croniter's extensions (``L``, ``#``, ``?``,
# ``R``, ``H``, reversed ranges that wrap) are not standard five-field cron: refused.
FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun",
                      "jul", "aug", "sep", "oct", "nov", "dec")),
    ("day-of-week", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)  # fmt: skip
_ITEM = re.compile(r"^(\*|(\w+)(?:-(\w+))?)(?:/(\d+))?$")
# A schedule must fire within this long of any moment (``0 0 30 2 *`` never does).
HORIZON_YEARS = 5


def check_cron(expr: str) -> str:
    """``expr`` normalised (single spaces) if it is a valid standard five-field cron
    expression (minute hour day-of-month month day-of-week) that fires at least once
    every few years; raises ``TaskError`` otherwise."""
    from croniter import croniter

    fields = expr.split()
    if len(fields) != 5:
        raise TaskError(
            f"invalid cron expression {expr!r}: expected five fields "
            "(minute hour day-of-month month day-of-week), e.g. '0 9 * * 1-5'"
        )
    for text, spec in zip(fields, FIELDS, strict=True):
        why = _field_problem(text, *spec)
        if why:
            raise TaskError(f"invalid cron expression {expr!r}: {why}")
    normal = " ".join(fields)
    if not croniter.is_valid(normal):
        raise TaskError(f"invalid cron expression {expr!r}: a field is out of range or malformed")
    try:
        croniter(normal, datetime(2000, 1, 1), max_years_between_matches=HORIZON_YEARS).get_next(
            datetime
        )
    except Exception:  # croniter's CroniterBadDateError and kin: no slot in the horizon
        raise TaskError(
            f"invalid cron expression {expr!r}: it never fires (no such date, e.g. 30 February)"
        ) from None
    return normal


def _field_problem(text: str, name: str, low: int, high: int, names: tuple[str, ...]) -> str:
    """Why one field is not standard cron, or ""."""
    for item in text.split(","):
        match = _ITEM.match(item)
        if not match:
            return (
                f"the {name} field {text!r} is not standard cron "
                "(use *, N, N-M, lists with commas and /STEP)"
            )
        if match.group(4) is not None and int(match.group(4)) == 0:
            return f"the {name} field {text!r} has a step of 0"
        if match.group(1) == "*":
            continue
        values = []
        for part in (match.group(2), match.group(3)):
            if part is None:
                continue
            if part.isdigit():
                value = int(part)
            elif part.lower() in names:
                value = names.index(part.lower()) + (1 if name == "month" else 0)
            else:
                return f"the {name} field {text!r} is not standard cron ({part!r} is no value)"
            if not low <= value <= high:
                return f"the {name} field {text!r} is out of range ({low}-{high})"
            values.append(value)
        if len(values) == 2 and values[0] > values[1]:
            return f"the {name} field {text!r} has a reversed range (write it as two ranges)"
    return ""


def slot_after(cron: str, moment: datetime) -> datetime:
    """The first slot of ``cron`` strictly after ``moment``, in local wall-clock time (a
    9:00 task runs at 9:00 on either side of a daylight-saving change), with the local
    offset of that slot. Raises ``TaskError`` if ``cron`` has no slot within the horizon."""
    from croniter import croniter

    # Naive local wall time: whatever offset ``moment`` was stored with, the slots follow
    # the local clock as it is now set (its time zone and daylight-saving rules).
    wall = moment.astimezone().replace(tzinfo=None)
    try:
        slot = croniter(cron, wall, max_years_between_matches=HORIZON_YEARS).get_next(datetime)
    except Exception as exc:  # a hand-edited cron croniter cannot use: the task is skipped
        raise TaskError(f"cron {cron!r} has no next run ({exc})") from None
    return slot.astimezone()  # a naive time is local: its offset on that day


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
    """Why ``task`` cannot be scheduled or run (a hand-edited cron, time or allow rule
    that cannot be read, a schedule that never fires), or None. Such a task is reported
    and skipped everywhere; it never takes the scheduler or ``tasks list`` down."""
    try:
        check_cron(task.cron)
        for stamp in (task.created, task.last_run):
            if stamp is not None:
                parse_iso(stamp)
        for rule in task.allow:
            # Imported only for a task with rules: the permission engine is not light.
            from agent.errors import ConfigError
            from agent.permissions.rules import parse_rule

            try:
                parse_rule(rule)
            except ConfigError as exc:
                # Run without it and the task runs with other permissions than the user set.
                raise TaskError(f"its allow rule {rule!r} cannot be read ({exc})") from None
    except TaskError as exc:
        return f"task {task.id} ({task.name}): {exc}; skipped until fixed"
    except (ValueError, TypeError, OverflowError) as exc:
        why = f"a stored time is invalid ({exc})"
        return f"task {task.id} ({task.name}): {why}; skipped until fixed"
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

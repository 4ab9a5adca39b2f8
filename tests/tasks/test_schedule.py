"""When tasks run, with explicit times: no sleeping, no wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.tasks.locks import WorkspaceBusy, workspace_lock
from agent.tasks.model import Task, TaskError, iso
from agent.tasks.schedule import check_cron, due, is_due, next_run, next_wake

DAY = datetime(2025, 3, 3, tzinfo=UTC)  # a Monday


def at(hour: int, minute: int = 0, days: int = 0) -> datetime:
    return DAY + timedelta(days=days, hours=hour, minutes=minute)


def task(cron: str, created: datetime, last_run: datetime | None = None, id: str = "t") -> Task:
    return Task(
        id=id,
        name=id,
        prompt="p",
        cron=cron,
        cwd="/",
        created=iso(created),
        last_run=iso(last_run) if last_run else None,
    )


def test_a_task_waits_for_its_first_slot() -> None:
    hourly = task("0 * * * *", created=at(8, 10))

    assert next_run(hourly, at(8, 30)) == at(9)
    assert not is_due(hourly, at(8, 59))
    assert is_due(hourly, at(9))


def test_a_task_that_missed_several_slots_runs_once() -> None:
    hourly = task("0 * * * *", created=at(8, 10))
    wake = at(13, 30)  # the machine slept from 8:30 through five slots

    assert due([hourly], wake) == [hourly]  # once, not once per missed slot
    ran = task("0 * * * *", created=at(8, 10), last_run=wake)
    assert due([ran], wake) == []
    assert due([ran], at(13, 59)) == []
    assert next_run(ran, wake) == at(14)
    assert due([ran], at(14)) == [ran]


def test_a_weekday_task_missed_over_a_weekend_runs_once_on_monday() -> None:
    # Last run on Wednesday; the machine was off on Thursday and Friday.
    weekdays = task("0 9 * * 1-5", created=at(8, days=-7), last_run=at(9, days=-5))
    monday = at(7)

    assert next_run(weekdays, monday) == at(9, days=-4)  # Thursday's slot, missed
    assert due([weekdays], monday) == [weekdays]  # once for Thursday and Friday
    assert next_run(task("0 9 * * 1-5", created=at(8), last_run=monday), monday) == at(9)


def test_a_run_recorded_in_the_future_does_not_silence_a_task() -> None:
    # The clock was set back after the last run.
    hourly = task("0 * * * *", created=at(6), last_run=at(20))

    assert next_run(hourly, at(10, 30)) == at(11)


def test_due_tasks_come_longest_waiting_first_and_next_wake_is_the_earliest() -> None:
    a = task("30 * * * *", created=at(8), id="a")
    b = task("0 * * * *", created=at(8), id="b")

    assert [t.id for t in due([a, b], at(10))] == ["a", "b"]  # a due since 8:30, b since 9:00
    assert next_wake([a, b], at(8, 5)) == at(8, 30)
    assert next_wake([a, b], at(12)) == at(12)  # one is overdue: now
    assert next_wake([], at(12)) is None


@pytest.mark.parametrize("expr", ["", "* * * *", "0 0 * * * *", "60 * * * *", "@daily", "x"])
def test_only_five_field_cron_is_accepted(expr: str) -> None:
    with pytest.raises(TaskError, match="cron"):
        check_cron(expr)
    assert check_cron(" 0  9 * * 1-5 ") == "0 9 * * 1-5"


def test_one_task_at_a_time_per_workspace(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    with workspace_lock(first):
        with pytest.raises(WorkspaceBusy), workspace_lock(first, wait=False):
            pass
        with workspace_lock(second, wait=False):  # another workspace is free
            pass
    with workspace_lock(first, wait=False):  # released after the run
        pass

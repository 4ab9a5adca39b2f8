"""A task that fails every time backs off, says so in the journal and tells the user
once; bad tasks (invalid cron, unreadable, folder gone) are reported and the others run."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.events import Event
from agent.journal import read_day
from agent.tasks import scheduler
from agent.tasks.model import Task, iso
from agent.tasks.runner import NOTIFY_AFTER, run_task
from agent.tasks.schedule import BACKOFF_CAP, backoff, next_run
from agent.tasks.scheduler import run_due, serve
from agent.tasks.store import TaskStore
from tests.scripted_api import Reply, ScriptedAPI, text
from tests.tasks.conftest import tasks_file

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def minutely(task_id: str, cwd: Path, **fields: object) -> Task:
    values: dict = {"id": task_id, "name": task_id, "prompt": f"do {task_id}",
                    "cron": "* * * * *", "cwd": str(cwd), "created": iso(START)}  # fmt: skip
    return Task(**(values | fields))


def test_the_wait_doubles_with_each_failure_up_to_a_cap() -> None:
    assert backoff(0) == timedelta(0)
    assert [backoff(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert backoff(40) == backoff(10_000) == BACKOFF_CAP

    failing = minutely("t-f", Path("/"), last_run=iso(START), failures=4)
    assert next_run(failing, START + timedelta(minutes=1)) == START + timedelta(minutes=8)
    ok = minutely("t-ok", Path("/"), last_run=iso(START))
    assert next_run(ok, START + timedelta(seconds=30)) == START + timedelta(minutes=1)


async def test_a_task_failing_every_time_backs_off_says_so_and_notifies_once(
    tmp_path: Path,
) -> None:
    store = TaskStore()
    store.add(minutely("t-gone", tmp_path / "removed"))
    clock = Clock(START)
    told: list[str] = []

    for _ in range(NOTIFY_AFTER + 2):
        result = await run_task(store, "t-gone", notify=told.append, now=clock)
        assert result.status == "error"
        clock.at = next_run(store.get("t-gone"), clock.at)

    assert store.get("t-gone").failures == NOTIFY_AFTER + 2
    [message] = told  # once, not once per failure
    assert "t-gone" in message and "failed 3 times in a row" in message
    assert "no longer exists" in message
    days = sorted({START.astimezone().date(), clock.at.astimezone().date()})
    entries = [e for day in days for e in read_day(day)]
    outcomes = [e.heading for e in entries]
    assert len(outcomes) == NOTIFY_AFTER + 2
    assert "failed once" in outcomes[0] and "1 min" in outcomes[0]
    assert "failed 5 times in a row" in outcomes[-1] and "16 min" in outcomes[-1]
    assert all("no longer exists" in e.body for e in entries)
    # The waits between the runs doubled: 1, 2, 4, 8 minutes.
    assert clock.at - START == timedelta(minutes=1 + 2 + 4 + 8 + 16)


async def test_a_success_ends_the_back_off(
    tmp_path: Path, api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)  # type: ignore[attr-defined]
    folder = tmp_path / "project"
    store = TaskStore()
    store.add(minutely("t-1", folder, failures=7, last_run=iso(START)))
    folder.mkdir()
    api.script(Reply([text("Done at last.")]))

    result = await run_task(store, "t-1", now=Clock(START + timedelta(hours=1)))

    assert result.status == "ok" and store.get("t-1").failures == 0
    [entry] = read_day((START + timedelta(hours=1)).astimezone().date())
    assert entry.heading.endswith("· ok") and "Done at last." in entry.body


async def test_bad_tasks_are_reported_once_and_the_good_one_runs(
    tmp_path: Path, api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)  # type: ignore[attr-defined]
    good = tmp_path / "good"
    good.mkdir()
    created = iso(datetime.now().astimezone() - timedelta(hours=2))
    tasks = [
        {"id": "t-cron", "name": "bad cron", "prompt": "x", "cron": "61 * * * *",
         "cwd": str(good), "created": created},
        {"id": "t-broken", "name": "no prompt", "cron": "* * * * *", "cwd": str(good)},
        {"id": "t-gone", "name": "gone", "prompt": "x", "cron": "0 * * * *",
         "cwd": str(tmp_path / "nowhere"), "created": created},
        {"id": "t-good", "name": "good", "prompt": "check in", "cron": "0 * * * *",
         "cwd": str(good), "created": created},
    ]  # fmt: skip
    tasks_file().parent.mkdir(parents=True, exist_ok=True)
    tasks_file().write_text(json.dumps({"version": 1, "tasks": tasks}))
    api.script(Reply([text("All quiet.")]))
    store, stop, reports = TaskStore(), asyncio.Event(), []

    def stop_after_the_turn(event: Event) -> None:
        # serve finishes the pass (each run recorded) before it looks at ``stop`` again.
        if event.kind == "turn_finished":
            stop.set()

    await serve(store, stop, report=reports.append, listeners=[stop_after_the_turn])

    assert len(api.requests) == 1
    assert api.requests[0]["messages"][0]["content"][0]["text"] == "check in"
    assert len(reports) == 2
    assert any("t-cron" in r and "invalid cron" in r for r in reports)
    assert any("t-broken" in r and "lacks prompt" in r for r in reports)
    ids = [t["id"] for t in json.loads(tasks_file().read_text())["tasks"]]
    assert sorted(ids) == ["t-broken", "t-cron", "t-gone", "t-good"]  # the bad ones kept
    [gone] = [t for t in store.load_valid()[0] if t.id == "t-gone"]
    assert "no longer exists" in gone.last_summary and gone.failures == 1


async def test_a_task_whose_run_fails_with_a_bug_does_not_keep_the_next_from_running(
    tmp_path: Path,
    api: ScriptedAPI,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)  # type: ignore[attr-defined]
    created = iso(datetime.now().astimezone() - timedelta(hours=2))
    store = TaskStore()
    for task_id in ("t-bug", "t-good"):
        store.add(Task(id=task_id, name=task_id, prompt=f"do {task_id}", cron="0 * * * *",
                       cwd=str(tmp_path), created=created))  # fmt: skip

    async def buggy(store: TaskStore, task_id: str, **options: object) -> object:
        if task_id == "t-bug":  # a bug inside one run, not a refusal the runner foresaw
            raise RuntimeError("unforeseen")
        return await run_task(store, task_id, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(scheduler, "run_task", buggy)
    api.script(Reply([text("Done.")]))

    results = await run_due(store, datetime.now().astimezone())

    assert [r.status for r in results] == ["ok"]
    assert api.requests[0]["messages"][0]["content"][0]["text"] == "do t-good"
    assert any("t-bug failed unexpectedly" in r.getMessage() for r in caplog.records)


def test_tasks_list_shows_the_readable_tasks_and_names_the_broken_one(
    harken, tmp_path: Path
) -> None:
    tasks = [
        {"id": "t-broken", "name": "no prompt", "cron": "* * * * *", "cwd": str(tmp_path)},
        minutely("t-good", tmp_path).to_dict(),
    ]
    tasks_file().parent.mkdir(parents=True, exist_ok=True)
    tasks_file().write_text(json.dumps({"version": 1, "tasks": tasks}))

    result = harken("tasks", "list", "--json")

    assert result.returncode == 0
    assert [row["id"] for row in json.loads(result.stdout)] == ["t-good"]
    assert "t-broken" in result.stderr and "lacks prompt" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr

"""Whatever a stored task holds, the scheduler and ``tasks list`` go on: a cron that never
fires or is not standard cron is refused at add, a hand-edited bad entry is reported and
skipped, a failed daemon service starts again; slots follow the local wall clock."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from agent.events import Event
from agent.tasks.model import Task, TaskError, iso
from agent.tasks.schedule import check_cron, next_run
from agent.tasks.scheduler import nap_seconds, serve
from agent.tasks.store import TaskStore
from desktop import daemon
from tests.scripted_api import Reply, ScriptedAPI, text
from tests.tasks.conftest import tasks_file

NEVER = ["0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *"]
# croniter takes these; standard five-field cron does not (H is refused by croniter too).
EXTENSIONS = ["0 0 L * *", "0 0 * * 1#2", "0 0 ? * *", "R * * * *", "0 5-1 * * *"]


@pytest.fixture
def local_tz(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Lets a test set the process's time zone (``TZ`` plus ``tzset``), restored after."""
    yield
    monkeypatch.undo()
    time.tzset()


def set_tz(monkeypatch: pytest.MonkeyPatch, zone: str) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()


def write_tasks(*tasks: dict) -> None:
    tasks_file().parent.mkdir(parents=True, exist_ok=True)
    tasks_file().write_text(json.dumps({"version": 1, "tasks": list(tasks)}))


def entry(task_id: str, cwd: Path, **fields: object) -> dict:
    created = iso(datetime.now().astimezone() - timedelta(hours=2))
    values = {"id": task_id, "name": task_id, "prompt": f"do {task_id}", "cron": "0 * * * *",
              "cwd": str(cwd), "created": created}  # fmt: skip
    return values | fields


@pytest.mark.parametrize("expr", NEVER)
def test_a_cron_that_never_fires_is_refused(expr: str) -> None:
    with pytest.raises(TaskError, match="never fires"):
        check_cron(expr)
    assert check_cron("0 0 29 2 *") == "0 0 29 2 *"  # leap days come every four years


@pytest.mark.parametrize("expr", EXTENSIONS)
def test_croniter_extensions_are_not_standard_cron(expr: str) -> None:
    with pytest.raises(TaskError, match=r"not standard cron|reversed range"):
        check_cron(expr)
    assert check_cron("*/15 9-17 1,15 jan-jun mon-fri") == "*/15 9-17 1,15 jan-jun mon-fri"


@pytest.mark.e2e
@pytest.mark.parametrize("expr", NEVER[:1] + EXTENSIONS)
def test_tasks_add_refuses_them_in_one_line(harken, expr: str) -> None:
    result = harken("tasks", "add", "x", "--cron", expr)

    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and repr(expr) in result.stderr
    assert not tasks_file().exists()


@pytest.mark.e2e
def test_tasks_list_shows_the_good_task_and_warns_once_per_bad_one(harken, tmp_path: Path) -> None:
    write_tasks(
        entry("t-feb31", tmp_path, cron="0 0 31 2 *"),
        entry("t-range", tmp_path, cron="61 * * * *"),
        entry("t-when", tmp_path, created="yesterday"),
        entry("t-rule", tmp_path, allow=["Bash(((("]),
        entry("t-good", tmp_path),
    )

    for args in (["list"], ["list", "--json"]):
        result = harken("tasks", *args)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        warnings = result.stderr.splitlines()
        assert len(warnings) == 4
        for bad, line in zip(("t-feb31", "t-range", "t-when", "t-rule"), warnings, strict=True):
            assert bad in line and "skipped" in line
    assert [row["id"] for row in json.loads(result.stdout)] == ["t-good"]


async def test_the_scheduler_skips_bad_tasks_and_runs_the_good_one(
    tmp_path: Path, api: ScriptedAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)  # type: ignore[attr-defined]
    write_tasks(
        entry("t-feb30", tmp_path, cron="0 0 30 2 *"),
        entry("t-rule", tmp_path, allow=["Bash(((("]),
        entry("t-good", tmp_path),
    )
    api.script(Reply([text("All quiet.")]))
    stop, reports = asyncio.Event(), []

    def stop_after_the_turn(event: Event) -> None:
        if event.kind == "turn_finished":
            stop.set()

    await serve(TaskStore(), stop, report=reports.append, listeners=[stop_after_the_turn])

    assert [r["messages"][0]["content"][0]["text"] for r in api.requests] == ["do t-good"]
    assert len(reports) == 2
    assert any("t-feb30" in r and "never fires" in r for r in reports)
    assert any("t-rule" in r and "Bash((((" in r for r in reports)


async def test_a_failed_daemon_service_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(daemon, "RESTART_FIRST_S", 0.0)
    host = daemon.DaemonHost()
    starts: list[int] = []

    async def flaky(host: daemon.DaemonHost) -> None:
        starts.append(1)
        if len(starts) == 1:
            raise RuntimeError("a bug in a pass")
        host.stop.set()  # the second start runs; the test is over

    await daemon._guarded("scheduler", flaky, host)

    assert len(starts) == 2


def test_a_slot_is_local_wall_time_across_a_daylight_saving_change(
    local_tz: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_tz(monkeypatch, "Europe/Berlin")
    daily = Task(
        id="t",
        name="t",
        prompt="p",
        cron="0 9 * * *",
        cwd="/",
        created="2026-03-01T08:00:00+01:00",
        last_run="2026-03-28T09:00:05+01:00",
    )

    slot = next_run(daily, datetime(2026, 3, 28, 12, 0, tzinfo=UTC))

    assert slot.astimezone().strftime("%Y-%m-%d %H:%M %z") == "2026-03-29 09:00 +0200"
    assert slot == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


@pytest.mark.e2e
def test_tasks_list_shows_next_runs_in_local_time(harken, tmp_path: Path) -> None:
    write_tasks(entry("t-utc", tmp_path, cron="0 9 * * *", created="2026-11-20T08:00:00+00:00",
                      last_run="2026-11-29T09:00:00+00:00"))  # fmt: skip

    result = harken("tasks", "list", "--json", env={"TZ": "America/New_York"})

    [row] = json.loads(result.stdout)
    assert row["next_run"].endswith("T09:00:00-05:00"), row  # 9:00 on the user's clock
    assert row["last_run"] == "2026-11-29T04:00:00-05:00"


def test_an_idle_scheduler_wakes_at_the_next_minute_boundary() -> None:
    at = datetime(2026, 11, 29, 12, 0, 31, tzinfo=UTC)

    assert nap_seconds(at, None) == 29.0  # a task added now for :01:00 is not late
    assert nap_seconds(at, at + timedelta(seconds=10)) == 10.0
    assert nap_seconds(at, at) == 1.0  # due but its folder busy: no spinning
    assert 0 < nap_seconds(at.replace(second=59, microsecond=999_000), None) <= 0.05


@pytest.mark.e2e
def test_a_newer_tasks_file_is_reported_and_never_rewritten(harken) -> None:
    tasks_file().parent.mkdir(parents=True, exist_ok=True)
    newer = '{"version": 2, "tasks": [], "future": "x"}'
    tasks_file().write_text(newer)

    for args in (["add", "x", "--cron", "0 * * * *"], ["list"], ["list", "--json"]):
        result = harken("tasks", *args)
        assert result.returncode == 1, args
        assert "version 2" in result.stderr and "Traceback" not in result.stderr
    assert tasks_file().read_text() == newer


@pytest.mark.e2e
@pytest.mark.parametrize("option", [["--budget-usd", "nan"], ["--budget-usd", "inf"],
                                    ["--every", "nan"], ["--every", "inf"]])  # fmt: skip
def test_proactive_mode_refuses_numbers_that_are_not_finite(
    harken, tmp_path: Path, option: list[str]
) -> None:
    result = harken("tasks", "proactive", "on", "--cwd", str(tmp_path), *option)

    assert result.returncode == 2, result.stderr
    assert "finite" in result.stderr
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "harken" / "proactive.json").exists()

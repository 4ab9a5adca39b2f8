"""What a run leaves behind shows what happened: the journal names the tools run and the
calls refused; ``tasks list`` shows the last run and an overdue task as due now; secrets
an API error quoted are masked in the journal and tasks.json; a name stays on one line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from agent.journal import read_day
from tests.scripted_api import Failure, Reply, ScriptedAPI, text, tool_use
from tests.tasks.conftest import tasks_file
from tests.tasks.test_bad_schedules import entry, write_tasks

pytestmark = pytest.mark.e2e

KEY = "sk-ant-api03-" + "Zq7" * 20


def test_the_journal_names_the_tools_run_and_the_refused_write(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    (workspace / "NOTES.md").write_text("notes\n")
    task_id = harken(
        "tasks", "add", "tidy up", "--cron", "0 3 * * *", "--mode", "plan", "--name", "tidy"
    ).stdout.strip()
    api.script(
        Reply([tool_use("Read", {"file_path": "NOTES.md"})]),
        Reply([tool_use("Write", {"file_path": "out.txt", "content": "x"})]),
        Reply([text("Read the notes.")]),
    )

    result = harken("tasks", "run", task_id)

    assert result.returncode == 0, result.stderr
    [written] = read_day(datetime.now().astimezone().date())
    assert "- Tools run: Read\n" in written.body
    assert "- Refused or not run:\n  > Writing out.txt: Permission denied: plan" in written.body
    assert "- Outcome: ok (1 call refused or not run)" in written.body
    [row] = json.loads(harken("tasks", "list", "--json").stdout)
    assert row["last_status"] == "ok"  # the run itself went fine


def test_the_list_shows_the_last_run_and_an_overdue_task_as_due_now(
    harken, workspace: Path
) -> None:
    last = datetime.now().astimezone() - timedelta(hours=3)
    write_tasks(entry("t-late", workspace, last_run=last.isoformat(timespec="seconds"),
                      last_status="ok"))  # fmt: skip

    result = harken("tasks", "list")

    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert "LAST RUN" in header
    assert "now (overdue)" in row
    assert last.strftime("%Y-%m-%d %H:%M") in row


def test_a_key_in_an_api_error_is_masked_in_the_journal_and_the_tasks_file(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    task_id = harken("tasks", "add", "x", "--cron", "0 3 * * *").stdout.strip()
    api.script(Failure(400, f"this key is not valid here: {KEY}"))

    result = harken("tasks", "run", task_id)

    assert result.returncode == 1
    [written] = read_day(datetime.now().astimezone().date())
    assert "sk-ant-api0…[redacted]" in written.body  # the error is there, its key masked
    assert KEY not in written.body
    assert KEY not in tasks_file().read_text()
    [stored] = json.loads(tasks_file().read_text())["tasks"]
    assert "sk-ant-api0…[redacted]" in stored["last_summary"]


def test_a_name_with_a_newline_stays_on_one_line(harken, workspace: Path) -> None:
    added = harken("tasks", "add", "x", "--cron", "0 3 * * *", "--name", "two\nlines\there")
    assert added.returncode == 0, added.stderr

    table = harken("tasks", "list").stdout.splitlines()

    assert len(table) == 2 and table[1].endswith("two lines here")
    [row] = json.loads(harken("tasks", "list", "--json").stdout)
    assert row["name"] == "two lines here"

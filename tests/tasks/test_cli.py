"""``harken tasks add|list|remove|run`` run as a user runs them, against the scripted API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.scripted_api import Reply, ScriptedAPI, text, tool_use
from tests.tasks.conftest import tasks_file, tool_result_texts

pytestmark = pytest.mark.e2e

LIST_FIELDS = {"id", "name", "cron", "cwd", "mode", "next_run", "last_run", "last_status"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A task's folder, not the folder ``harken`` is started in."""
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


def listed(harken) -> list[dict]:
    result = harken("tasks", "list", "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_add_list_remove_round_trip(harken, project: Path) -> None:
    added = harken(
        "tasks", "add", "summarise the repo", "--cron", "0 9 * * 1-5",
        "--cwd", str(project), "--mode", "plan", "--name", "morning",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    task_id = added.stdout.strip()
    assert task_id and "\n" not in task_id

    [row] = listed(harken)
    assert set(row) == LIST_FIELDS
    assert row["id"] == task_id and row["name"] == "morning"
    assert row["cron"] == "0 9 * * 1-5" and row["mode"] == "plan"
    assert Path(row["cwd"]) == project.resolve()
    assert row["last_run"] is None and row["last_status"] is None
    assert row["next_run"].endswith(":09:00:00") is False  # ISO date-time, not a bare time
    assert "T09:00:00" in row["next_run"]

    removed = harken("tasks", "remove", task_id)
    assert removed.returncode == 0, removed.stderr
    assert listed(harken) == []
    again = harken("tasks", "remove", task_id)
    assert again.returncode == 1 and task_id in again.stderr


@pytest.mark.parametrize("cron", ["61 * * * *", "0 9 * *", "every day", "0 0 9 * * 1"])
def test_an_invalid_cron_expression_is_refused_in_one_line(harken, cron: str) -> None:
    result = harken("tasks", "add", "hello", "--cron", cron)

    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "cron" in result.stderr
    assert "Traceback" not in result.stderr
    assert listed(harken) == []


def test_a_plan_task_runs_in_its_folder_and_a_write_is_refused(
    api: ScriptedAPI, harken, project: Path, workspace: Path
) -> None:
    (project / "NOTES.md").write_text("the project notes\n")
    task_id = harken(
        "tasks", "add", "tidy up", "--cron", "0 3 * * *", "--cwd", str(project), "--mode", "plan"
    ).stdout.strip()
    api.script(
        Reply([tool_use("Read", {"file_path": "NOTES.md"})]),
        Reply([tool_use("Write", {"file_path": "out.txt", "content": "x"})]),
        Reply([text("Read the notes; could not write.")]),
    )
    result = harken("tasks", "run", task_id)

    assert result.returncode == 0, result.stderr
    assert "Read the notes; could not write." in result.stdout
    assert "the project notes" in tool_result_texts(api, 1)[0]  # read in its own folder
    assert not (project / "out.txt").exists() and not (workspace / "out.txt").exists()
    [refusal] = tool_result_texts(api, 2)
    assert "plan" in refusal.lower()
    [row] = listed(harken)
    assert row["last_status"] == "ok" and row["last_run"]


def test_an_allow_rule_lets_a_command_run_and_an_unanswered_question_is_refused(
    api: ScriptedAPI, harken, project: Path
) -> None:
    task_id = harken(
        "tasks", "add", "make files", "--cron", "*/5 * * * *", "--cwd", str(project),
        "--allow", "Bash(touch made.txt)",
    ).stdout.strip()  # fmt: skip
    api.script(
        Reply([tool_use("Bash", {"command": "touch made.txt"})]),
        Reply([tool_use("Bash", {"command": "touch other.txt"})]),
        Reply([text("Made one file.")]),
    )
    result = harken("tasks", "run", task_id)

    assert result.returncode == 0, result.stderr
    assert (project / "made.txt").exists()
    assert not (project / "other.txt").exists()  # no rule and nobody there to allow it
    [refusal] = tool_result_texts(api, 2)
    assert "unattended" in refusal
    [row] = listed(harken)
    assert row["last_status"] == "ok"


def test_a_failed_run_is_recorded(api: ScriptedAPI, harken, project: Path) -> None:
    task_id = harken("tasks", "add", "x", "--cron", "0 * * * *", "--cwd", str(project)).stdout
    project.rmdir()
    result = harken("tasks", "run", task_id.strip())

    assert result.returncode == 1
    assert "no longer exists" in result.stderr and "Traceback" not in result.stderr
    [row] = listed(harken)
    assert row["last_status"] == "error" and row["last_run"]
    assert api.requests == []


def test_a_corrupt_tasks_file_is_reported_and_left_alone(harken) -> None:
    path = tasks_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"version": 1, "tasks": [{"id": "t-1"')

    for args in (["list"], ["list", "--json"], ["add", "x", "--cron", "0 * * * *"]):
        result = harken("tasks", *args)
        assert result.returncode == 1, args
        assert str(path) in result.stderr and "corrupt" in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert path.read_text() == '{"version": 1, "tasks": [{"id": "t-1"'

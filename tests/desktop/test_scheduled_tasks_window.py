"""The scheduled-tasks window, with the real ``harken tasks`` command beside it: a task
added in the window is in ``harken tasks list --json``, one added from the shell shows in
the window on refresh, and an invalid schedule is refused with a clear error."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop.windows.scheduled_tasks import ScheduledTasksWindow
from tests.e2e.conftest import harken_command


def harken(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real ``harken`` in this test's isolated folders (the env the fixture set)."""
    return subprocess.run(
        [*harken_command(), *args],
        cwd=cwd,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def listed(cwd: Path) -> list[dict[str, Any]]:
    result = harken("tasks", "list", "--json", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def window(qtbot: Any, project: Path) -> ScheduledTasksWindow:
    ran: list[str] = []
    made = ScheduledTasksWindow(
        run_now=ran.append,
        folder=project,
        who_runs=lambda: "Harken runs these tasks when they are due.",
        confirm_remove=lambda _parent, _name: True,
    )
    made.ran = ran  # type: ignore[attr-defined]
    qtbot.addWidget(made)
    made.show()
    return made


def fill(qtbot: Any, window: ScheduledTasksWindow, prompt: str, cron: str) -> None:
    qtbot.keyClicks(window.prompt, prompt)
    qtbot.keyClicks(window.cron, cron)


def test_a_task_added_in_the_window_is_listed_by_the_cli(
    qtbot: Any, window: ScheduledTasksWindow, project: Path
) -> None:
    fill(qtbot, window, "summarise what changed in the repo overnight", "0 9 * * 1-5")
    assert window.cron_reading.text() == "Every weekday at 9:00"  # read as it is typed
    window.mode.setCurrentText("plan")
    qtbot.mouseClick(window.add_button, Qt.MouseButton.LeftButton)

    [row] = listed(project)
    assert row["cron"] == "0 9 * * 1-5" and row["mode"] == "plan"
    assert Path(row["cwd"]) == project.resolve()
    assert row["name"].startswith("summarise what changed")  # the prompt's first words
    assert "T09:00:00" in row["next_run"] and row["last_run"] is None
    [shown] = window.rows()
    assert shown.task_id == row["id"]
    assert shown.schedule == "0 9 * * 1-5 · Every weekday at 9:00"
    assert shown.mode == "plan" and shown.last_run == "never"
    assert window.prompt.toPlainText() == ""  # ready for the next one


@pytest.mark.parametrize(
    ("cron", "said"),
    [("61 * * * *", "out of range"), ("0 9 * *", "expected five fields"), ("daily", "five")],
)
def test_an_invalid_schedule_shows_an_error_and_saves_nothing(
    qtbot: Any, window: ScheduledTasksWindow, project: Path, cron: str, said: str
) -> None:
    fill(qtbot, window, "check the build", cron)

    assert said in window.cron_reading.text()
    assert window.cron_reading.property("error") is True
    assert not window.add_button.isEnabled()
    assert window.add() is None  # even if Add were pressed another way
    assert said in window.form_error.text()
    assert listed(project) == []
    assert window.rows() == []


def test_fixing_the_schedule_turns_add_on(qtbot: Any, window: ScheduledTasksWindow) -> None:
    fill(qtbot, window, "check the build", "*/15 * * *")
    assert not window.add_button.isEnabled()
    qtbot.keyClicks(window.cron, " *")
    assert window.add_button.isEnabled()
    assert window.cron_reading.text() == "Every 15 minutes"
    assert window.cron_reading.property("error") is False


def test_a_missing_folder_is_refused_in_words(
    qtbot: Any, window: ScheduledTasksWindow, project: Path
) -> None:
    fill(qtbot, window, "check the build", "0 9 * * *")
    window.folder.setText(str(project / "gone"))
    qtbot.mouseClick(window.add_button, Qt.MouseButton.LeftButton)

    assert "is not a folder" in window.form_error.text()
    assert listed(project) == []


def test_a_task_added_from_the_shell_shows_on_refresh_and_can_be_run_and_removed(
    qtbot: Any, window: ScheduledTasksWindow, project: Path
) -> None:
    added = harken(
        "tasks", "add", "tidy the downloads", "--cron", "30 18 * * *", "--name", "tidy",
        cwd=project,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    task_id = added.stdout.strip()
    assert window.rows() == []  # read when shown, before the shell added it

    qtbot.mouseClick(window.refresh_button, Qt.MouseButton.LeftButton)
    [row] = window.rows()
    assert (row.task_id, row.name) == (task_id, "tidy")
    assert row.schedule == "30 18 * * * · Every day at 18:30"
    assert row.next_run.endswith("18:30")
    assert window.status.text() == "Harken runs these tasks when they are due."

    assert not window.run_button.isEnabled()  # nothing chosen yet
    window.select(task_id)
    qtbot.mouseClick(window.run_button, Qt.MouseButton.LeftButton)
    assert window.ran == [task_id]  # type: ignore[attr-defined]

    qtbot.mouseClick(window.remove_button, Qt.MouseButton.LeftButton)
    assert window.rows() == []
    assert listed(project) == []


def test_a_corrupt_tasks_file_is_said_not_hidden(
    qtbot: Any, window: ScheduledTasksWindow, isolated_env: Path
) -> None:
    tasks = isolated_env / "xdg_data_home" / "harken" / "tasks.json"
    tasks.parent.mkdir(parents=True, exist_ok=True)
    tasks.write_text("{not json")
    window.refresh()

    assert window.problem.isVisible() and "corrupt" in window.problem.text()
    assert tasks.read_text() == "{not json"  # left for the user to repair


def test_a_task_that_cannot_be_read_is_named_and_the_others_listed(
    qtbot: Any, window: ScheduledTasksWindow, project: Path, isolated_env: Path
) -> None:
    assert harken("tasks", "add", "good one", "--cron", "0 9 * * *", cwd=project).returncode == 0
    tasks = isolated_env / "xdg_data_home" / "harken" / "tasks.json"
    data = json.loads(tasks.read_text())
    data["tasks"].append({"id": "t-broken", "prompt": "p", "cron": "0 9 * * *"})  # no cwd
    tasks.write_text(json.dumps(data))
    window.refresh()

    assert [row.name for row in window.rows()] == ["good one"]
    assert window.problem.isVisible() and "t-broken" in window.problem.text()

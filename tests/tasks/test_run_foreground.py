"""``harken tasks run ID`` with someone at the terminal: it says when it waits for a busy
folder and Ctrl-C ends the wait; on a terminal it asks, ``--yes`` allows; without one the
refusal the model gets is whole and plain; a task whose rules cannot be read never runs."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from agent.tasks.locks import workspace_lock
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use
from tests.tasks.conftest import harken_command, tool_result_texts
from tests.tasks.test_bad_schedules import entry, write_tasks

pytestmark = pytest.mark.e2e


def add_task(harken, folder: Path, *extra: str) -> str:
    added = harken("tasks", "add", "make a file", "--cron", "0 3 * * *", "--cwd", str(folder),
                   *extra)  # fmt: skip
    assert added.returncode == 0, added.stderr
    return added.stdout.strip()


def script_a_write(api: ScriptedAPI) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "made.txt", "content": "x\n"})]),
        Reply([text("Done.")]),
    )


def start(api: ScriptedAPI, folder: Path, *args: str, **options) -> subprocess.Popen:
    return subprocess.Popen(
        [*harken_command(), *args],
        cwd=folder,
        env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url},  # type: ignore[attr-defined]
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def test_waiting_for_a_busy_folder_is_said_and_ctrl_c_ends_it(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    task_id = add_task(harken, workspace)
    with workspace_lock(workspace):  # another task runs in this folder
        run = start(api, workspace, "tasks", "run", task_id, stdin=subprocess.DEVNULL)
        seen = threading.Event()
        lines: list[str] = []

        def read() -> None:
            for line in run.stderr:  # type: ignore[union-attr]
                lines.append(line)
                if "waiting for the task running in" in line:
                    seen.set()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            assert seen.wait(60), f"no waiting line: {lines}"
            run.send_signal(signal.SIGINT)
            assert run.wait(timeout=60) == 130  # while the lock is still held
        finally:
            if run.poll() is None:
                run.kill()
        reader.join(60)
    assert str(workspace) in "".join(lines) and "Traceback" not in "".join(lines)
    assert api.requests == []


def test_yes_allows_every_question(api: ScriptedAPI, harken, workspace: Path) -> None:
    task_id = add_task(harken, workspace)
    script_a_write(api)

    result = harken("tasks", "run", task_id, "--yes")

    assert result.returncode == 0, result.stderr
    assert (workspace / "made.txt").read_text() == "x\n"


def test_on_a_terminal_the_question_is_asked(api: ScriptedAPI, harken, workspace: Path) -> None:
    task_id = add_task(harken, workspace)
    script_a_write(api)
    controller, terminal = pty.openpty()
    try:
        os.write(controller, b"y\n")  # the user's answer, waiting in the terminal
        run = start(api, workspace, "tasks", "run", task_id, stdin=terminal)
        _out, err = run.communicate(timeout=60)
    finally:
        os.close(terminal)
        os.close(controller)

    assert run.returncode == 0, err
    assert "Allow Write" in err
    assert (workspace / "made.txt").exists()


def test_without_a_terminal_the_refusal_reads_whole(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    task_id = add_task(harken, workspace)
    script_a_write(api)

    result = harken("tasks", "run", task_id)

    assert result.returncode == 0, result.stderr
    [refusal] = tool_result_texts(api, 1)
    assert refusal.endswith("runs unattended; an --allow rule on it would let this run.")
    assert "refused: scheduled task" not in refusal
    # The terminal shows the refusal's first 200 characters: all of it.
    assert "would let this run." in result.stdout + result.stderr
    assert not (workspace / "made.txt").exists()


def test_a_task_whose_allow_rule_cannot_be_read_does_not_run(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    write_tasks(entry("t-rule", workspace, allow=["Bash(((("]))

    result = harken("tasks", "run", "t-rule")

    assert result.returncode == 1
    assert "t-rule" in result.stderr and "Bash((((" in result.stderr
    assert "Traceback" not in result.stderr
    assert api.requests == []

"""Each task run leaves a journal entry: asked, done, files touched, outcome, cost."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from agent.journal import read_day
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e


def test_a_task_run_is_journaled(api: ScriptedAPI, harken, workspace: Path) -> None:
    task_id = harken(
        "tasks", "add", "write the status file", "--cron", "0 9 * * *", "--name", "status",
        "--allow", "Write(status.md)",
    ).stdout.strip()  # fmt: skip
    api.script(
        Reply([tool_use("Write", {"file_path": "status.md", "content": "all green\n"})]),
        Reply([text("Wrote status.md.\nEverything is green.\n\nNothing else to do.")]),
    )

    result = harken("tasks", "run", task_id)

    assert result.returncode == 0, result.stderr
    [entry] = read_day(datetime.now().astimezone().date())
    assert entry.complete
    assert entry.heading == f"Task status ({task_id}) · ok"
    assert "- Asked: write the status file" in entry.body
    assert f"- Folder: `{workspace.resolve()}`" in entry.body
    assert "  > Wrote status.md.\n  > Everything is green.\n  > Nothing else to do." in entry.body
    assert "- Files touched: `status.md`" in entry.body
    assert "(200 input, 40 output tokens)" in entry.body  # two scripted requests
    printed = harken("journal")
    assert "Everything is green." in printed.stdout

"""``harken daemon`` runs a due task headless, refuses to start twice, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.scripted_api import Reply, ScriptedAPI, text
from tests.tasks.conftest import harken_command, tasks_file

pytestmark = pytest.mark.e2e


def wait_for(condition, what: str, timeout: float = 60) -> None:
    """Poll ``condition`` until true; the deadline only catches a hang."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} never happened")
        time.sleep(0.05)


def stored() -> list[dict]:
    try:
        return json.loads(tasks_file().read_text())["tasks"]
    except (FileNotFoundError, ValueError):
        return []


def test_the_daemon_runs_a_missed_task_once_and_stops_on_sigterm(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    created = (datetime.now().astimezone() - timedelta(hours=3)).isoformat(timespec="seconds")
    task = {"id": "t-hourly", "name": "hourly", "prompt": "check in", "cron": "0 * * * *",
            "cwd": str(workspace), "mode": "plan", "created": created}  # fmt: skip
    tasks_file().parent.mkdir(parents=True, exist_ok=True)
    tasks_file().write_text(json.dumps({"version": 1, "tasks": [task]}))
    api.script(Reply([text("All quiet.")]))

    daemon = subprocess.Popen(
        [*harken_command(), "daemon"],
        cwd=workspace,
        env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url},  # type: ignore[attr-defined]
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: stored() and stored()[0].get("last_status") == "ok", "the run")
        second = harken("daemon")
        assert second.returncode == 1
        assert "another Harken scheduler" in second.stderr
    finally:
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=60)

    assert daemon.returncode == 0, err
    assert "Traceback" not in err
    assert len(api.requests) == 1  # three missed hourly slots, one run
    assert api.requests[0]["messages"][0]["content"][0]["text"] == "check in"
    [row] = json.loads(harken("tasks", "list", "--json").stdout)
    assert row["last_status"] == "ok" and row["last_run"] > created

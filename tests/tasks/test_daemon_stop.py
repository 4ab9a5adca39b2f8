"""SIGTERM while ``harken daemon`` runs a task mid-turn: the daemon exits cleanly, the
session is saved valid and resumable, the journal and the log say what happened."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from agent import paths, transcript
from agent.journal import read_day
from tests.conftest import TEST_KEY
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use
from tests.tasks.conftest import harken_command, tasks_file
from tests.tasks.test_daemon import wait_for

pytestmark = pytest.mark.e2e


def write_task(workspace: Path) -> None:
    created = (datetime.now().astimezone() - timedelta(hours=3)).isoformat(timespec="seconds")
    task = {"id": "t-notes", "name": "notes", "prompt": "read the notes", "cron": "0 * * * *",
            "cwd": str(workspace), "mode": "plan", "created": created}  # fmt: skip
    tasks_file().parent.mkdir(parents=True, exist_ok=True)
    tasks_file().write_text(json.dumps({"version": 1, "tasks": [task]}))


def test_sigterm_mid_turn_saves_a_resumable_session(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    (workspace / "NOTES.md").write_text("the notes say hello\n")
    write_task(workspace)
    api.script(
        Reply([tool_use("Read", {"file_path": "NOTES.md"})]),
        Reply([text("The notes say hello, and I am still writing this answer")], pause_after=5),
    )
    daemon = subprocess.Popen(
        [*harken_command(), "--debug", "daemon"],
        cwd=workspace,
        env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url},  # type: ignore[attr-defined]
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert api.paused.wait(timeout=60), "the task never reached its second request"
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=60)
    finally:
        api.release()
        if daemon.poll() is None:
            daemon.kill()
            daemon.communicate()

    assert daemon.returncode == 0, err
    assert "Traceback" not in err
    [row] = json.loads(tasks_file().read_text())["tasks"]
    assert row["last_status"] == "interrupted" and row["last_session"]

    saved = transcript.load(paths.sessions_dir() / f"{row['last_session']}.jsonl")
    assert saved.warnings == []
    assert saved.prompts == ["read the notes"]
    assert any(
        b.get("type") == "tool_result" for m in saved.messages for b in m["content"]
    )  # the Read that finished keeps its result

    api.script(Reply([text("Picking up where I stopped.")]))
    resumed = harken("ask", "--resume", row["last_session"], "go on")

    assert resumed.returncode == 0, resumed.stderr
    assert "Picking up where I stopped." in resumed.stdout
    assert api.rejections == []  # the saved conversation is one the API accepts
    assert "the notes say hello" in "\n".join(tool_result_texts_all(api.requests[-1]))

    [entry] = read_day(datetime.now().astimezone().date())
    assert entry.heading == "Task notes (t-notes) · interrupted"

    log = (Path(os.environ["XDG_STATE_HOME"]) / "harken" / "log" / "daemon.log").read_text()
    assert "daemon started" in log and "SIGTERM: stopping" in log
    assert TEST_KEY not in log and TEST_KEY not in err  # --debug logs requests, not the key


def tool_result_texts_all(request: dict) -> list[str]:
    """Every tool_result text anywhere in ``request``'s messages."""
    texts = []
    for message in request["messages"]:
        for block in message["content"] if isinstance(message["content"], list) else []:
            if block.get("type") == "tool_result":
                content = block["content"]
                texts.append(
                    content if isinstance(content, str) else " ".join(b["text"] for b in content)
                )
    return texts


def test_a_task_run_by_the_daemon_is_logged(api: ScriptedAPI, harken, workspace: Path) -> None:
    write_task(workspace)
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
    log_path = Path(os.environ["XDG_STATE_HOME"]) / "harken" / "log" / "daemon.log"
    try:
        wait_for(lambda: log_path.exists() and "ran t-notes" in log_path.read_text(), "the run")
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.communicate(timeout=60)

    assert "ran t-notes (notes): ok All quiet." in log_path.read_text()
    [entry] = read_day(datetime.now().astimezone().date())
    assert "All quiet." in entry.body

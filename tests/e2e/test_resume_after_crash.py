"""`harken ask` killed with SIGKILL mid-turn, then `--resume latest`: what the model is told
about the tool calls the killed turn left without a result.

A call that had started may have done its work (the marker file proves it did), so the model
must hear that its outcome is unknown; a call that never started did not run."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.background import kill, wait_for_stderr, wait_until
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

APPEND_THEN_WAIT = "echo ran >> marker.txt; sleep 20"


def tool_results(request: dict[str, Any]) -> dict[str, str]:
    """tool_use id -> text of the tool_results in the request's messages."""
    out = {}
    for message in request["messages"]:
        if message["role"] != "user" or isinstance(message["content"], str):
            continue
        for block in message["content"]:
            if block["type"] == "tool_result":
                body = block["content"]
                if not isinstance(body, str):
                    body = "".join(part.get("text", "") for part in body)
                assert block.get("is_error") is True
                out[block["tool_use_id"]] = body
    return out


def resume(harken) -> subprocess.CompletedProcess[str]:
    result = harken("ask", "go on", "--resume", "latest")
    assert result.returncode == 0, result.stderr
    return result


def test_a_call_killed_while_it_ran_is_reported_as_of_unknown_outcome(
    api: ScriptedAPI, start, harken, workspace: Path
) -> None:
    marker = workspace / "marker.txt"
    api.script(Reply([tool_use("Bash", {"command": APPEND_THEN_WAIT}, id="toolu_ran")]))
    process = start("ask", "append to the marker", "--yes")
    wait_until(lambda: marker.exists() and marker.read_text() == "ran\n", process)
    kill(process)

    api.script(Reply([text("I will check marker.txt before doing anything again.")]))
    resume(harken)

    said = tool_results(api.requests[-1])["toolu_ran"]
    assert "outcome is unknown" in said and "may have run" in said
    assert "did not run" not in said
    assert marker.read_text() == "ran\n"


def test_a_call_killed_while_its_permission_question_was_open_did_not_run(
    api: ScriptedAPI, start, harken, workspace: Path
) -> None:
    api.script(Reply([tool_use("Bash", {"command": APPEND_THEN_WAIT}, id="toolu_asked")]))
    primary, secondary = os.openpty()  # a terminal: Harken asks there and waits
    try:
        process = start("ask", "append to the marker", stdin=secondary)
        wait_for_stderr(process, b"? Allow Bash")
        kill(process)
    finally:
        os.close(secondary)
        os.close(primary)

    api.script(Reply([text("Running it now.")]))
    resume(harken)

    said = tool_results(api.requests[-1])["toolu_asked"]
    assert "did not run" in said
    assert "Interrupted by the user" not in said  # nobody interrupted it: Harken was killed
    assert not (workspace / "marker.txt").exists()


def test_of_two_calls_the_running_one_is_unknown_and_the_waiting_one_did_not_run(
    api: ScriptedAPI, start, harken, workspace: Path
) -> None:
    marker = workspace / "marker.txt"
    api.script(
        Reply(
            [
                tool_use("Bash", {"command": APPEND_THEN_WAIT}, id="toolu_first"),
                tool_use("Write", {"file_path": "second.txt", "content": "2\n"}, id="toolu_next"),
            ]
        )
    )
    process = start("ask", "two steps", "--yes")
    wait_until(lambda: marker.exists() and marker.read_text() == "ran\n", process)
    kill(process)

    api.script(Reply([text("Checking.")]))
    resume(harken)

    said = tool_results(api.requests[-1])
    assert "outcome is unknown" in said["toolu_first"]
    assert "did not run" in said["toolu_next"]
    assert "Interrupted by the user" not in said["toolu_next"]
    assert not (workspace / "second.txt").exists()

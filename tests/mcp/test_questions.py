"""How `harken ask` asks about an MCP tool call: on a terminal the question shows the
call's arguments; with no terminal the refusal says nobody was asked (to the model and on
stderr) and names the narrow rule that would allow the call."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import start_harken
from tests.mcp.conftest import time_entry, user_servers
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

PARIS = {"timezone": "Europe/Paris"}


def result_of(request: dict[str, Any]) -> dict[str, Any]:
    [block] = [
        b
        for b in request["messages"][-1]["content"]
        if isinstance(b, dict) and b.get("type") == "tool_result"
    ]
    return block


def test_the_terminal_question_shows_the_calls_arguments(api: ScriptedAPI, workspace: Path) -> None:
    user_servers({"time": time_entry()})
    api.script(
        Reply([tool_use("mcp__time__get_current_time", PARIS)]),
        Reply([text("Not asked then.")]),
    )
    primary, secondary = os.openpty()  # stdin is a terminal: Harken asks y/n there
    process = start_harken(
        api,
        workspace,
        "ask",
        "time in Paris?",
        stdin=secondary,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(secondary)
    os.write(primary, b"n\n")
    _stdout, stderr = process.communicate(timeout=60)
    os.close(primary)

    assert process.returncode == 0, stderr
    question = stderr[stderr.index("? Allow mcp__time__get_current_time") :].splitlines()
    assert '{"timezone": "Europe/Paris"}' in question[0]
    # The reason line says something the first line did not: which rule would allow it.
    reason = question[1][: question[1].index("[y/N]")]
    assert "mcp__time__get_current_time" not in reason.replace(
        "--allow mcp__time__get_current_time", ""
    )
    assert "--allow mcp__time__get_current_time" in reason
    said = result_of(api.requests[1])["content"]
    assert "denied permission" in said and "said no" not in said  # the user's no, once


def test_without_a_terminal_nobody_was_asked_and_the_narrow_rule_is_named(
    api: ScriptedAPI, harken
) -> None:
    user_servers({"time": time_entry()})
    api.script(
        Reply([tool_use("mcp__time__get_current_time", PARIS)]),
        Reply([text("I could not check the time.")]),
    )

    result = harken("ask", "time in Paris?")

    assert result.returncode == 0, result.stderr
    told = result_of(api.requests[1])
    assert told.get("is_error")
    assert "denied" not in told["content"] and "nobody was there to ask" in told["content"]
    assert "--allow mcp__time__get_current_time" in told["content"]
    assert "--allow mcp__time__get_current_time" in result.stderr
    assert "not confirmed" not in result.stderr and "denied" not in result.stderr

"""`harken ask` with MCP servers, as a user runs it against the scripted Messages API: the
published mcp-server-time end to end, a crash mid-call, an untrusted project .mcp.json,
and no cost at all when nothing is configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.mcp.conftest import (
    project_servers,
    time_entry,
    toolbox_entry,
    user_servers,
)
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

PARIS = {"timezone": "Europe/Paris"}


def results(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of the last message of a request."""
    content = request["messages"][-1]["content"]
    return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]


def offered(request: dict[str, Any]) -> set[str]:
    return {tool["name"] for tool in request["tools"]}


def test_the_time_server_answers_through_harken_ask(api: ScriptedAPI, harken) -> None:
    user_servers({"time": time_entry()})
    api.script(
        Reply([tool_use("mcp__time__get_current_time", PARIS)]),
        Reply([text("It is evening in Paris.")]),
    )

    result = harken("ask", "what time is it in Paris?", "--allow", "mcp__time")

    assert result.returncode == 0, result.stderr
    assert "It is evening in Paris." in result.stdout
    first = api.requests[0]
    assert {"mcp__time__get_current_time", "mcp__time__convert_time"} <= offered(first)
    schema = next(t for t in first["tools"] if t["name"] == "mcp__time__get_current_time")
    assert schema["input_schema"]["required"] == ["timezone"]
    [answer] = results(api.requests[1])
    assert not answer.get("is_error")
    assert json.loads(answer["content"])["timezone"] == "Europe/Paris"


def test_read_only_hint_lets_it_through_in_auto_mode_only(api: ScriptedAPI, harken) -> None:
    user_servers({"time": time_entry()})
    for _ in range(2):
        api.script(Reply([tool_use("mcp__time__get_current_time", PARIS)]), Reply([text("ok")]))

    standard = harken("ask", "time?", "--mode", "standard")
    auto = harken("ask", "time?", "--mode", "auto")

    assert standard.returncode == 0 and auto.returncode == 0, standard.stderr + auto.stderr
    [asked] = results(api.requests[1])
    assert asked.get("is_error") and "nobody was there to ask" in asked["content"]
    [allowed] = results(api.requests[3])
    assert not allowed.get("is_error") and "Europe/Paris" in allowed["content"]


def test_an_open_world_tool_is_asked_about_even_read_only_in_auto_and_in_bypass(
    api: ScriptedAPI, harken, workspace: Path, tmp_path: Path
) -> None:
    sent = tmp_path / "query-sent"
    user_servers({"box": toolbox_entry(env={"QUERY_FILE": str(sent)})})
    search = tool_use("mcp__box__search", {"query": "API_KEY=sk-live-123"})
    local = tool_use("mcp__box__echo", {"text": "hi"})
    for mode in ("auto", "bypass"):
        api.script(Reply([search, local]), Reply([text("ok")]))
        result = harken("ask", "search", "--mode", mode)
        assert result.returncode == 0, result.stderr
        asked, echoed = results(api.requests[-1])
        assert asked.get("is_error") and "nobody was there to ask" in asked["content"]
        assert not echoed.get("is_error") and echoed["content"] == "echo: hi"
        assert not sent.exists()  # the query never left

    # Bypass: a tool without hints is asked; one its server marks closed-world runs.
    api.script(
        Reply([tool_use("mcp__box__touch", {"name": "open.txt"})]),
        Reply([tool_use("mcp__box__touch_here", {"name": "local.txt"})]),
        Reply([text("ok")]),
    )
    result = harken("ask", "touch", "--mode", "bypass")
    assert result.returncode == 0, result.stderr
    [asked] = results(api.requests[-2])
    assert asked.get("is_error") and "nobody was there to ask" in asked["content"]
    [ran] = results(api.requests[-1])
    assert ran["content"] == "created local.txt"

    # A rule naming the tool lets it through.
    api.script(Reply([search]), Reply([text("ok")]))
    allowed = harken("ask", "search", "--mode", "bypass", "--allow", "mcp__box__search")
    assert allowed.returncode == 0, allowed.stderr
    assert sent.read_text() == "API_KEY=sk-live-123"


def test_a_deny_rule_blocks_the_server(api: ScriptedAPI, harken) -> None:
    user_servers({"time": time_entry()})
    api.script(Reply([tool_use("mcp__time__get_current_time", PARIS)]), Reply([text("ok")]))

    result = harken("ask", "time?", "--mode", "bypass", "--deny", "mcp__time")

    assert result.returncode == 0, result.stderr
    [denied] = results(api.requests[1])
    assert denied.get("is_error") and "denied by the rule mcp__time" in denied["content"]


def test_a_crash_mid_call_ends_in_an_error_and_the_next_call_restarts_it(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    user_servers({"box": toolbox_entry()})
    api.script(
        Reply([tool_use("mcp__box__crash", {})]),
        Reply([tool_use("mcp__box__touch", {"name": "after-restart.txt"})]),
        Reply([text("Recovered.")]),
    )

    result = harken("ask", "crash it, then touch a file", "--allow", "mcp__box")

    assert result.returncode == 0, result.stderr
    assert "Recovered." in result.stdout
    [crashed] = results(api.requests[1])
    assert crashed.get("is_error")
    assert "MCP server 'box' stopped while running crash" in crashed["content"]
    said = [line for line in result.stderr.splitlines() if line.startswith("harken:")]
    assert said == [
        "harken: note: MCP server 'box' stopped while running crash (the program exited)"
    ]
    [touched] = results(api.requests[2])
    assert touched["content"] == "created after-restart.txt"
    assert (workspace / "after-restart.txt").exists()


def test_an_untrusted_project_server_never_starts(
    api: ScriptedAPI, harken, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "server-ran"
    project_servers(workspace, {"box": toolbox_entry(env={"MARKER_FILE": str(marker)})})
    api.script(Reply([text("hello")]))

    result = harken("ask", "hi")

    assert result.returncode == 0, result.stderr
    assert not marker.exists()
    assert not any(name.startswith("mcp__") for name in offered(api.requests[0]))
    [note] = [line for line in result.stderr.splitlines() if ".mcp.json" in line]
    assert "box" in note and "harken mcp trust" in note

    # Trusted: it starts. Then one changed argument: not trusted any more.
    trusted = harken("mcp", "trust", "--yes")
    assert trusted.returncode == 0, trusted.stderr
    api.script(Reply([text("hello")]))
    assert harken("ask", "hi").returncode == 0
    assert marker.exists()
    assert "mcp__box__echo" in offered(api.requests[1])

    marker.unlink()
    changed = toolbox_entry(
        env={"MARKER_FILE": str(marker)}, args=[str(toolbox_entry()["args"][0]), "-v"]
    )
    project_servers(workspace, {"box": changed})
    api.script(Reply([text("hello")]))
    assert harken("ask", "hi").returncode == 0
    assert not marker.exists()


def test_no_servers_no_mcp_import(api: ScriptedAPI, workspace: Path) -> None:
    """`harken ask` with nothing configured never loads the SDK (run in-process)."""
    api.script(Reply([text("hello")]))
    code = (
        "import sys\n"
        "from desktop.cli import main\n"
        "code = main(['ask', 'hi'])\n"
        "print(code, sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=workspace,
        env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url, "PYTHONPATH": os.getcwd()},
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "0 []"


def test_the_tray_start_does_not_import_mcp() -> None:
    code = (
        "import sys\n"
        "import desktop.cli, desktop.app, desktop.bridge, desktop.tray\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "desktop.tray.TrayIcon().show()\n"
        "print([m for m in sys.modules if m.split('.')[0] in ('mcp', 'mcp_types')])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"

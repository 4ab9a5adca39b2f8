"""The MCP client against real servers written with the SDK (stdio and streamable HTTP):
tools as mcp__server__tool, results as tool_result content, failures as one notice and a
tool error, restarts, tools/list_changed, and the server's stderr in the log."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from agent.events import PermissionAnswer
from agent.mcp import start_for_session
from agent.mcp.manager import McpServers
from agent.session import Session
from tests.conftest import Recorder
from tests.mcp.conftest import time_entry, toolbox_entry, user_servers
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


@pytest.fixture
async def box(
    make_session: Callable[..., Session],
) -> AsyncIterator[tuple[McpServers, Session, list[str]]]:
    """The toolbox over stdio, started for a session; notes collected."""
    user_servers({"box": toolbox_entry(env={"SECRET_TOKEN": "hunter2-secret"})})
    session = make_session()
    notes: list[str] = []
    servers = await start_for_session(session, note=notes.append)
    assert servers is not None
    yield servers, session, notes
    await servers.aclose()


async def test_tools_are_offered_under_their_server_with_its_schema(box: Any) -> None:
    _servers, session, notes = box

    assert notes == []
    echo = session.tools["mcp__box__echo"]
    schema = echo.api_schema()
    assert schema["input_schema"]["properties"]["text"]["type"] == "string"
    assert schema["input_schema"]["required"] == ["text"]
    assert "Return the text" in schema["description"]
    assert {"mcp__box__touch", "mcp__box__crash", "Read", "Bash"} <= set(session.tools)


async def test_in_auto_mode_only_a_tool_marked_read_only_runs_without_asking(
    make_session: Callable[..., Session], api: ScriptedAPI
) -> None:
    user_servers({"box": toolbox_entry()})
    session = make_session(mode="auto")
    servers = await start_for_session(session, note=lambda _text: None)
    assert servers is not None
    asked = Recorder(answer=lambda _event: PermissionAnswer(False, message="not now"))
    session.subscribe(asked)
    api.script(
        Reply([
            tool_use("mcp__box__echo", {"text": "hi"}),  # readOnlyHint: auto mode trusts it
            tool_use("mcp__box__touch", {"name": "made.txt"}),  # no hint: it may change things
        ]),
        Reply([text("Done.")]),
    )  # fmt: skip
    try:
        await session.submit("echo, then touch")
    finally:
        await servers.aclose()

    assert [q.name for q in asked.of("permission_requested")] == ["mcp__box__touch"]
    last = api.requests[1]["messages"][-1]["content"]
    echoed, touched = [block for block in last if block.get("type") == "tool_result"]
    assert "echo: hi" in str(echoed["content"]) and not echoed.get("is_error")
    assert touched["is_error"]


async def test_results_become_tool_result_content(box: Any) -> None:
    servers, _session, _notes = box

    echo = await servers.call("box", "echo", {"text": "hi"})
    assert (echo.content, echo.is_error) == ("echo: hi", False)

    picture = await servers.call("box", "picture", {})
    assert isinstance(picture.content, list)
    assert picture.content[0] == {"type": "text", "text": "a red dot"}
    assert picture.content[1]["type"] == "image"
    assert picture.content[1]["source"]["media_type"] == "image/png"

    weather = await servers.call("box", "weather", {"city": "Oslo"})
    assert '"celsius": 21' in weather.content and '"city": "Oslo"' in weather.content

    broken = await servers.call("box", "broken", {})
    assert (broken.content, broken.is_error) == ("the gauge is broken", True)


async def test_a_long_result_is_cut_with_a_note(box: Any) -> None:
    servers, _session, _notes = box

    result = await servers.call("box", "big", {"size": 300_000})

    assert 100_000 < len(result.content) < 101_000
    assert result.content.startswith("line 0000000\n")
    assert "Output cut: the tool returned 300,000 characters" in result.content


async def test_a_crash_mid_call_is_a_tool_error_and_the_next_call_restarts_it(box: Any) -> None:
    servers, _session, notes = box

    crashed = await servers.call("box", "crash", {})

    assert crashed.is_error
    assert "'box'" in crashed.content and "while running crash" in crashed.content
    assert "starts again on the next call" in crashed.content
    assert len(notes) == 1 and "'box'" in notes[0]

    again = await servers.call("box", "echo", {"text": "back"})
    assert (again.content, again.is_error) == ("echo: back", False)


async def test_a_call_that_hangs_times_out_and_the_next_call_restarts_it(
    box: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    servers, _session, notes = box
    monkeypatch.setenv("HARKEN_MCP_TOOL_TIMEOUT", "1")

    hung = await servers.call("box", "hang", {})

    assert hung.is_error and "MCP server 'box' did not answer hang within 1 s" in hung.content
    assert len(notes) == 1
    again = await servers.call("box", "echo", {"text": "back"})
    assert (again.content, again.is_error) == ("echo: back", False)


async def test_tools_list_changed_reaches_the_session(box: Any) -> None:
    servers, session, _notes = box
    assert "mcp__box__late" not in session.tools

    await servers.call("box", "grow", {})
    await servers.connections["box"].refreshed()

    assert "mcp__box__late" in session.tools
    late = await servers.call("box", "late", {})
    assert late.content == "late tool ran"


async def test_the_server_stderr_goes_to_the_log_and_secrets_do_not(
    make_session: Callable[..., Session], caplog: pytest.LogCaptureFixture
) -> None:
    user_servers({"box": toolbox_entry(env={"SECRET_TOKEN": "hunter2-secret"})})
    caplog.set_level(logging.DEBUG)
    session = make_session()

    servers = await start_for_session(session, note=lambda _text: None)
    assert servers is not None
    await servers.call("box", "crash", {})
    await servers.aclose()

    logged = caplog.text
    assert "[box] toolbox starting (secret token set: True)" in logged
    assert "[box] toolbox crashing now" in logged
    assert "hunter2" not in logged


async def test_a_server_that_cannot_start_is_one_notice_and_a_tool_error(
    make_session: Callable[..., Session], tmp_path: Path
) -> None:
    user_servers(
        {
            "gone": {"command": str(tmp_path / "no-such-program")},
            "box": toolbox_entry(),
        }
    )
    session = make_session()
    notes: list[str] = []

    servers = await start_for_session(session, note=notes.append)
    assert servers is not None
    try:
        assert notes == [
            f"MCP server 'gone' could not start: command not found: {tmp_path}/no-such-program"
        ]
        # The other server is not held up by it.
        assert "mcp__box__echo" in session.tools
        result = await servers.call("gone", "anything", {})
        assert result.is_error and "could not start" in result.content
    finally:
        await servers.aclose()


async def test_a_server_that_hangs_at_start_times_out(
    make_session: Callable[..., Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARKEN_MCP_TIMEOUT", "1")
    hang = "import sys, time\nsys.stdin.read()\ntime.sleep(600)"
    user_servers({"stuck": {"command": sys.executable, "args": ["-c", hang]}})
    session = make_session()
    notes: list[str] = []

    servers = await start_for_session(session, note=notes.append)
    assert servers is not None
    try:
        assert notes == ["MCP server 'stuck' did not start within 1 s"]
        status = servers.statuses()[0]
        assert (status.name, status.status, status.tools) == ("stuck", "failed", 0)
    finally:
        await servers.aclose()


async def test_over_http_and_sse(
    make_session: Callable[..., Session], http_toolbox: tuple[str, str]
) -> None:
    kind, url = http_toolbox
    user_servers({"web": {"type": kind, "url": url, "headers": {"X-Test": "${HOME}"}}})
    session = make_session()
    notes: list[str] = []

    servers = await start_for_session(session, note=notes.append)
    assert servers is not None
    try:
        assert notes == []
        assert "mcp__web__echo" in session.tools
        result = await servers.call("web", "echo", {"text": f"over {kind}"})
        assert (result.content, result.is_error) == (f"echo: over {kind}", False)
        assert servers.statuses()[0].transport == kind
    finally:
        await servers.aclose()


async def test_no_servers_configured_is_nothing(make_session: Callable[..., Session]) -> None:
    session = make_session()
    before = set(session.tools)

    assert await start_for_session(session) is None
    assert set(session.tools) == before


async def test_a_server_without_list_changed_subscriptions_costs_one_debug_line(
    make_session: Callable[..., Session], caplog: pytest.LogCaptureFixture
) -> None:
    user_servers({"time": time_entry()})  # answers subscriptions/listen "Method not found"
    caplog.set_level(logging.DEBUG, logger="agent.mcp")
    servers = await start_for_session(make_session(), note=lambda _text: None)
    assert servers is not None

    def said() -> list[logging.LogRecord]:
        return [r for r in caplog.records if "list_changed subscription" in r.getMessage()]

    try:
        for _ in range(6000):  # the subscription is asked in the background; only a bound
            if said():
                break
            await asyncio.sleep(0.01)
    finally:
        await servers.aclose()

    [record] = said()
    assert record.levelno == logging.DEBUG
    assert "Method not found" in record.getMessage() and record.exc_info is None

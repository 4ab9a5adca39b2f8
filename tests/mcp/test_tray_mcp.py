"""The tray's agent thread: MCP servers started at launch, their tools in the sessions it
builds, and stopped when it closes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import Config
from desktop.bridge import AgentBridge
from desktop.sessions import open_session
from tests.conftest import TEST_KEY
from tests.mcp.conftest import toolbox_entry, user_servers
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


@pytest.fixture
def bridge(qtbot: Any, api: ScriptedAPI, workspace: Path) -> Iterator[AgentBridge]:
    config = Config().override(base_url=api.base_url, max_retries=0, mode="auto")  # type: ignore[attr-defined]

    def factory(resume: Any) -> Any:
        return open_session(config, workspace, TEST_KEY, resume=resume)

    made = AgentBridge(factory, warm_up=lambda: None)
    made.start()
    yield made
    made.close()


def test_servers_started_at_launch_serve_the_first_turn(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "started"
    user_servers({"box": toolbox_entry(env={"MARKER_FILE": str(marker)})})
    api.script(
        Reply([tool_use("mcp__box__echo", {"text": "from the tray"})]),
        Reply([text("Echoed.")]),
    )
    outcomes: list[Any] = []
    bridge.turn_done.connect(outcomes.append)

    bridge.start_mcp(workspace)
    qtbot.waitUntil(marker.exists, timeout=30_000)  # launched before any turn
    with qtbot.waitSignal(bridge.turn_done, timeout=60_000):
        bridge.submit("echo something")

    assert outcomes[-1].stop_reason == "end_turn", outcomes[-1]
    assert "mcp__box__echo" in {t["name"] for t in api.requests[0]["tools"]}
    result = api.requests[1]["messages"][-1]["content"][0]
    assert result["content"] == "echo: from the tray" and not result.get("is_error")


def test_an_untrusted_project_set_is_a_notice_and_nothing_starts(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI, workspace: Path, tmp_path: Path
) -> None:
    from tests.mcp.conftest import project_servers

    marker = tmp_path / "started"
    project_servers(workspace, {"box": toolbox_entry(env={"MARKER_FILE": str(marker)})})
    api.script(Reply([text("Hi.")]))
    events: list[Any] = []
    bridge.event.connect(events.append)

    bridge.start_mcp(workspace)
    with qtbot.waitSignal(bridge.turn_done, timeout=60_000):
        bridge.submit("hello")

    notices = [e.message for e in events if e.kind == "notice"]
    assert any(".mcp.json" in n and "harken mcp trust" in n for n in notices), notices
    assert not marker.exists()
    assert not any(t["name"].startswith("mcp__") for t in api.requests[0]["tools"])

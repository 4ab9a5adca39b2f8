"""Without a desktop display, a desktop tool the model calls anyway (it may know them from
an earlier session) is answered with the reason: there is no display here."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from desktop.tools import DESKTOP_TOOL_NAMES, desktop_tools
from tests.e2e.conftest import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


def last_result(request: dict) -> str:
    [block] = [b for b in request["messages"][-1]["content"] if b.get("type") == "tool_result"]
    content = block["content"]
    return content if isinstance(content, str) else "\n".join(b["text"] for b in content)


@pytest.mark.parametrize(
    ("tool", "params"),
    [("Clipboard", {"action": "read"}), ("Screenshot", {}), ("Open", {"target": "a.txt"})],
)
def test_a_desktop_tool_without_a_display_says_there_is_no_display(
    api: ScriptedAPI, workspace: Path, tool: str, params: dict
) -> None:
    api.script(Reply([tool_use(tool, params)]), Reply([text("No screen here.")]))
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["ANTHROPIC_BASE_URL"] = api.base_url  # type: ignore[attr-defined]
    result = subprocess.run(
        [*harken_command(), "ask", "--yes", "what is on my clipboard?"],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    said = last_result(api.requests[1])
    assert "no desktop display" in said and "There is no tool named" not in said, said
    assert tool not in [t["name"] for t in api.requests[0].get("tools", [])]


def test_the_names_known_without_a_display_are_the_desktop_tools() -> None:
    assert list(DESKTOP_TOOL_NAMES) == [tool.name for tool in desktop_tools()]


def test_an_unknown_tool_name_still_lists_the_tools_there_are(
    api: ScriptedAPI, workspace: Path
) -> None:
    api.script(Reply([tool_use("Teleport", {})]), Reply([text("ok")]))
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["ANTHROPIC_BASE_URL"] = api.base_url  # type: ignore[attr-defined]
    result = subprocess.run(
        [*harken_command(), "ask", "--yes", "teleport"],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert last_result(api.requests[1]).startswith("There is no tool named 'Teleport'.")

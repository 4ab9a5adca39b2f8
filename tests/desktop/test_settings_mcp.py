"""The settings window lists the MCP servers and how each is, read from the tray's own
agent thread (``AgentBridge.mcp_statuses``) with real stdio servers."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from agent import paths
from desktop.bridge import AgentBridge
from desktop.windows.mcp_servers import NOT_TRUSTED
from desktop.windows.settings import SettingsWindow
from tests.desktop.windows_helpers import screenshot
from tests.mcp.conftest import TOOLBOX, project_servers, toolbox_entry, user_servers

TOOLBOX_TOOLS = TOOLBOX.read_text().count("@server.tool(")  # what the toolbox offers


def no_session(_resume: Any) -> Any:
    raise AssertionError("listing servers must not open a session")


@pytest.fixture
def bridge() -> Iterator[AgentBridge]:
    made = AgentBridge(no_session, warm_up=lambda: None)
    made.start()
    yield made
    made.close()


class QuietMic:
    """Stands in for ``audio.capture.Recorder`` (the microphone picker is not under test)."""

    def __init__(self, _device: str) -> None:
        pass

    def open(self) -> None:
        pass

    def level(self) -> float:
        return 0.0

    def close(self) -> None:
        pass


def settings_window(qtbot: Any, **options: Any) -> SettingsWindow:
    """A shown settings window; its microphone is quiet, everything MCP is real."""
    window = SettingsWindow(recorder_factory=QuietMic, list_inputs=lambda: [], **options)
    qtbot.addWidget(window)
    window.show()
    return window


def settings_for(qtbot: Any, bridge: AgentBridge, workspace: Path) -> SettingsWindow:
    """The settings window as the tray opens it, after the agent thread started the servers."""
    return settings_window(qtbot, mcp_statuses=bridge.mcp_statuses, workspace=lambda: workspace)


def test_a_user_server_is_listed_ready_with_its_tool_count(
    qtbot: Any, bridge: AgentBridge, workspace: Path
) -> None:
    user_servers({"box": toolbox_entry()})
    bridge.start_mcp(workspace)
    window = settings_for(qtbot, bridge, workspace)
    section = window.mcp_section

    # It refreshes by itself as the server comes up.
    qtbot.waitUntil(lambda: "ready" in section.row_text("box"), timeout=60_000)
    text = section.row_text("box")
    assert f"{TOOLBOX_TOOLS} tools" in text, text
    assert "user · stdio" in text and str(TOOLBOX) in text, text
    assert not section.trust_box.isVisible()


def test_the_statuses_are_read_off_the_gui_thread(
    qtbot: Any, bridge: AgentBridge, workspace: Path
) -> None:
    user_servers({"box": toolbox_entry()})
    bridge.start_mcp(workspace)
    readers: list[threading.Thread] = []

    def statuses(where: Path) -> Any:
        readers.append(threading.current_thread())
        return bridge.mcp_statuses(where)

    window = settings_window(qtbot, mcp_statuses=statuses, workspace=lambda: workspace)
    qtbot.waitUntil(lambda: "ready" in window.mcp_section.row_text("box"), timeout=60_000)
    assert readers and threading.main_thread() not in readers


def test_an_untrusted_project_server_is_listed_as_not_trusted_and_does_not_start(
    qtbot: Any, bridge: AgentBridge, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "started"
    user_servers({"box": toolbox_entry(), "gone": {"command": "harken-no-such-server"}})
    project_servers(workspace, {"repo": toolbox_entry(env={"MARKER_FILE": str(marker)})})
    bridge.start_mcp(workspace)
    window = settings_for(qtbot, bridge, workspace)
    section = window.mcp_section

    # Once the user's server is up, the project's one has had every chance to start.
    qtbot.waitUntil(lambda: "ready" in section.row_text("box"), timeout=60_000)
    text = section.row_text("repo")
    assert NOT_TRUSTED in text and "project · stdio" in text, text
    assert "not trusted — run harken mcp trust" in section.trust_line.text()
    assert section.trust_box.isVisible()
    assert not marker.exists()
    scroll = window.tabs.currentWidget()
    scroll.ensureWidgetVisible(section.footer)  # type: ignore[attr-defined]
    screenshot(window, "settings_mcp_servers")


def test_a_missing_command_is_listed_as_failed_with_the_reason(
    qtbot: Any, bridge: AgentBridge, workspace: Path
) -> None:
    user_servers({"gone": {"command": "harken-no-such-server", "args": ["--x"]}})
    bridge.start_mcp(workspace)
    window = settings_for(qtbot, bridge, workspace)
    section = window.mcp_section

    qtbot.waitUntil(lambda: "failed" in section.row_text("gone"), timeout=60_000)
    text = section.row_text("gone")
    assert "command not found: harken-no-such-server" in text, text
    assert "tools" not in text.split("—")[0], text  # no tool count for a server that is down


def test_trust_asks_first_and_records_exactly_the_shown_set(
    qtbot: Any, bridge: AgentBridge, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "started"
    project_servers(workspace, {"repo": toolbox_entry(env={"MARKER_FILE": str(marker)})})
    bridge.start_mcp(workspace)
    window = settings_for(qtbot, bridge, workspace)
    section = window.mcp_section
    qtbot.waitUntil(lambda: NOT_TRUSTED in section.row_text("repo"), timeout=60_000)
    trust_file = paths.config_dir() / "mcp-trust.json"

    asked: list[str] = []

    def answer(button: QMessageBox.StandardButton) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        asked.append(box.text() + "\n" + box.informativeText())
        box.button(button).click()

    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.No))
    assert section.ask_trust() is False
    assert not trust_file.exists()
    assert "repo:" in asked[0] and str(TOOLBOX) in asked[0]

    QTimer.singleShot(0, lambda: answer(QMessageBox.StandardButton.Yes))
    assert section.ask_trust() is True
    assert str(workspace.resolve()) in json.loads(trust_file.read_text())
    # Trusted now: no longer "not trusted"; this tray started without it, so it waits.
    qtbot.waitUntil(lambda: "not started" in section.row_text("repo"), timeout=60_000)
    assert not section.trust_box.isVisible()
    assert not marker.exists()


def test_without_servers_the_section_says_so(qtbot: Any, workspace: Path) -> None:
    window = settings_window(qtbot, workspace=lambda: workspace)
    qtbot.waitUntil(lambda: window.mcp_section.snapshot is not None, timeout=30_000)
    assert window.mcp_section.empty.text() == "No MCP servers configured."

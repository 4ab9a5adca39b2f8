"""The tray's "Undo last turn's changes…" is offered only when the last turn changed files
(offscreen Qt, a real agent bridge against the scripted API): after a turn that only
answered, it is disabled and its tooltip says why."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction

from desktop.bridge import AgentBridge
from desktop.tray import TrayMenu
from tests.checkpoints.test_desktop_undo import bridge, write_in_a_turn
from tests.desktop.test_tray import Host as TrayHostStub
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

__all__ = ["bridge"]  # the fixture, used by name below

ENTRY = "Undo last turn's changes…"


def turn(qtbot: Any, api: ScriptedAPI, bridge: AgentBridge, *replies: Reply) -> str:
    """One turn of ``replies``; the session's id."""
    api.script(*replies)
    started: list[str] = []
    bridge.event.connect(
        lambda e: started.append(e.session_id) if e.kind == "turn_started" else None
    )
    with qtbot.waitSignal(bridge.turn_done, timeout=60_000):
        bridge.submit("do it")
    return started[0]


def undo_entry(session_id: str) -> QAction:
    menu = TrayMenu(TrayHostStub(session_id=session_id))  # type: ignore[arg-type]
    return next(a for a in menu.actions() if a.text() == ENTRY)


def test_after_a_turn_that_changed_no_files_the_undo_is_disabled(
    qtbot: Any, api: ScriptedAPI, bridge: AgentBridge
) -> None:
    session_id = turn(qtbot, api, bridge, Reply([text("Paris.")]))

    entry = undo_entry(session_id)

    assert not entry.isEnabled()
    assert "nothing to undo" in entry.toolTip()


def test_after_a_turn_that_only_read_a_file_the_undo_is_disabled(
    qtbot: Any, api: ScriptedAPI, bridge: AgentBridge, workspace: Any
) -> None:
    (workspace / "a.txt").write_text("a\n")
    session_id = turn(
        qtbot,
        api,
        bridge,
        Reply([tool_use("Read", {"file_path": "a.txt"})]),
        Reply([text("It says a.")]),
    )

    assert not undo_entry(session_id).isEnabled()


def test_after_a_turn_that_wrote_a_file_the_undo_is_offered(
    qtbot: Any, api: ScriptedAPI, bridge: AgentBridge
) -> None:
    host = write_in_a_turn(qtbot, api, bridge, "new.txt")

    entry = undo_entry(str(host.session_id))

    assert entry.isEnabled() and not entry.toolTip().startswith("The last turn")

"""Undo from the desktop (offscreen Qt, a real agent bridge against the scripted API): the
tray's entry and preview, a spoken "undo that", the conversation's "Restore files to here"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from agent.config import Config
from desktop.bridge import AgentBridge
from desktop.sessions import open_session
from desktop.tray import TrayMenu
from desktop.windows.conversation import ConversationWindow
from desktop.windows.undo_preview import (
    is_undo_request,
    offer_spoken_undo,
    offer_undo,
    restore_to_turn,
)
from tests.conftest import TEST_KEY
from tests.desktop.test_tray import Host as TrayHostStub
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


@pytest.fixture
def bridge(qtbot: Any, api: ScriptedAPI, workspace: Path) -> Iterator[AgentBridge]:
    config = Config().override(base_url=api.base_url, max_retries=0, mode="bypass")  # type: ignore[attr-defined]

    def factory(resume: Any) -> Any:
        return open_session(config, workspace, TEST_KEY, resume=resume)

    made = AgentBridge(factory, warm_up=lambda: None)
    made.start()
    yield made
    made.close()


@dataclass
class Host:
    """The controller as the undo sees it."""

    bridge: AgentBridge
    session_id: str | None = None
    notes: list[str] = field(default_factory=list)
    fed: list[tuple[Any, ...]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.parts = SimpleNamespace(bridge=self.bridge, conversation=None)
        self.machine = SimpleNamespace(turn_finished="turn_finished")
        self.config = SimpleNamespace(speak_summaries=True)

    def notify(self, message: str) -> None:
        self.notes.append(message)

    def feed(self, step: Any, *args: Any) -> None:
        self.fed.append((step, *args))


def write_in_a_turn(qtbot: Any, api: ScriptedAPI, bridge: AgentBridge, name: str) -> Host:
    api.script(
        Reply([tool_use("Write", {"file_path": name, "content": "new\n"})]),
        Reply([text("Written.")]),
    )
    started: list[str] = []
    bridge.event.connect(
        lambda e: started.append(e.session_id) if e.kind == "turn_started" else None
    )
    with qtbot.waitSignal(bridge.turn_done, timeout=60_000):
        bridge.submit(f"write {name}")
    return Host(bridge, session_id=started[0])


@pytest.mark.parametrize(
    ("said", "plain"),
    [
        ("Undo that.", True),
        ("undo the last change", True),
        ("Please undo that!", True),
        ("undo everything since I asked about the tests", False),
        ("undo the rename in the parser", False),
        ("don't undo that", False),
    ],
)
def test_only_a_plain_undo_is_handled_without_the_model(said: str, plain: bool) -> None:
    assert is_undo_request(said) is plain


def test_the_tray_undo_shows_the_files_first_and_restores_only_when_agreed(
    qtbot: Any, api: ScriptedAPI, bridge: AgentBridge, workspace: Path
) -> None:
    host = write_in_a_turn(qtbot, api, bridge, "new.txt")
    shown: list[tuple[str, list[str]]] = []

    offer_undo(host, ask=lambda parent, title, lines: shown.append((title, lines)) or False)
    assert (workspace / "new.txt").exists()
    offer_undo(host, ask=lambda parent, title, lines: True)

    qtbot.waitUntil(lambda: not (workspace / "new.txt").exists(), timeout=60_000)
    [(title, lines)] = shown
    assert title == 'This takes back turn 1 ("write new.txt"):'
    assert lines == [f"Remove (it was new): {workspace / 'new.txt'}"]


def test_a_spoken_undo_restores_the_last_turn_without_a_model_call(
    qtbot: Any, api: ScriptedAPI, bridge: AgentBridge, workspace: Path
) -> None:
    host = write_in_a_turn(qtbot, api, bridge, "new.txt")
    requests = len(api.requests)

    assert offer_spoken_undo(host, "Undo that.")

    qtbot.waitUntil(lambda: bool(host.fed), timeout=60_000)
    assert host.fed == [("turn_finished", "Restored 1 file.", "")]
    assert not (workspace / "new.txt").exists()
    assert len(api.requests) == requests


def test_restore_to_here_takes_back_that_turn_and_every_later_one(
    qtbot: Any, api: ScriptedAPI, bridge: AgentBridge, workspace: Path
) -> None:
    host = write_in_a_turn(qtbot, api, bridge, "a.txt")
    write_in_a_turn(qtbot, api, bridge, "b.txt")
    write_in_a_turn(qtbot, api, bridge, "c.txt")

    restore_to_turn(host, "write b.txt", 2, ask=lambda parent, title, lines: True)

    qtbot.waitUntil(lambda: not (workspace / "b.txt").exists(), timeout=60_000)
    qtbot.waitUntil(lambda: not (workspace / "c.txt").exists(), timeout=60_000)
    assert (workspace / "a.txt").exists()


def test_the_tray_offers_the_undo_once_a_turn_changed_files(
    qtbot: Any, api: ScriptedAPI, bridge: AgentBridge
) -> None:
    host = write_in_a_turn(qtbot, api, bridge, "new.txt")
    stub = TrayHostStub(session_id=str(host.session_id))
    menu = TrayMenu(stub)  # type: ignore[arg-type]

    entry = next(a for a in menu.actions() if a.text() == "Undo last turn's changes…")
    entry.trigger()

    assert stub.calls == [("undo_last_turn", None)]


def test_a_request_in_the_conversation_offers_restore_files_to_here(qtbot: Any) -> None:
    window = ConversationWindow()
    qtbot.addWidget(window)
    window.add_heard("first request")
    window.add_heard("second request")
    asked: list[tuple[str, int]] = []
    window.restore_requested.connect(lambda prompt, n: asked.append((prompt, n)))

    second = window.entries[-1]
    [action] = [a for a in second.actions() if a.text() == "Restore files to here"]
    action.trigger()

    assert asked == [("second request", 2)]

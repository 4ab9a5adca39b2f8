"""Multi-agent work in the running app: coordinator mode, the tasks window and deep
planning by voice with the plan window. The real controller, tray menu, windows and agent
bridge (real coordinator jobs and planning runs on the agent thread) against the scripted
Messages API; the voice pipeline is a recording stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from agent.config import Config
from desktop.agent_side import PLANNING_SAID
from desktop.background import Background
from desktop.bridge import AgentBridge
from desktop.controller import Controller, Parts
from desktop.sessions import open_session
from desktop.state import State
from desktop.tray import TrayIcon, TrayMenu
from desktop.windows.conversation import ConversationWindow
from tests.agents.helpers import agent_of, last_text, parent, tool_names
from tests.conftest import TEST_KEY
from tests.desktop.test_controller import FakeVoice
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

COORDINATOR = "the coordinator"
GENERAL = "a general-purpose agent"
WAITING = Reply([text("Waiting for the workers.")])
TURN_MS = 60_000  # only a hang reaches it


@pytest.fixture
def app(qtbot: Any, api: ScriptedAPI, workspace: Path) -> Iterator[Controller]:
    config = Config().override(base_url=api.base_url, max_retries=0)  # type: ignore[attr-defined]

    def factory(resume: Any) -> Any:
        return open_session(config, workspace, TEST_KEY, resume=resume)

    bridge = AgentBridge(factory, warm_up=lambda: None)
    bridge.start()
    conversation = ConversationWindow()
    qtbot.addWidget(conversation)
    controller = Controller(config, quit_app=lambda: None)
    controller.tray = TrayIcon()
    parts = Parts(Background(immediate=True), bridge, FakeVoice(), None, conversation)
    parts.workspace = workspace
    controller.attach(parts)
    yield controller
    controller.shutdown()


def menu_entry(menu: TrayMenu, name: str) -> Any:
    menu.aboutToShow.emit()  # rebuilt from the app, as when it opens
    return next(a for a in menu.actions() if a.text().startswith(name))


def ask(qtbot: Any, app: Controller, words: str) -> None:
    """Type a request and wait until the app has ended it."""
    assert app.parts is not None and app.parts.bridge is not None
    with qtbot.waitSignal(app.parts.bridge.turn_done, timeout=TURN_MS):
        app.feed(app.machine.typed, words)


def said(app: Controller) -> list[str]:
    return [args[0] for args in app.parts.voice.named("speak")]  # type: ignore[union-attr]


def agent_call(description: str, prompt: str) -> dict[str, Any]:
    call = {"description": description, "prompt": prompt, "subagent_type": "general-purpose"}
    return tool_use("Agent", call)


def test_the_coordinator_switch_sends_requests_to_a_coordinator_and_back(
    qtbot: Any, app: Controller, api: ScriptedAPI
) -> None:
    api.route(
        agent_of(COORDINATOR),
        Reply([text("Nothing needed doing. The folder was already tidy.")]),
    )
    api.route(parent(), Reply([text("Hello there. How can I help?")]))
    menu = TrayMenu(app)

    menu_entry(menu, "Coordinator mode").trigger()
    assert menu_entry(menu, "Coordinator mode").isChecked()
    ask(qtbot, app, "tidy up the folder")

    (request,) = api.requests
    assert tool_names(request) == {"Agent", "SendMessage", "TaskStop"}
    assert said(app) == ["Nothing needed doing."]  # the job's final word, first sentence
    app.parts.voice.speech_done.emit()  # type: ignore[union-attr]

    menu_entry(menu, "Coordinator mode").trigger()
    assert not app.config.coordinator
    ask(qtbot, app, "hello")

    assert {"Read", "Bash", "Agent"} <= tool_names(api.requests[-1])
    assert said(app)[-1] == "Hello there. How can I help?"


def test_the_tasks_window_shows_running_workers_and_stop_stops_one(
    qtbot: Any, app: Controller, api: ScriptedAPI
) -> None:
    first = Reply(
        [
            text("Two audits."),
            agent_call("audit one", "Audit one"),
            agent_call("audit two", "Audit two"),
        ]
    )
    api.route(agent_of(COORDINATOR, last="Audit the code"), first)
    api.route(agent_of(COORDINATOR, last="Started worker"), WAITING)
    killed = api.route(agent_of(COORDINATOR, last="<status>killed</status>"), WAITING)
    api.route(
        agent_of(COORDINATOR, last="<status>completed</status>"),
        Reply([text("The audit is done. Two was clean and one was stopped.")]),
    )
    for name in ("one", "two"):
        # Each worker's answer is held mid-stream until api.release(): both stay running.
        api.route(agent_of(GENERAL, last=f"Audit {name}"), Reply([text("Auditing")], pause_after=3))
    app.change_settings({"coordinator": True})
    menu = TrayMenu(app)
    menu_entry(menu, "Tasks…").trigger()
    window = app.tasks_window
    assert window is not None and window.isVisible()
    bridge = app.parts.bridge  # type: ignore[union-attr]

    with qtbot.waitSignal(bridge.turn_done, timeout=TURN_MS) as done:
        app.feed(app.machine.typed, "Audit the code")
        qtbot.waitUntil(
            lambda: (
                [(r.description, r.status, r.can_stop) for r in window.rows()]
                == [("audit one", "running", True), ("audit two", "running", True)]
            ),
            timeout=TURN_MS,
        )
        assert [r.agent_type for r in window.rows()] == ["general-purpose"] * 2
        one = window.rows()[0].task_id
        qtbot.mouseClick(window.stop_button(one), Qt.MouseButton.LeftButton)
        assert not window.stop_button(one).isEnabled()
        qtbot.waitUntil(lambda: window.rows()[0].status == "stopped", timeout=TURN_MS)
        assert window.rows()[1].status == "running"
        qtbot.waitUntil(lambda: len(killed.requests) == 1, timeout=TURN_MS)
        api.release()  # worker two finishes; its report ends the job

    assert done.args[0].stop_reason == "end_turn"
    rows = window.rows()
    assert [(r.description, r.status, r.can_stop) for r in rows] == [
        ("audit one", "stopped", False),
        ("audit two", "completed", False),
    ]
    assert rows[1].cost != "$0.0000"
    assert said(app) == ["The audit is done."]  # the whole job's summary, first sentence


def test_stop_interrupts_the_whole_job_and_its_workers(
    qtbot: Any, app: Controller, api: ScriptedAPI
) -> None:
    api.route(agent_of(COORDINATOR, last="Audit the code"), Reply([agent_call("audit", "Audit")]))
    api.route(agent_of(COORDINATOR, last="Started worker"), WAITING)
    api.route(agent_of(GENERAL), Reply([text("Auditing")], pause_after=3))
    app.change_settings({"coordinator": True})
    window = app.tasks_view()
    bridge = app.parts.bridge  # type: ignore[union-attr]

    with qtbot.waitSignal(bridge.turn_done, timeout=TURN_MS) as done:
        app.feed(app.machine.typed, "Audit the code")
        qtbot.waitUntil(lambda: api.paused.is_set() and len(api.requests) == 3, timeout=TURN_MS)
        app.stop()  # the tray's Stop, Esc or a press while it works
    api.release()

    assert done.args[0].stop_reason == "interrupted"
    assert [(r.status, r.can_stop) for r in window.rows()] == [("stopped", False)]
    assert said(app) == []


def test_plan_how_to_by_voice_plans_in_the_background_then_refine_and_approve(
    qtbot: Any, app: Controller, api: ScriptedAPI
) -> None:
    api.route(
        agent_of("the planner", last="Plan how to add a greeting"),
        Reply([text("# Greeting\n\n1. Add `hello.py`.")]),
    )
    api.route(
        agent_of("the planner", last="feedback on it: Name it greet.py"),
        Reply([text("# Greeting\n\n1. Add `greet.py` printing hello.")]),
    )
    api.route(parent(last="Carry out this approved plan"), Reply([text("Done. Added it.")]))
    bridge, voice = app.parts.bridge, app.parts.voice  # type: ignore[union-attr]
    menu = TrayMenu(app)

    with qtbot.waitSignal(bridge.plan_done, timeout=TURN_MS):
        app.press()
        app.release()
        voice.transcript_ready.emit(app.machine.take, "Plan how to add a greeting.")
        assert said(app) == [PLANNING_SAID]  # at once: the plan is made in the background
        assert menu_entry(menu, "Planning…").isEnabled() is False
    voice.speech_done.emit()
    assert app.machine.state is State.IDLE and app.plan_window is None
    assert not {"Write", "Edit", "Bash"} & tool_names(api.requests[0])  # planning is read-only

    app.tray.message_clicked.emit()  # type: ignore[union-attr]  # the notification
    window = app.plan_window
    assert window is not None and window.isVisible()
    assert window.text() == "# Greeting\n\n1. Add `hello.py`."
    window.editor.setPlainText(window.text() + "\n2. Test it.")
    window.feedback.setText("Name it greet.py")
    with qtbot.waitSignal(bridge.plan_done, timeout=TURN_MS):
        qtbot.mouseClick(window.refine_button, Qt.MouseButton.LeftButton)
        assert not window.approve_button.isEnabled()
    assert "2. Test it." in last_text(api.requests[-1])  # the edited plan went along
    assert window.text() == "# Greeting\n\n1. Add `greet.py` printing hello."

    window.mode.setCurrentIndex(window.mode.findData("auto"))
    with qtbot.waitSignal(bridge.turn_done, timeout=TURN_MS):
        qtbot.mouseClick(window.approve_button, Qt.MouseButton.LeftButton)
    assert not window.isVisible() and app.config.mode == "auto"
    assert "1. Add `greet.py` printing hello." in last_text(api.requests[-1])
    assert said(app)[-1] == "Done. Added it."
    assert menu_entry(menu, "Plan…").isEnabled() is False  # approved: no plan waits

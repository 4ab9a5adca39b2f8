"""A spoken schedule in the running app: read back, asked about, and stored only once
confirmed; the tray's "Scheduled tasks…" entry; a task that keeps failing is notified.

The controller runs offscreen with the real overlay, conversation window and dialogs, and
the recording stand-ins of tests/desktop/test_controller.py for the voice pipeline and
the agent bridge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from agent.config import load_config
from agent.tasks.model import Task, iso, now
from agent.tasks.store import TaskStore
from desktop.background import Background
from desktop.controller import Controller, Parts
from desktop.notifications import DesktopNotifier
from desktop.scheduled import ScheduledHost
from desktop.state import State
from desktop.tray import TrayMenu
from desktop.windows.conversation import ConversationWindow
from desktop.windows.overlay import RecordingOverlay
from desktop.windows.scheduled_tasks import ScheduledTasksWindow
from tests.desktop.fake_portal import private_bus
from tests.desktop.test_controller import FakeBridge, FakeVoice, Quit, speak
from tests.desktop.test_scheduled_notifications import FakeNotifications, wait_until

SAID = "Every weekday at nine, summarise what changed in the repo overnight."
READBACK = "Every weekday at 9:00: summarise what changed in the repo overnight. Schedule it?"


@pytest.fixture
def app(qtbot: Any, workspace: Path) -> Any:
    voice, bridge = FakeVoice(), FakeBridge()
    conversation, overlay = ConversationWindow(), RecordingOverlay()
    qtbot.addWidget(conversation)
    qtbot.addWidget(overlay)
    controller = Controller(load_config(), quit_app=Quit())
    parts = Parts(Background(immediate=True), bridge, voice, None, conversation, overlay, None)
    parts.workspace = workspace
    controller.attach(parts)
    yield controller
    controller.shutdown()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox | ScheduledTasksWindow):
            widget.close()


def question(app: Controller) -> QMessageBox:
    box = app.schedule_question
    assert isinstance(box, QMessageBox) and box.isVisible()
    return box


def click(app: Controller, label: str) -> None:
    """Press a button of the question as a person does: nothing but the app holds it."""
    next(b for b in question(app).buttons() if b.text() == label).click()


def test_a_spoken_schedule_is_read_back_and_stored_once_confirmed(
    qtbot: Any, app: Controller, workspace: Path
) -> None:
    speak(app, SAID)

    assert app.parts.bridge.named("submit") == []  # type: ignore[union-attr]  # not sent
    assert app.parts.voice.named("speak") == [(READBACK,)]  # type: ignore[union-attr]
    box = question(app)
    assert box.text() == READBACK and str(workspace) in box.informativeText()
    assert TaskStore().load() == []  # nothing before the answer

    del box
    click(app, "Schedule it")
    [task] = TaskStore().load()
    assert task.cron == "0 9 * * 1-5"
    assert task.prompt == "summarise what changed in the repo overnight"
    assert Path(task.cwd) == workspace.resolve() and task.mode == "standard"
    # Let go once the click is done.
    qtbot.waitUntil(lambda: app.schedule_question is None, timeout=30_000)


def test_a_cancelled_schedule_stores_nothing_and_harken_is_idle_again(
    qtbot: Any, app: Controller
) -> None:
    speak(app, SAID)
    app.parts.voice.speech_done.emit()  # type: ignore[union-attr]  # the read-back ended
    click(app, "Cancel")

    assert TaskStore().load() == []
    assert app.machine.state is State.IDLE
    assert app.parts.bridge.named("submit") == []  # type: ignore[union-attr]


def test_edit_opens_the_scheduled_tasks_window_filled_in(
    qtbot: Any, app: Controller, workspace: Path
) -> None:
    speak(app, "remind me to stretch every half hour")
    click(app, "Edit…")

    window = app.scheduled_window
    assert window is not None and window.isVisible()
    assert window.prompt.toPlainText() == "remind me to stretch"
    assert window.cron.text() == "*/30 * * * *"
    assert window.cron_reading.text() == "Every 30 minutes"
    assert window.folder.text() == str(workspace)
    assert TaskStore().load() == []  # stored only when Add is pressed there


@pytest.mark.parametrize("said", ["list every file in the repo", "every day, tidy up"])
def test_a_request_without_a_clear_schedule_goes_to_the_agent(
    qtbot: Any, app: Controller, said: str
) -> None:
    speak(app, said)

    assert app.parts.bridge.named("submit") == [(said,)]  # type: ignore[union-attr]
    assert app.schedule_question is None


def test_a_typed_request_is_never_turned_into_a_schedule(qtbot: Any, app: Controller) -> None:
    app.feed(app.machine.typed, SAID)

    assert app.parts.bridge.named("submit") == [(SAID,)]  # type: ignore[union-attr]
    assert app.schedule_question is None


def test_the_tray_offers_scheduled_tasks_once_the_scheduler_is_set_up(
    qtbot: Any, app: Controller
) -> None:
    menu = TrayMenu(app)

    app.scheduled = ScheduledHost(tell=lambda _text: None)  # set up, not started
    menu.aboutToShow.emit()
    entry = next(a for a in menu.actions() if a.text() == "Scheduled tasks…")
    entry.trigger()

    window = app.scheduled_window
    assert window is not None and window.isVisible()
    assert window.windowTitle() == "Harken scheduled tasks"
    assert "harken daemon runs these tasks" in window.status.text()  # not started: no lock


def test_a_task_that_keeps_failing_is_told_in_a_desktop_notification(tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    # Not due (made now): it runs only by hand here, three times.
    TaskStore().add(Task(id="t-0000dead", name="nightly", prompt="p", cron="0 3 * * *",
                         cwd=str(gone), created=iso(now())))  # fmt: skip
    with private_bus() as bus:
        daemon = FakeNotifications(bus)
        host = ScheduledHost(tell=lambda _text: None, notifier=DesktopNotifier(bus))
        host.check_every = 60
        host.start()
        try:
            for _ in range(3):
                assert host.run_now("t-0000dead").result(timeout=60).status == "error"
            wait_until(lambda: daemon.shown)
        finally:
            host.stop()
            daemon.close()

    [shown] = daemon.shown
    assert shown.title == "Harken: a scheduled task failed"
    assert "nightly" in shown.body and "no longer exists" in shown.body
    assert shown.actions == []


@pytest.mark.parametrize(
    ("reply", "stored", "said"),
    [
        ("Yes.", 1, "Scheduled."),
        ("Schedule it.", 1, "Scheduled."),
        ("No, thanks.", 0, "Not scheduled."),
    ],
)
def test_the_question_is_answered_by_voice(
    qtbot: Any, app: Controller, reply: str, stored: int, said: str
) -> None:
    speak(app, SAID)
    app.parts.voice.speech_done.emit()  # type: ignore[union-attr]  # the read-back ended
    speak(app, reply)

    assert len(TaskStore().load()) == stored
    assert app.parts.voice.named("speak")[-1] == (said,)  # type: ignore[union-attr]
    assert app.parts.bridge.named("submit") == []  # type: ignore[union-attr]  # nor the reply
    qtbot.waitUntil(lambda: app.schedule_question is None, timeout=30_000)


def test_a_reply_that_answers_nothing_goes_to_the_agent_and_the_question_stays(
    qtbot: Any, app: Controller
) -> None:
    speak(app, SAID)
    app.parts.voice.speech_done.emit()  # type: ignore[union-attr]
    speak(app, "what time is it")

    assert app.parts.bridge.named("submit") == [("what time is it",)]  # type: ignore[union-attr]
    assert question(app).isVisible() and TaskStore().load() == []


def test_the_held_hotkey_does_not_press_schedule_it(qtbot: Any, app: Controller) -> None:
    speak(app, SAID)
    box = question(app)
    chord = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(box.defaultButton(), Qt.Key.Key_Space, chord)  # ctrl+alt+space, to answer

    assert TaskStore().load() == [] and box.isVisible()

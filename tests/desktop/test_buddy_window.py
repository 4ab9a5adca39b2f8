from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QDialog

from agent import events
from agent.buddy.moods import HOLD
from desktop.buddy import placement
from desktop.buddy.window import SIZE, BuddyWindow
from tests.agent.buddy.sample_events import make, tool, turn
from tests.desktop.buddy_helpers import Clock, pet
from tests.desktop.windows_helpers import assert_floats_without_focus


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: object, clock: Clock) -> BuddyWindow:
    win = BuddyWindow(pet("cat", rarity="epic"), "Biscuit", clock=clock)
    qtbot.addWidget(win)
    return win


def mouse(win: BuddyWindow, kind: QEvent.Type, at: QPoint, buttons: Qt.MouseButton) -> None:
    local = QPointF(at - win.pos())
    button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
    event = QMouseEvent(kind, local, QPointF(at), button, buttons, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(win, event)


def press(win: BuddyWindow, at: QPoint) -> None:
    mouse(win, QEvent.Type.MouseButtonPress, at, Qt.MouseButton.LeftButton)


def move(win: BuddyWindow, at: QPoint) -> None:
    mouse(win, QEvent.Type.MouseMove, at, Qt.MouseButton.LeftButton)


def release(win: BuddyWindow, at: QPoint) -> None:
    mouse(win, QEvent.Type.MouseButtonRelease, at, Qt.MouseButton.NoButton)


def test_the_window_is_small_frameless_on_top_and_never_takes_focus(window: BuddyWindow) -> None:
    assert_floats_without_focus(window)
    assert (window.width(), window.height()) == (SIZE, SIZE)


def test_show_and_hide_from_the_tray(window: BuddyWindow, qtbot: object) -> None:
    seen: list[bool] = []
    window.visibility_changed.connect(seen.append)
    window.show_pet()
    assert window.isVisible() and window.bubble.isVisible()  # it says hello
    window.hide_pet()
    assert not window.isVisible() and not window.bubble.isVisible()
    assert seen == [True, False]


def test_agent_events_drive_its_moods(window: BuddyWindow) -> None:
    states: list[str] = []
    window.state_changed.connect(states.append)
    question = make(events.PermissionRequested, call_id="c1", name="Write")
    for event in turn(make(events.TextDelta, text="ok"), question, *tool("Write")):
        window.on_event(event)
    assert states == ["thinking", "waiting", "working", "thinking", "happy"]
    window.on_event(make(events.ErrorOccurred, message="down"))
    assert window.state == "worried"


def test_the_voice_side_says_when_it_listens_and_speaks(window: BuddyWindow) -> None:
    window.set_listening(True)
    assert window.state == "listening"
    window.on_event(make(events.TurnStarted))
    assert window.state == "listening"
    window.set_listening(False)
    assert window.state == "thinking"
    window.set_speaking(True)
    assert window.state == "speaking"
    window.set_speaking(False)
    assert window.state == "idle"


def test_happy_returns_to_idle_after_a_while(
    window: BuddyWindow, clock: Clock, qtbot: object
) -> None:
    window.show_pet()
    window.on_event(make(events.TurnFinished, stop_reason="end_turn"))
    assert window.state == "happy"
    clock.advance(HOLD["happy"] + 0.1)
    qtbot.waitUntil(lambda: window.state == "idle", timeout=30_000)


def test_it_says_a_line_in_its_voice_when_something_happens(
    window: BuddyWindow, clock: Clock
) -> None:
    from agent.buddy.lines import LINES, voice_of

    window.show_pet()
    clock.advance(5)
    window.on_event(make(events.PermissionRequested, call_id="c1", name="Write"))
    assert window.bubble.isVisible()
    assert window.last_line in LINES[voice_of(window.buddy)]["waiting"]


def test_lines_do_not_chatter_on_every_tool(window: BuddyWindow, clock: Clock) -> None:
    window.show_pet()
    clock.advance(5)
    window.on_event(make(events.ToolStarted, call_id="a", name="Read"))
    first = window.last_line
    window.bubble.hide()
    window.on_event(make(events.ToolStarted, call_id="b", name="Read"))
    assert window.last_line == first and not window.bubble.isVisible()


def test_the_bubble_keeps_off_a_marked_permission_dialog(
    window: BuddyWindow, clock: Clock, qtbot: object
) -> None:
    window.show_pet()
    dialog = QDialog()
    qtbot.addWidget(dialog)
    dialog.setProperty("buddy_avoid", True)
    dialog.setGeometry(window.geometry().adjusted(-400, -300, 60, 60))
    dialog.show()
    assert any(r.intersects(dialog.frameGeometry()) for r in window.avoid_rects())
    qtbot.waitUntil(lambda: not window.bubble.isVisible(), timeout=30_000)
    clock.advance(20)
    window.on_event(make(events.PermissionRequested, call_id="c1", name="Write"))
    assert window.state == "waiting"
    if window.bubble.isVisible():
        assert not window.bubble.geometry().intersects(dialog.frameGeometry())


def test_rects_the_app_gives_are_kept_clear_too(window: BuddyWindow) -> None:
    window.set_avoid([QRect(1, 2, 3, 4)])
    assert QRect(1, 2, 3, 4) in window.avoid_rects()


def test_a_click_opens_the_card_and_another_closes_it(window: BuddyWindow) -> None:
    window.show_pet()
    middle = window.pos() + QPoint(64, 64)
    press(window, middle)
    release(window, middle)
    assert window.card.isVisible()
    assert not window.card.geometry().contains(middle)
    press(window, middle)
    release(window, middle)
    assert not window.card.isVisible()


def test_press_and_hold_pets_it_with_hearts(
    window: BuddyWindow, clock: Clock, qtbot: object
) -> None:
    window.show_pet()
    middle = window.pos() + QPoint(64, 64)
    press(window, middle)
    qtbot.waitUntil(lambda: window.petting, timeout=30_000)
    clock.advance(0.4)
    qtbot.waitUntil(lambda: len(window._hearts) >= 2, timeout=30_000)
    release(window, middle)
    assert not window.petting and not window.card.isVisible()


def test_dragging_moves_it_and_the_spot_is_remembered(window: BuddyWindow, qtbot: object) -> None:
    window.show_pet()
    start = window.pos()
    grab = start + QPoint(60, 60)
    press(window, grab)
    move(window, grab + QPoint(-30, -20))
    move(window, grab + QPoint(-200, -150))
    release(window, grab + QPoint(-200, -150))
    assert window.pos() == start + QPoint(-200, -150)
    assert not window.card.isVisible()
    saved = placement.load(placement.store_path())
    assert list(saved.screens.values()) == [(window.x(), window.y())]

    again = BuddyWindow(window.buddy, window.name)
    qtbot.addWidget(again)
    again.show_pet()
    assert again.pos() == window.pos()


def test_a_new_pet_sits_in_the_bottom_right_corner(window: BuddyWindow) -> None:
    window.show_pet()
    area = window.screen().availableGeometry()
    assert area.contains(window.frameGeometry())
    assert window.x() > area.center().x() and window.y() > area.center().y()


def test_the_spot_file_lives_under_the_isolated_config_home(isolated_env: Path) -> None:
    assert str(placement.store_path()).startswith(str(isolated_env))


def test_a_renamed_pet_shows_its_new_name(window: BuddyWindow) -> None:
    window.set_name("Crumpet")
    assert window.card.name == "Crumpet" and "Crumpet" in window.windowTitle()

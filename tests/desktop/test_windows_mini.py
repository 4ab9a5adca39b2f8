from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from desktop.windows.mini import MiniWindow
from tests.desktop.windows_helpers import screenshot


@pytest.fixture
def mini(qtbot: Any) -> MiniWindow:
    win = MiniWindow()
    qtbot.addWidget(win)
    win.show()
    return win


def test_holding_the_button_emits_pressed_then_released(mini: MiniWindow, qtbot: Any) -> None:
    seen: list[str] = []
    mini.talk_pressed.connect(lambda: seen.append("pressed"))
    mini.talk_released.connect(lambda: seen.append("released"))

    qtbot.mousePress(mini.talk_button, Qt.MouseButton.LeftButton)
    assert seen == ["pressed"]
    qtbot.mouseRelease(mini.talk_button, Qt.MouseButton.LeftButton)

    assert seen == ["pressed", "released"]


def test_the_state_is_shown_with_its_tooltip(mini: MiniWindow) -> None:
    mini.set_state("listening", "Harken: listening")

    assert mini.state_label.text() == "Listening…"
    assert mini.state_label.toolTip() == "Harken: listening"
    assert "#e5383b" in mini.dot.styleSheet()
    mini.set_state("something-new", "")
    assert mini.state_label.text() == "Something-new"


def test_the_menu_button_carries_the_given_menu(mini: MiniWindow) -> None:
    assert not mini.menu_button.isEnabled()
    menu = QMenu(mini)
    menu.addAction("Settings…")
    menu.addAction("Quit")

    mini.set_menu(menu)

    assert mini.menu_button.isEnabled() and mini.menu_button.menu() is menu


def test_stay_on_top_can_be_switched(mini: MiniWindow) -> None:
    assert mini.windowFlags() & Qt.WindowType.WindowStaysOnTopHint and mini.pin.isChecked()

    mini.pin.setChecked(False)
    assert not mini.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert mini.isVisible()
    mini.set_stay_on_top(True)
    assert mini.windowFlags() & Qt.WindowType.WindowStaysOnTopHint and mini.pin.isChecked()


def test_screenshot(mini: MiniWindow) -> None:
    mini.set_state("idle", "Harken: hold the hotkey and speak")
    mini.set_menu(QMenu(mini))
    screenshot(mini, "mini")

"""The mini window: Harken on desktops without a tray.

MiniWindow(stay_on_top=True)   build it (hidden)
set_state(name, tooltip)       the state as the tray would show it (idle, listening,
                               transcribing, working, waiting, speaking, error, paused)
set_menu(menu)                 the tray's menu, popped up by the Menu button
set_stay_on_top(on)            keep it above other windows (also its On top box)
talk_pressed(), talk_released()   signals from the big Hold to talk button (mouse or
                                  Space while it has focus)
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.windows.style import css, text_font, theme

# state -> (dot colour, words); the colours match the tray icon's badges.
STATES = {
    "idle": ("#2f9e44", "Ready"),
    "listening": ("#e5383b", "Listening…"),
    "transcribing": ("#f59f00", "Transcribing…"),
    "working": ("#1c7ed6", "Working…"),
    "waiting": ("#f76707", "Waiting for your permission"),
    "speaking": ("#2f9e44", "Speaking"),
    "error": ("#c92a2a", "Something went wrong"),
    "paused": ("#868e96", "Listening paused"),
}


class MiniWindow(QWidget):
    talk_pressed = Signal()
    talk_released = Signal()

    def __init__(self, stay_on_top: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Harken")
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, stay_on_top)
        colours = theme()
        self.state = "idle"

        self.dot = QLabel("●")
        self.dot.setFont(text_font(1.2))
        self.state_label = QLabel()
        self.state_label.setFont(text_font(1.05, bold=True))
        self.pin = QCheckBox("On top")
        self.pin.setChecked(stay_on_top)
        self.pin.setFont(text_font(0.9))
        self.pin.setToolTip("Keep Harken above other windows")
        self.pin.toggled.connect(self.set_stay_on_top)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.dot)
        top.addWidget(self.state_label, 1)
        top.addWidget(self.pin)

        self.talk_button = QPushButton("Hold to talk")
        self.talk_button.setFont(text_font(1.2, bold=True))
        self.talk_button.setMinimumHeight(64)
        self.talk_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.talk_button.setStyleSheet(
            f"QPushButton {{ background: {css(colours.accent)}; color: white; border: none;"
            " border-radius: 12px; padding: 8px 18px; }"
            f"QPushButton:pressed {{ background: {STATES['listening'][0]}; }}"
        )
        self.talk_button.pressed.connect(self.talk_pressed)
        self.talk_button.released.connect(self.talk_released)

        self.menu_button = QPushButton("Menu")
        self.menu_button.setEnabled(False)
        hint = QLabel("or use your push-to-talk key")
        hint.setFont(text_font(0.9))
        hint.setStyleSheet(f"color: {css(colours.muted)};")
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(self.menu_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.setSpacing(12)
        layout.addLayout(top)
        layout.addWidget(self.talk_button)
        layout.addLayout(bottom)
        self.set_state("idle", "")
        self.setFixedWidth(300)

    def set_state(self, name: str, tooltip: str) -> None:
        colour, words = STATES.get(name, ("#868e96", name.capitalize()))
        self.state = name
        self.dot.setStyleSheet(f"color: {colour};")
        self.state_label.setText(words)
        self.state_label.setToolTip(tooltip)
        self.dot.setToolTip(tooltip)
        self.setToolTip(tooltip)

    def set_menu(self, menu: QMenu) -> None:
        """The menu the Menu button pops up (the tray's own, rebuilt as it opens)."""
        self.menu_button.setMenu(menu)
        self.menu_button.setEnabled(True)

    def set_stay_on_top(self, on: bool) -> None:
        self.pin.blockSignals(True)
        self.pin.setChecked(on)
        self.pin.blockSignals(False)
        visible = self.isVisible()
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, on)
        if visible:
            self.show()  # changing window flags hides a window

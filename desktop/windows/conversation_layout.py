"""The conversation window's widgets and their layout (its behaviour is ``conversation``).

``ConversationLayout._build`` is mixed into ``ConversationWindow``, as a Designer form's
``setupUi`` would be: the scrolling list of entries (with a hint while it is empty), the
composer (the prompt box, Send, and Stop while a turn runs; Esc stops too), and a footer
with the status and the session's usage. The list follows the newest entry unless the
person scrolled up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.windows.prompt_box import PromptBox
from desktop.windows.style import Theme, css, text_font

EMPTY_HINT = "Hold your push-to-talk key and speak,\nor type a request below."


class ConversationLayout:
    """Mixed into ``ConversationWindow`` (a ``QWidget``), which sets the attributes below
    and holds the slots the widgets are connected to."""

    colours: Theme
    stop_requested: Signal
    _busy: bool

    if TYPE_CHECKING:  # the window's own methods, used here

        def _submit(self) -> None: ...
        def _user_scrolled(self, value: int) -> None: ...
        def _content_grew(self, _low: int, high: int) -> None: ...

    def _build(self) -> None:
        colours = self.colours
        self._list = QWidget()
        self._list.setObjectName("conversationList")
        self._list.setStyleSheet(f"#conversationList {{ background: {css(colours.base)}; }}")
        self._layout = QVBoxLayout(self._list)
        self._layout.setContentsMargins(20, 18, 20, 18)
        self._layout.setSpacing(10)
        self._empty = QLabel(EMPTY_HINT)
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setFont(text_font(1.1))
        self._empty.setStyleSheet(f"color: {css(colours.muted)}; padding-top: 120px;")
        self._layout.addWidget(self._empty)
        self._layout.addStretch(1)

        self._scroll = QScrollArea()
        self._scroll.setWidget(self._list)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = self._scroll.verticalScrollBar()
        bar.valueChanged.connect(self._user_scrolled)
        bar.rangeChanged.connect(self._content_grew)

        self.prompt = PromptBox()
        self.prompt.setFont(text_font(1.1))
        self.prompt.setPlaceholderText("Type a request — Enter sends, Shift+Enter for a new line")
        self.prompt.send.connect(self._submit)
        self.send_button = QPushButton("Send")
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self._submit)
        self.stop_button = QPushButton("■  Stop")
        self.stop_button.setToolTip("Stop the current task (Esc)")
        self.stop_button.clicked.connect(self.stop_requested)
        self.stop_button.hide()
        composer = QFrame()
        composer.setObjectName("composer")
        composer.setStyleSheet(
            f"#composer {{ background: {css(colours.base)}; border: 1px solid"
            f" {css(colours.faint)}; border-radius: 10px; }}"
        )
        row = QHBoxLayout(composer)
        row.setContentsMargins(10, 6, 6, 6)
        row.setSpacing(8)
        row.addWidget(self.prompt, 1)
        row.addWidget(self.send_button, 0, Qt.AlignmentFlag.AlignBottom)
        row.addWidget(self.stop_button, 0, Qt.AlignmentFlag.AlignBottom)

        self.status_label = QLabel("")
        self.usage_label = QLabel("No usage yet")
        for label in (self.status_label, self.usage_label):
            label.setFont(text_font(0.9))
            label.setStyleSheet(f"color: {css(colours.muted)};")
        footer = QHBoxLayout()
        footer.setContentsMargins(4, 0, 4, 0)
        footer.addWidget(self.status_label)
        footer.addStretch(1)
        footer.addWidget(self.usage_label)

        bottom = QVBoxLayout()
        bottom.setContentsMargins(14, 10, 14, 8)
        bottom.setSpacing(6)
        bottom.addWidget(composer)
        bottom.addLayout(footer)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setStyleSheet(f"color: {css(colours.faint)};")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self._scroll, 1)
        outer.addWidget(rule)
        outer.addLayout(bottom)
        stop = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        stop.activated.connect(lambda: self._busy and self.stop_requested.emit())

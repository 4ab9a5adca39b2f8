"""The box to type a request in: Enter sends, Shift+Enter starts a new line.

It grows with its text from one line to ``MAX_LINES`` and scrolls beyond that.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QSizePolicy, QWidget

MAX_LINES = 6


class PromptBox(QPlainTextEdit):
    send = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().setDocumentMargin(4)
        # The plain-text layout measures its height in visual (wrapped) lines.
        self.document().documentLayout().documentSizeChanged.connect(self._fit)
        self._fit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.send.emit()
            return
        if enter:  # Shift+Enter: a plain new line (not Qt's line separator)
            self.insertPlainText("\n")
            return
        super().keyPressEvent(event)

    def _fit(self, *_size: object) -> None:
        line = self.fontMetrics().lineSpacing()
        visual = math.ceil(self.document().documentLayout().documentSize().height())
        lines = max(1, min(MAX_LINES, visual))
        margins = self.contentsMargins()
        padding = 2 * math.ceil(self.document().documentMargin()) + margins.top() + margins.bottom()
        self.setVerticalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAsNeeded
            if visual > MAX_LINES
            else Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.setFixedHeight(lines * line + padding + 4)

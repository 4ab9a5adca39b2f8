"""The AskUserQuestion dialog: the model's questions, answered by click, typing or voice.

    dialog = QuestionDialog(event)       one ``agent.questions.QuestionAsked``
    dialog.answered -> dict              question text -> answer (labels joined by ", ")
    dialog.declined -> str               closed or skipped: why, for the model
    dialog.answer_by_voice(text) -> bool a spoken reply to the first open question

Each question shows its header, its options (radio buttons, or check boxes when several
may be chosen) with their descriptions, and a line for an answer in the user's own words
(the only way in for a free question). Send answers them all; a spoken reply picks the
options it names ("the second one", a label) or, for a free question, is the answer, and
the dialog sends itself once every question has an answer.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from audio.answer_words import chosen_options
from desktop.windows.chord_guard import guard

if TYPE_CHECKING:
    from agent.questions import Question, QuestionAsked

log = logging.getLogger(__name__)

TITLE = "Harken asks"
SKIPPED = "The user closed the question without answering."


class _QuestionBox(QGroupBox):
    """One question: its options and a line for the user's own words."""

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(question.header or "Question", parent)
        self.question = question
        layout = QVBoxLayout(self)
        label = QLabel(question.question)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.group = QButtonGroup(self)
        self.group.setExclusive(not question.multi_select)
        self.buttons: list[QAbstractButton] = []
        for option in question.options:
            kind = QCheckBox if question.multi_select else QRadioButton
            button = kind(option.label)
            button.setToolTip(option.description)
            self.group.addButton(button)
            self.buttons.append(button)
            layout.addWidget(button)
            if option.description:
                hint = QLabel(option.description)
                hint.setWordWrap(True)
                hint.setIndent(24)
                layout.addWidget(hint)
        self.own = QLineEdit()
        self.own.setPlaceholderText("Or answer in your own words")
        layout.addWidget(self.own)

    def answer(self) -> str:
        """The chosen labels (", "-joined), else the typed words; "" when unanswered."""
        chosen = [b.text() for b in self.buttons if b.isChecked()]
        return ", ".join(chosen) if chosen else self.own.text().strip()

    def take_spoken(self, text: str) -> bool:
        """Apply a spoken reply; whether it answered this question."""
        labels = [o.label for o in self.question.options]
        picked = chosen_options(text, labels)
        if picked and (self.question.multi_select or len(picked) == 1):
            for i in picked:
                self.buttons[i].setChecked(True)
            return True
        if not labels:  # a free question: the words are the answer
            self.own.setText(text.strip())
            return bool(text.strip())
        return False


class QuestionDialog(QDialog):
    """The questions of one AskUserQuestion call; answered or declined exactly once."""

    answered = Signal(dict)
    declined = Signal(str)

    def __init__(self, event: QuestionAsked, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.asked = event
        self.done_ = False
        self.setWindowTitle(TITLE)
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.setProperty("buddy_avoid", True)
        layout = QVBoxLayout(self)
        self.boxes = [_QuestionBox(q, self) for q in event.questions]
        for box in self.boxes:
            layout.addWidget(box)
        hint = QLabel("Hold the hotkey and say your answer, or choose and press Send.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        row = QHBoxLayout()
        row.addStretch(1)
        self.skip_button = QPushButton("Skip")
        self.send_button = QPushButton("Send")
        self.send_button.setDefault(True)
        self.skip_button.clicked.connect(lambda: self.decline(SKIPPED))
        self.send_button.clicked.connect(self.send)
        row.addWidget(self.skip_button)
        row.addWidget(self.send_button)
        layout.addLayout(row)
        self.resize(520, self.sizeHint().height())
        guard(self)  # the held hotkey's Space must not pick an option or press Send

    def answers(self) -> dict[str, str]:
        return {box.question.question: box.answer() for box in self.boxes}

    def send(self) -> None:
        """Send the answers, if every question has one (else nothing happens)."""
        answers = self.answers()
        if not self.done_ and all(answers.values()):
            self._finish()
            self.answered.emit(answers)

    def answer_by_voice(self, text: str) -> bool:
        """A spoken reply to the first unanswered question; whether it was understood.
        Once every question is answered the dialog sends itself."""
        open_boxes = [box for box in self.boxes if not box.answer()]
        if not open_boxes or not open_boxes[0].take_spoken(text):
            return False
        self.send()
        return True

    def decline(self, why: str) -> None:
        if not self.done_:
            self._finish()
            self.declined.emit(why)

    def reject(self) -> None:  # Esc
        self.decline(SKIPPED)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.decline(SKIPPED)
        event.accept()

    def _finish(self) -> None:
        self.done_ = True
        self.hide()

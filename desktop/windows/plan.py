"""The plan window: a deep-planning result to read, edit and then approve, refine or reject.

    window = PlanWindow(plan, mode="standard")
    window.approved(str, str)        Approve: the (edited) plan text and the mode to run it in
    window.refine_requested(str)     Refine: the typed feedback for another planning round
    window.rejected()                Reject: the plan is dropped (its saved file stays)
    window.show_plan(plan)           a new plan (after a refinement round) replaces the text
    window.set_planning(True)        while a round runs: the buttons wait

The plan is Markdown: "Edit" holds its source (editable; Approve runs what is there),
"Preview" renders it. The window only shows and asks; the app runs the plan
(``desktop.agent_side``). Choosing Bypass asks for confirmation first, as the tray does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.tray import MODES, ask_bypass
from desktop.windows.markdown import render_markdown

if TYPE_CHECKING:
    from agent.agents.planning import Plan

RUN_MODES = tuple((mode, label) for mode, label in MODES if mode != "plan")  # plan mode cannot


class PlanWindow(QWidget):
    """One plan, editable, with Approve / Refine / Reject."""

    approved = Signal(str, str)
    refine_requested = Signal(str)
    rejected = Signal()

    def __init__(
        self,
        plan: Plan,
        *,
        mode: str = "standard",
        confirm_bypass: Callable[[QWidget | None], bool] = ask_bypass,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Harken plan")
        self.resize(760, 620)
        self.confirm_bypass = confirm_bypass
        self.plan = plan
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.editor = QPlainTextEdit()
        self.preview = QTextBrowser()
        self.preview.setOpenExternalLinks(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.editor, "Edit")
        self.tabs.addTab(self.preview, "Preview")
        self.tabs.currentChanged.connect(self._render)
        self.mode = QComboBox()
        for value, label in RUN_MODES:
            self.mode.addItem(label, value)
        self.mode.setCurrentIndex(max(0, self.mode.findData(mode)))  # plan mode: Standard
        self.feedback = QLineEdit()
        self.feedback.setPlaceholderText("What should the next round change? Then Refine.")
        self.feedback.textChanged.connect(lambda _: self._enable())
        self.feedback.returnPressed.connect(self._refine)
        self.approve_button = QPushButton("Approve and run")
        self.refine_button = QPushButton("Refine")
        self.reject_button = QPushButton("Reject")
        self.approve_button.clicked.connect(self._approve)
        self.refine_button.clicked.connect(self._refine)
        self.reject_button.clicked.connect(self._reject)
        self.status = QLabel("")
        run_row = QHBoxLayout()
        run_row.addWidget(QLabel("Run in"))
        run_row.addWidget(self.mode, 1)
        run_row.addWidget(self.approve_button)
        refine_row = QHBoxLayout()
        refine_row.addWidget(self.feedback, 1)
        refine_row.addWidget(self.refine_button)
        refine_row.addWidget(self.reject_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(run_row)
        layout.addLayout(refine_row)
        layout.addWidget(self.status)
        self._planning = False
        self.show_plan(plan)

    def show_plan(self, plan: Plan) -> None:
        """Show ``plan`` (its text replaces what the editor held)."""
        self.plan = plan
        cost = f"${plan.cost_usd:.4f}"
        self.heading.setText(f"<b>{_escape(plan.prompt)}</b><br>{plan.status} · {cost}")
        self.editor.setPlainText(plan.text)
        self._render()
        self.set_planning(False)

    def set_planning(self, planning: bool) -> None:
        """While a refinement round runs, nothing can be approved or sent."""
        self._planning = planning
        self.status.setText("Planning another round…" if planning else "")
        self._enable()

    def text(self) -> str:
        """The plan as it stands in the editor."""
        return self.editor.toPlainText()

    def _enable(self) -> None:
        idle = not self._planning
        self.approve_button.setEnabled(idle and bool(self.text().strip()))
        self.refine_button.setEnabled(idle and bool(self.feedback.text().strip()))
        self.reject_button.setEnabled(idle)

    def _render(self, _index: int = 0) -> None:
        render_markdown(self.preview.document(), self.text())

    def _approve(self) -> None:
        mode = str(self.mode.currentData())
        if mode == "bypass" and not self.confirm_bypass(self):
            return
        self.approved.emit(self.text(), mode)
        self.close()

    def _refine(self) -> None:
        feedback = self.feedback.text().strip()
        if not feedback or self._planning:
            return
        self.feedback.clear()
        self.set_planning(True)
        self.refine_requested.emit(feedback)

    def _reject(self) -> None:
        self.rejected.emit()
        self.close()


def refine_prompt(plan: Plan, edited: str, feedback: str) -> str:
    """The request for another planning round: the task, the plan so far, the feedback."""
    return (
        f"{plan.prompt}\n\nThe plan so far (as the user left it):\n\n{edited}\n\n"
        f"The user's feedback on it: {feedback}\n\nMake a revised plan."
    )


def run_request(text: str) -> str:
    """The request that carries out an approved plan."""
    return f"Carry out this approved plan, step by step:\n\n{text}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""The permission dialog: one tool call waits for a person's yes or no.

    PermissionDialog(request, workspace, parent=None)   build it for a PermissionRequested
    answered(PermissionAnswer)                          a signal, emitted exactly once

It shows which tool, the one-line summary and the folder, the risk (coloured) and why,
the change as a diff for Write and Edit, and the full input. Buttons: Allow once (A),
Always allow (L; names the rule it adds, or says why it is not offered) and Deny (D, Esc,
or closing the window). It only reports the answer; the app resolves the request.

It takes focus when shown, as the one window that must. So that a key typed into another
window at that moment cannot approve anything, allowing is armed ``arm_delay_ms`` after
the dialog appears (denying works at once), and Enter presses Deny.
"""

from __future__ import annotations

import html
import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from agent.events import PermissionAnswer, PermissionRequested
from desktop.windows.chord_guard import guard
from desktop.windows.diff_preview import Preview, preview_for, tilde
from desktop.windows.diff_view import DiffView
from desktop.windows.style import RISK_LABELS, css, mix, mono_font, risk_colour, text_font, theme

log = logging.getLogger(__name__)

ARM_DELAY_MS = 500
INPUT_CAP = 200_000  # characters of pretty-printed input shown
ACTIONS = {
    "Bash": "run a command",
    "Write": "write a file",
    "Edit": "edit a file",
    "WebFetch": "fetch a web page",
    "Read": "read a file",
    "Glob": "list files",
    "Grep": "search files",
    "KillShell": "stop a background command",
}
DENIED = "the user said no"


class PermissionDialog(QDialog):
    answered = Signal(object)

    def __init__(
        self,
        request: PermissionRequested,
        workspace: Path,
        parent: QWidget | None = None,
        *,
        arm_delay_ms: int = ARM_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self.request = request
        self.workspace = Path(workspace)
        self.answer: PermissionAnswer | None = None
        self.armed = arm_delay_ms <= 0
        self.colours = theme()
        self.setWindowTitle(f"Harken — allow {request.name}?")
        self.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint)
        self.setProperty("buddy_avoid", True)
        self.preview = preview_for(request.name, request.input, self.workspace)
        self._build()
        self._arm_timer = QTimer(self)
        self._arm_timer.setSingleShot(True)
        self._arm_timer.setInterval(max(0, arm_delay_ms))
        self._arm_timer.timeout.connect(self._arm)
        self._set_allow_enabled(self.armed)
        for key, action in (("A", self.allow_once), ("L", self.allow_always), ("D", self.deny)):
            QShortcut(QKeySequence(key), self, activated=action)
        guard(self)  # the held hotkey's Space must not click Deny (answering by voice)
        self.resize(680, 600 if self.preview is not None else 460)

    # ---- building ----

    def _build(self) -> None:
        request, colours = self.request, self.colours
        tint = risk_colour(request.risk)
        action = ACTIONS.get(request.name, f"use {request.name}")

        question = QLabel(f"Harken wants to {action}")
        question.setFont(text_font(0.95, bold=True))
        question.setStyleSheet(f"color: {css(colours.muted)};")
        self.risk_badge = QLabel(RISK_LABELS.get(request.risk, request.risk.capitalize()).upper())
        self.risk_badge.setFont(text_font(0.8, bold=True))
        self.risk_badge.setStyleSheet(
            f"color: white; background: {css(tint)}; border-radius: 7px; padding: 3px 10px;"
        )
        top = QHBoxLayout()
        top.addWidget(question)
        top.addStretch(1)
        top.addWidget(self.risk_badge)

        self.summary = QLabel(request.description or request.name)
        self.summary.setFont(text_font(1.35, bold=True))
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where = QLabel(f"in {tilde(self.workspace)}")
        where.setStyleSheet(f"color: {css(colours.muted)};")
        where.setTextFormat(Qt.TextFormat.PlainText)
        self.folder = where

        self.why = QLabel(request.reason or "No reason given.")
        self.why.setWordWrap(True)
        self.why.setTextFormat(Qt.TextFormat.PlainText)
        why_box = QFrame()
        why_box.setObjectName("why")
        why_box.setStyleSheet(
            f"#why {{ background: {css(mix(tint, colours.base, 0.9))};"
            f" border-left: 4px solid {css(tint)}; border-radius: 4px; }}"
        )
        why_caption = QLabel("WHY IT ASKS")
        why_caption.setFont(text_font(0.75, bold=True))
        why_caption.setStyleSheet(f"color: {css(tint.darker(130))};")
        why_layout = QVBoxLayout(why_box)
        why_layout.setContentsMargins(12, 8, 12, 9)
        why_layout.setSpacing(2)
        why_layout.addWidget(why_caption)
        why_layout.addWidget(self.why)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(where)
        layout.addSpacing(8)
        layout.addWidget(why_box)
        command = self.request.input.get("command") if request.name == "Bash" else None
        if isinstance(command, str):
            layout.addSpacing(6)
            layout.addWidget(self._command_box(command))
        layout.addSpacing(6)
        layout.addWidget(self._details(), 1)
        layout.addSpacing(10)
        layout.addLayout(self._buttons())
        self.rule_note = QLabel(self._rule_text())
        self.rule_note.setWordWrap(True)
        self.rule_note.setFont(text_font(0.9))
        self.rule_note.setStyleSheet(f"color: {css(colours.muted)};")
        self.rule_note.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.rule_note)

    def _command_box(self, command: str) -> QLabel:
        self.command = QLabel(f"$ {command}")
        self.command.setFont(mono_font(1.05))
        self.command.setWordWrap(True)
        self.command.setTextFormat(Qt.TextFormat.PlainText)
        self.command.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command.setObjectName("command")
        self.command.setStyleSheet(
            f"#command {{ background: {css(self.colours.base)}; border-radius: 6px;"
            f" border: 1px solid {css(self.colours.faint)}; padding: 10px 12px;"
            f" color: {css(self.colours.text)}; }}"
        )
        return self.command

    def _details(self) -> QWidget:
        self.input_view = DiffView()
        self.input_view.show_text(_pretty(self.request.input))
        self.diff_view: DiffView | None = None
        if self.preview is None:
            self.tabs = None
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(4)
            caption = QLabel("FULL INPUT")
            caption.setFont(text_font(0.75, bold=True))
            caption.setStyleSheet(f"color: {css(self.colours.muted)};")
            column.addWidget(caption)
            column.addWidget(self.input_view, 1)
            return box
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._changes(self.preview), _changes_title(self.preview))
        self.tabs.addTab(self.input_view, "Full input")
        return self.tabs

    def _changes(self, preview: Preview) -> QWidget:
        page = QWidget()
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 8, 0, 0)
        column.setSpacing(6)
        self.preview_note = QLabel(preview.note)
        self.preview_note.setWordWrap(True)
        self.preview_note.setTextFormat(Qt.TextFormat.PlainText)
        failing = not preview.lines
        colour = self.colours.warn if failing else self.colours.muted
        self.preview_note.setStyleSheet(f"color: {css(colour)};")
        self.preview_note.setVisible(bool(preview.note))
        column.addWidget(self.preview_note)
        if preview.lines:
            self.diff_view = DiffView()
            self.diff_view.show_lines(preview.lines)
            column.addWidget(self.diff_view, 1)
        else:
            column.addStretch(1)
        return page

    def _buttons(self) -> QHBoxLayout:
        self.deny_button = QPushButton("&Deny")
        self.always_button = QPushButton("A&lways allow")
        self.allow_button = QPushButton("&Allow once")
        self.deny_button.setToolTip("Refuse this call (D or Esc)")
        self.allow_button.setToolTip("Allow this one call (A)")
        rule = self.request.always_rule
        if rule:
            self.always_button.setToolTip(f"Allow now and add the rule {rule} for this folder (L)")
        else:
            self.always_button.setToolTip(_NOT_OFFERED)
        for button in (self.allow_button, self.always_button):
            button.setAutoDefault(False)
        self.deny_button.setDefault(True)  # Enter, perhaps meant for another window, denies
        self.allow_button.setStyleSheet(
            f"QPushButton {{ background: {css(self.colours.accent)}; color: white;"
            " border-radius: 5px; padding: 5px 16px; font-weight: bold; }"
            f"QPushButton:disabled {{ background: {css(self.colours.faint)}; }}"
        )
        self.deny_button.clicked.connect(self.deny)
        self.always_button.clicked.connect(self.allow_always)
        self.allow_button.clicked.connect(self.allow_once)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.deny_button)
        row.addStretch(1)
        row.addWidget(self.always_button)
        row.addWidget(self.allow_button)
        return row

    def _rule_text(self) -> str:
        rule = self.request.always_rule
        if rule:
            mono = mono_font().family()
            code = f"<span style='font-family: \"{mono}\";'>{html.escape(rule)}</span>"
            return f"Always allow adds the rule {code} for this folder."
        return html.escape(
            f"Always allow is not offered: {_NOT_OFFERED[0].lower()}{_NOT_OFFERED[1:]}"
        )

    # ---- answering ----

    def allow_once(self) -> None:
        if self.armed:
            self._finish(PermissionAnswer(True))

    def allow_always(self) -> None:
        if self.armed and self.request.always_rule:
            self._finish(PermissionAnswer(True, always=True))

    def deny(self) -> None:
        self._finish(PermissionAnswer(False, message=DENIED))

    def reject(self) -> None:  # Esc
        self.deny()

    def answer_from_elsewhere(self, answer: PermissionAnswer) -> None:
        """An answer given outside the dialog (the bridge, an editor): it closes as if its
        button were pressed, unarmed or not (no accidental click to guard against); the
        first answer wins."""
        self._finish(answer)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.answer is None:
            self.deny()
        event.accept()

    def _finish(self, answer: PermissionAnswer) -> None:
        if self.answer is not None:
            return
        self.answer = answer
        self.answered.emit(answer)
        self.done(QDialog.DialogCode.Accepted if answer.allow else QDialog.DialogCode.Rejected)

    # ---- showing ----

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self.raise_()
        self.activateWindow()
        self.deny_button.setFocus()
        if not self.armed:
            self._arm_timer.start()

    def _arm(self) -> None:
        self.armed = True
        self._set_allow_enabled(True)
        # Said in the log so a person reading it (and the end-to-end test) knows from when
        # on a key press could allow.
        log.info("permission dialog for %s: Allow can be pressed now", self.request.name)

    def _set_allow_enabled(self, on: bool) -> None:
        self.allow_button.setEnabled(on)
        self.always_button.setEnabled(on and bool(self.request.always_rule))


_NOT_OFFERED = "No rule would allow only calls like this one safely, so it is asked each time."


def _pretty(data: dict[str, Any]) -> str:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if len(text) > INPUT_CAP:
        text = text[:INPUT_CAP] + f"\n… {len(text) - INPUT_CAP:,} more characters not shown"
    return text


def _changes_title(preview: Preview) -> str:
    if not preview.lines:
        return "Changes"
    return f"Changes  +{preview.added} −{preview.removed}"

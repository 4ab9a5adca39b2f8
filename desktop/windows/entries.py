"""The pieces a conversation is drawn from, one widget each.

    HeardEntry     the person's words (spoken or typed), on a tinted card
    AnswerEntry    streamed answer text; ``render()`` turns what arrived into markdown
    ThinkingEntry  the model's reasoning: one dim line that opens to the text
    ToolEntry      one line per tool call ("● Editing src/app.py"); a click opens its input
                   and output
    NoticeEntry    a notice, a retry or an error, with a coloured edge

Each has ``plain_text()``: what a person sees in it now (for copying and for tests).
Text is appended cheaply; the conversation window decides when to ``render()``.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontMetrics, QMouseEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout

from desktop.windows.markdown import MarkdownView
from desktop.windows.style import Theme, css, mono_font, text_font, theme

OUTPUT_CAP = 6000  # characters of tool output shown; the rest is summarised in a line


def _label(text: str = "", *, wrap: bool = True, selectable: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class HeardEntry(QFrame):
    """What the person said or typed."""

    def __init__(self, text: str, colours: Theme | None = None) -> None:
        super().__init__()
        colours = colours or theme()
        self.setObjectName("heard")
        self.setStyleSheet(f"#heard {{ background: {css(colours.user_bg)}; border-radius: 10px; }}")
        caption = _label("You", selectable=False)
        caption.setFont(text_font(0.85, bold=True))
        caption.setStyleSheet(f"color: {css(colours.muted)};")
        self.words = _label(text)
        self.words.setFont(text_font(1.1))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 10)
        layout.setSpacing(2)
        layout.addWidget(caption)
        layout.addWidget(self.words)

    def plain_text(self) -> str:
        return self.words.text()


class AnswerEntry(MarkdownView):
    """A stretch of the streamed answer (between tool calls)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFont(text_font(1.1))
        self.text = ""
        self.dirty = False

    def append(self, text: str) -> None:
        self.text += text
        self.dirty = True

    def render(self) -> None:
        if self.dirty:
            self.dirty = False
            self.set_markdown(self.text)

    def plain_text(self) -> str:
        return self.toPlainText()


class _Header(QFrame):
    """A row that toggles its entry's details when clicked (or Space/Enter when focused)."""

    clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.clicked.emit()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.clicked.emit()
        else:
            super().keyPressEvent(event)


class _Elided(QLabel):
    """One line of text, cut with "…" when the row is too narrow."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.full = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def set_full(self, text: str) -> None:
        self.full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        metrics = QFontMetrics(self.font())
        self.setText(metrics.elidedText(self.full, Qt.TextElideMode.ElideRight, self.width()))


class _Collapsible(QFrame):
    """A header line and a body that a click shows or hides."""

    def __init__(self, colours: Theme) -> None:
        super().__init__()
        self.colours = colours
        self.header = _Header()
        self.row = QHBoxLayout(self.header)
        self.row.setContentsMargins(6, 3, 6, 3)
        self.row.setSpacing(8)
        self.chevron = _label("›", wrap=False, selectable=False)
        self.chevron.setStyleSheet(f"color: {css(colours.muted)};")
        self.body = QFrame()
        self.body.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(self.body)
        self.header.clicked.connect(self.toggle)

    @property
    def expanded(self) -> bool:
        return not self.body.isHidden()

    def toggle(self) -> None:
        self.set_expanded(not self.expanded)

    def set_expanded(self, on: bool) -> None:
        self.body.setVisible(on)
        self.chevron.setText("⌄" if on else "›")


class ThinkingEntry(_Collapsible):
    """The model's reasoning, dimmed and closed until clicked."""

    def __init__(self, colours: Theme | None = None) -> None:
        super().__init__(colours or theme())
        dim = css(self.colours.muted)
        self.title = _label("✻ Thinking…", wrap=False, selectable=False)
        self.title.setFont(text_font(0.95))
        self.title.setStyleSheet(f"color: {dim}; font-style: italic;")
        self.row.addWidget(self.title)
        self.row.addWidget(self.chevron)
        self.row.addStretch(1)
        self.words = _label()
        self.words.setStyleSheet(f"color: {dim}; font-style: italic;")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(22, 0, 8, 4)
        body.addWidget(self.words)
        self.text = ""
        self.dirty = False

    def append(self, text: str) -> None:
        self.text += text
        self.dirty = True

    def render(self) -> None:
        if self.dirty:
            self.dirty = False
            self.words.setText(self.text.strip())

    def finish(self) -> None:
        self.title.setText("✻ Thought")

    def plain_text(self) -> str:
        title = self.title.text()
        return f"{title}\n{self.words.text()}" if self.expanded else title


class ToolEntry(_Collapsible):
    """One tool call: a status dot, the human line, its time; opens to input and output."""

    def __init__(
        self, call_id: str, name: str, description: str, data: dict[str, Any], colours: Theme
    ) -> None:
        super().__init__(colours)
        self.call_id, self.name = call_id, name
        self.state = "running"
        self._duration = 0.0
        self.header.setObjectName("toolHeader")
        self.header.setStyleSheet(
            f"#toolHeader {{ border-radius: 6px; }}"
            f"#toolHeader:hover {{ background: {css(colours.code_bg)}; }}"
        )
        self.dot = _label("●", wrap=False, selectable=False)
        self.line = _Elided()
        self.line.setFont(text_font(1.0))
        self.status = _label("", wrap=False, selectable=False)
        self.status.setStyleSheet(f"color: {css(colours.muted)};")
        self.status.setFont(text_font(0.9))
        for widget in (self.dot, self.line, self.status, self.chevron):
            self.row.addWidget(widget)
        self.row.setStretch(1, 1)

        self.body.setObjectName("toolBody")
        self.body.setStyleSheet(
            f"#toolBody {{ background: {css(colours.code_bg)}; border-radius: 6px; }}"
        )
        self.input_view = _label()
        self.output_view = _label()
        for view in (self.input_view, self.output_view):
            view.setFont(mono_font(0.95))
        self.output_caption = self._caption("Output")
        body = QVBoxLayout(self.body)
        body.setContentsMargins(12, 8, 12, 10)
        body.setSpacing(4)
        body.addWidget(self._caption("Input"))
        body.addWidget(self.input_view)
        body.addSpacing(4)
        body.addWidget(self.output_caption)
        body.addWidget(self.output_view)
        self.output_caption.hide()
        self.output_view.hide()
        self.update_call(description, data)

    def _caption(self, text: str) -> QLabel:
        caption = _label(text.upper(), wrap=False, selectable=False)
        caption.setFont(text_font(0.75, bold=True))
        caption.setStyleSheet(f"color: {css(self.colours.muted)}; letter-spacing: 1px;")
        return caption

    def update_call(self, description: str, data: dict[str, Any]) -> None:
        self.input_data = data
        self.line.set_full(description)
        self.input_view.setText(json.dumps(data, indent=2, ensure_ascii=False) if data else "{}")
        self._paint_state()

    def set_waiting(self) -> None:
        self.state = "waiting"
        self._paint_state()

    def set_running(self) -> None:
        self.state = "running"
        self._paint_state()

    def finish(self, output: str, is_error: bool, duration_ms: float) -> None:
        self.state = "failed" if is_error else "done"
        shown = output if len(output) <= OUTPUT_CAP else output[:OUTPUT_CAP]
        if len(output) > OUTPUT_CAP:
            shown += f"\n… {len(output) - OUTPUT_CAP:,} more characters"
        self.output_view.setText(shown.rstrip() or "(no output)")
        colour = self.colours.error if is_error else self.colours.text
        self.output_view.setStyleSheet(f"color: {css(colour)};")
        self.output_caption.setText("ERROR" if is_error else "OUTPUT")
        self.output_caption.show()
        self.output_view.show()
        self._duration = duration_ms
        self._paint_state()

    def _paint_state(self) -> None:
        colours = self.colours
        colour, status = {
            "waiting": (colours.warn, "waiting for permission"),
            "running": (colours.accent, "running…"),
            "done": (colours.ok, ""),
            "failed": (colours.error, "failed"),
        }[self.state]
        if self.state in ("done", "failed") and self._duration > 0:
            took = _seconds(self._duration)
            status = f"{status} · {took}" if status else took
        self.dot.setStyleSheet(f"color: {css(colour)};")
        self.status.setText(status)

    def plain_text(self) -> str:
        parts = [f"● {self.line.full}" + (f"  {self.status.text()}" if self.status.text() else "")]
        if self.expanded:
            parts += ["Input", self.input_view.text()]
            if not self.output_view.isHidden():
                parts += [self.output_caption.text().capitalize(), self.output_view.text()]
        return "\n".join(parts)


def _seconds(ms: float) -> str:
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


class NoticeEntry(QFrame):
    """A line to notice: ``info`` (a notice), ``warn`` (a retry, a stop) or ``error``."""

    def __init__(self, kind: str, text: str, colours: Theme | None = None) -> None:
        super().__init__()
        colours = colours or theme()
        self.kind = kind
        edge, background, glyph = {
            "info": (colours.faint, colours.base, "ⓘ"),
            "warn": (colours.warn, colours.warn_bg, "↻"),
            "error": (colours.error, colours.error_bg, "⚠"),
        }[kind]
        self.setObjectName("notice")
        self.setStyleSheet(
            f"#notice {{ background: {css(background)}; border-left: 3px solid {css(edge)}; }}"
        )
        icon = _label(glyph, wrap=False, selectable=False)
        icon.setStyleSheet(f"color: {css(edge if kind != 'info' else colours.muted)};")
        self.words = _label(text)
        ink = (
            colours.error if kind == "error" else colours.muted if kind == "info" else colours.text
        )
        self.words.setStyleSheet(f"color: {css(ink)};")
        self.words.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.setSpacing(8)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.words, 1)

    def plain_text(self) -> str:
        return self.words.text()


Entry = HeardEntry | AnswerEntry | ThinkingEntry | ToolEntry | NoticeEntry

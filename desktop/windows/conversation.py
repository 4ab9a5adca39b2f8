"""The conversation window: what was heard, the streamed answer, tool calls, usage.

What the app uses (all on the GUI thread):

    ConversationWindow()                build it (hidden)
    on_event(event)                     every agent event (``agent.events``), in order
    add_heard(text)                     a transcript about to be sent; the TurnStarted
                                        that follows with the same prompt adds nothing
    set_busy(on)                        a turn runs: Stop replaces Send (Esc stops too)
    clear()                             a new session
    load_history(messages)              draw a resumed session's Messages-API messages
    last_answer() / last_transcript()   for "Copy last answer / transcript"
    submitted(str)                      a signal: the person typed a request (Enter)
    stop_requested()                    a signal: the person pressed Stop

Answer text is re-rendered as markdown at most every ``RENDER_MS`` (longer for long
answers), so a fast stream costs a few renders a second, not one per delta. Text streamed
by an API call that is retried is taken away again, as the runtime discards it. The
window's widgets and how they are laid out: ``desktop.windows.conversation_layout``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QWidget

from agent.events import (
    Compacted,
    ErrorOccurred,
    Notice,
    PermissionRequested,
    Retrying,
    TextDelta,
    ThinkingDelta,
    ToolFinished,
    ToolStarted,
    TurnFinished,
    TurnStarted,
)
from agent.stop_reasons import stop_sentence
from desktop.windows import usage_text
from desktop.windows.conversation_layout import ConversationLayout
from desktop.windows.entries import (
    AnswerEntry,
    Entry,
    HeardEntry,
    NoticeEntry,
    ThinkingEntry,
    ToolEntry,
)
from desktop.windows.history import history_events
from desktop.windows.style import theme
from desktop.windows.undo_preview import add_restore_action

RENDER_MS = 40
SLOWEST_RENDER_MS = 300
STOP_NOTES = {
    "interrupted": "Stopped. Whatever did not run was recorded as interrupted.",
    "max_turns": "Stopped at the limit of model round trips for one request (max_turns).",
}  # answers cut short (max_tokens, refusal, ...) are worded by agent.stop_reasons


class ConversationWindow(QWidget, ConversationLayout):
    submitted = Signal(str)
    stop_requested = Signal()
    restore_requested = Signal(str, int)  # "Restore files to here": prompt, its ordinal

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Harken — Conversation")
        self.resize(680, 760)
        self.colours = theme()
        self.entries: list[Entry] = []
        self._tools: dict[str, ToolEntry] = {}
        self._attempt: list[AnswerEntry | ThinkingEntry] = []  # streamed by the current call
        self._answers: list[AnswerEntry] = []  # this turn's answer text
        self._dirty: set[AnswerEntry | ThinkingEntry] = set()
        self._pending_heard: str | None = None
        self._last_answer = ""
        self._last_transcript = ""
        self._busy = False
        self._follow = True
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self.flush)
        self._handlers: dict[type, Any] = {
            TurnStarted: self._turn_started,
            TextDelta: lambda e: self._stream(AnswerEntry, e.text),
            ThinkingDelta: lambda e: self._stream(ThinkingEntry, e.text),
            Retrying: self._retrying,
            ToolStarted: self._tool_started,
            PermissionRequested: self._permission_requested,
            ToolFinished: self._tool_finished,
            Compacted: self._compacted,
            Notice: lambda e: self._add(NoticeEntry("info", e.message, self.colours)),
            TurnFinished: self._turn_finished,
            ErrorOccurred: self._error,
        }
        self._build()

    # ---- what the app calls ----

    def on_event(self, event: Any) -> None:
        """Draw one agent event; unknown events are ignored."""
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def add_heard(self, text: str) -> None:
        """Show ``text`` as the person's words (it is about to be sent)."""
        if self._pending_heard is not None and text.strip() == self._pending_heard.strip():
            return  # already shown (typed here, then handed back by the app)
        self._pending_heard = text
        self._last_transcript = text
        self._add(HeardEntry(text, self.colours))

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.stop_button.setVisible(busy)
        self.send_button.setVisible(not busy)
        self.status_label.setText("Working…" if busy else "")
        if not busy:
            self.flush()

    def clear(self) -> None:
        """Forget everything shown: a new session."""
        self.flush()
        for entry in self.entries:
            self._layout.removeWidget(entry)
            entry.hide()  # deleted later, when control is back in the event loop
            entry.deleteLater()
        self.entries.clear()
        self._tools.clear()
        self._attempt.clear()
        self._answers.clear()
        self._pending_heard = None
        self._last_answer = self._last_transcript = ""
        self._empty.show()
        self.usage_label.setText("No usage yet")
        self.usage_label.setToolTip("")
        self._follow = True

    def load_history(self, messages: list[dict[str, Any]]) -> None:
        """Show a resumed session's messages in place of what is shown now."""
        self.clear()
        for event in history_events(messages):
            self.on_event(event)
        self._end_attempt()
        self.flush()
        self._last_answer = self._turn_text()
        self._follow = True
        QTimer.singleShot(0, self._scroll_to_end)

    def last_answer(self) -> str:
        return self._last_answer or self._turn_text()

    def last_transcript(self) -> str:
        return self._last_transcript

    def flush(self) -> None:
        """Render whatever streamed since the last render, now."""
        self._render_timer.stop()
        for entry in list(self._dirty):
            entry.render()
        self._dirty.clear()

    def plain_text(self) -> str:
        """Everything shown, as plain text (rendered markdown, open tool details)."""
        self.flush()
        return "\n\n".join(entry.plain_text() for entry in self.entries)

    def tool_entry(self, call_id: str) -> ToolEntry | None:
        return self._tools.get(call_id)

    # ---- events ----

    def _turn_started(self, event: TurnStarted) -> None:
        self._end_attempt()
        self._answers = []
        self._last_answer = ""
        pending, self._pending_heard = self._pending_heard, None
        if pending is None or pending.strip() != event.prompt.strip():
            self._last_transcript = event.prompt
            self._add(HeardEntry(event.prompt, self.colours))

    def _stream(self, kind: type[AnswerEntry] | type[ThinkingEntry], text: str) -> None:
        last = self.entries[-1] if self.entries else None
        if isinstance(last, kind) and last in self._attempt:
            entry = last
        else:
            if kind is AnswerEntry:
                self._finish_thinking()
            entry = AnswerEntry() if kind is AnswerEntry else ThinkingEntry(self.colours)
            self._add(entry)
            self._attempt.append(entry)
            if isinstance(entry, AnswerEntry):
                self._answers.append(entry)
        entry.append(text)
        self._dirty.add(entry)
        if not self._render_timer.isActive():
            longest = max(len(e.text) for e in self._dirty)
            self._render_timer.start(min(SLOWEST_RENDER_MS, RENDER_MS + longest // 200))

    def _retrying(self, event: Retrying) -> None:
        if event.discarded_text:
            for entry in self._attempt:
                self._remove(entry)
            self._attempt.clear()
        note = f"{event.reason} Retrying in {event.delay:.1f} s (retry {event.attempt})."
        self._add(NoticeEntry("warn", note.strip(), self.colours))

    def _tool(self, call_id: str, name: str, description: str, data: dict[str, Any]) -> ToolEntry:
        self._end_attempt()
        entry = self._tools.get(call_id)
        if entry is None:
            entry = ToolEntry(call_id, name, description, data, self.colours)
            self._tools[call_id] = entry
            self._add(entry)
        else:
            entry.update_call(description, data)
        return entry

    def _tool_started(self, event: ToolStarted) -> None:
        self._tool(event.call_id, event.name, event.description, event.input).set_running()

    def _permission_requested(self, event: PermissionRequested) -> None:
        self._tool(event.call_id, event.name, event.description, event.input).set_waiting()

    def _tool_finished(self, event: ToolFinished) -> None:
        known = self._tools.get(event.call_id)
        data = known.input_data if known is not None else {}
        entry = self._tool(event.call_id, event.name, event.description, data)
        entry.finish(event.output, event.is_error, event.duration_ms)

    def _compacted(self, event: Compacted) -> None:
        note = (
            f"Compacted {event.messages_replaced} earlier messages into a summary "
            f"({event.tokens_before:,} tokens) to make room."
        )
        self._add(NoticeEntry("info", note, self.colours))

    def _turn_finished(self, event: TurnFinished) -> None:
        self._end_attempt()
        self.flush()
        self._last_answer = event.text.strip() or self._turn_text()
        note = STOP_NOTES.get(event.stop_reason) or stop_sentence(event.stop_reason)
        if note:
            self._add(NoticeEntry("warn", note, self.colours))
        self._show_usage(event)

    def _error(self, event: ErrorOccurred) -> None:
        self._end_attempt()
        self.flush()
        self._add(NoticeEntry("error", event.message, self.colours))

    # ---- helpers ----

    def _add(self, entry: Entry) -> None:
        if isinstance(entry, HeardEntry):  # its turn's files can be restored (undo_preview)
            add_restore_action(entry, self)
        self._empty.hide()
        self.entries.append(entry)
        self._layout.insertWidget(self._layout.count() - 1, entry)
        if self.isVisible():
            entry.show()  # at once, not when the layout's queued show comes round

    def _remove(self, entry: Entry) -> None:
        self._dirty.discard(entry)  # type: ignore[arg-type]
        if entry in self._answers:
            self._answers.remove(entry)  # type: ignore[arg-type]
        self.entries.remove(entry)
        self._layout.removeWidget(entry)
        entry.hide()
        entry.deleteLater()
        if not self.entries:
            self._empty.show()

    def _end_attempt(self) -> None:
        """The current API call's stream is over: its thinking is done."""
        self._finish_thinking()
        self._attempt = []

    def _finish_thinking(self) -> None:
        for entry in self._attempt:
            if isinstance(entry, ThinkingEntry):
                entry.finish()

    def _turn_text(self) -> str:
        return "\n\n".join(a.text.strip() for a in self._answers if a.text.strip())

    def _submit(self) -> None:
        text = self.prompt.toPlainText().strip()
        if not text or self._busy:
            return  # while a turn runs the text waits in the box
        self.prompt.clear()
        self.add_heard(text)
        self.submitted.emit(text)

    def _show_usage(self, event: TurnFinished) -> None:
        self.usage_label.setText(usage_text.session_line(event))
        self.usage_label.setToolTip(usage_text.request_tip(event))

    def _user_scrolled(self, value: int) -> None:
        self._follow = value >= self._scroll.verticalScrollBar().maximum() - 8

    def _content_grew(self, _low: int, high: int) -> None:
        if self._follow:
            self._scroll.verticalScrollBar().setValue(high)

    def _scroll_to_end(self) -> None:
        bar = self._scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

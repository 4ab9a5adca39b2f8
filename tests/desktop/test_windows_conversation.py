from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from PySide6.QtCore import Qt

from agent.events import (
    ErrorOccurred,
    Notice,
    Retrying,
    TextDelta,
    ToolFinished,
    TurnFinished,
    TurnStarted,
)
from agent.usage import Usage
from desktop.windows.conversation import ConversationWindow
from desktop.windows.entries import AnswerEntry, HeardEntry, NoticeEntry, ThinkingEntry
from tests.desktop.windows_helpers import ANSWER_PLAIN, HEARD, screenshot, turn_events


@pytest.fixture
def window(qtbot: Any) -> ConversationWindow:
    win = ConversationWindow()
    qtbot.addWidget(win)
    win.show()
    return win


def feed(window: ConversationWindow, events: list[Any]) -> None:
    for event in events:
        window.on_event(event)


def test_a_turn_shows_the_words_the_answer_without_markdown_and_each_tool(
    window: ConversationWindow,
) -> None:
    window.add_heard(HEARD)
    feed(window, turn_events())

    shown = window.plain_text()
    for line in ANSWER_PLAIN:
        assert line in shown
    assert "**" not in shown and "```" not in shown and "`app.py`" not in shown
    assert shown.count(HEARD) == 1  # add_heard and TurnStarted: shown once
    assert "● Editing src/app.py" in shown
    assert "● Running `pytest -q`  failed · 2.4 s" in shown
    assert "● Reading tests/test_net.py" in shown
    assert "✻ Thought" in shown
    assert "The user wants" not in shown  # thinking stays closed
    kinds = [type(e) for e in window.entries]
    assert kinds.count(HeardEntry) == 1 and kinds.count(AnswerEntry) == 1
    assert window.usage_label.text() == "This session  ·  47.2k in  ·  1,340 out  ·  $0.0456"
    assert window.last_answer().startswith("I added a **health check**")
    assert window.last_transcript() == HEARD
    screenshot(window, "conversation")


def test_a_model_without_a_price_shows_its_cost_as_unknown(qtbot) -> None:
    window = ConversationWindow()
    qtbot.addWidget(window)
    finished = dataclasses.replace(turn_events()[-1], cost_known=False)

    feed(window, [finished])

    assert window.usage_label.text().endswith("out  ·  cost unknown")
    assert "$" not in window.usage_label.toolTip()


def test_clicking_a_tool_line_shows_its_input_and_output(
    window: ConversationWindow, qtbot: Any
) -> None:
    feed(window, turn_events())
    entry = window.tool_entry("t2")
    assert entry is not None and not entry.expanded

    qtbot.mouseClick(entry.header, Qt.MouseButton.LeftButton)

    assert entry.expanded and entry.body.isVisible()
    assert '"command": "pytest -q"' in entry.input_view.text()
    assert entry.output_view.text() == "41 passed, 1 failed"
    assert "ERROR" in entry.plain_text() or "Error" in entry.plain_text()
    entry.toggle()
    assert not entry.body.isVisible()


def test_opened_tools_and_thinking_in_a_screenshot(window: ConversationWindow, qtbot: Any) -> None:
    window.resize(680, 900)
    feed(window, turn_events())
    window.on_event(ErrorOccurred("Rate limited by the API (429): slow down", "ApiFailure"))
    window.tool_entry("t1").toggle()  # type: ignore[union-attr]
    window.tool_entry("t2").toggle()  # type: ignore[union-attr]
    thinking = next(e for e in window.entries if isinstance(e, ThinkingEntry))
    thinking.toggle()
    window.set_busy(True)

    assert "I should edit app.py" in window.plain_text()
    screenshot(window, "conversation_details")


def test_typing_and_enter_submits_and_shift_enter_adds_a_line(
    window: ConversationWindow, qtbot: Any
) -> None:
    window.prompt.setFocus()
    qtbot.keyClicks(window.prompt, "list the")
    qtbot.keyClick(window.prompt, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(window.prompt, "todo comments")

    with qtbot.waitSignal(window.submitted, timeout=30_000) as sent:
        qtbot.keyClick(window.prompt, Qt.Key.Key_Return)

    assert sent.args == ["list the\ntodo comments"]
    assert window.prompt.toPlainText() == ""
    # The typed words show at once, and the TurnStarted that follows adds nothing.
    window.on_event(TurnStarted("s1", "list the\ntodo comments"))
    assert [type(e) for e in window.entries] == [HeardEntry]


def test_while_busy_stop_replaces_send_and_enter_waits(
    window: ConversationWindow, qtbot: Any
) -> None:
    window.set_busy(True)
    assert window.stop_button.isVisible() and not window.send_button.isVisible()
    qtbot.keyClicks(window.prompt, "next thing")
    with qtbot.assertNotEmitted(window.submitted):
        qtbot.keyClick(window.prompt, Qt.Key.Key_Return)
    assert window.prompt.toPlainText() == "next thing"

    with qtbot.waitSignal(window.stop_requested, timeout=30_000):
        qtbot.mouseClick(window.stop_button, Qt.MouseButton.LeftButton)
    window.set_busy(False)
    assert window.send_button.isVisible() and not window.stop_button.isVisible()


def test_text_of_a_retried_call_is_taken_away(window: ConversationWindow) -> None:
    feed(
        window,
        [
            TurnStarted("s1", "hi"),
            TextDelta("Half an ans"),
            Retrying(1, 2.0, "The API is overloaded (529).", discarded_text=True),
            TextDelta("A whole answer."),
        ],
    )

    shown = window.plain_text()
    assert "Half an ans" not in shown
    assert "A whole answer." in shown
    assert "Retrying in 2.0 s (retry 1)" in shown


def test_a_long_stream_is_rendered_a_few_times_not_per_delta(
    window: ConversationWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    renders = []
    original = AnswerEntry.set_markdown
    monkeypatch.setattr(
        AnswerEntry, "set_markdown", lambda self, text: (renders.append(1), original(self, text))
    )
    window.on_event(TurnStarted("s1", "tell me a story"))
    for i in range(500):
        window.on_event(TextDelta(f"word{i} "))

    qtbot.waitUntil(lambda: "word499" in window.entries[-1].plain_text(), timeout=30_000)
    assert len(renders) <= 3


def test_errors_notices_and_a_stop_are_visible(window: ConversationWindow) -> None:
    feed(
        window,
        [
            TurnStarted("s1", "go"),
            Notice("No sandbox: bwrap is missing; commands run unconfined."),
            ToolFinished("t9", "Bash", "Running `rm -rf build`", "denied by the user", True, 0.0),
            ErrorOccurred("Cannot reach the API at http://127.0.0.1:9", "ApiFailure"),
            TurnFinished("s1", "interrupted", "", Usage(), Usage(), 0.0, 0.0),
        ],
    )

    kinds = [e.kind for e in window.entries if isinstance(e, NoticeEntry)]
    assert kinds == ["info", "error", "warn"]
    shown = window.plain_text()
    assert "No sandbox" in shown and "Cannot reach the API" in shown and "Stopped." in shown
    assert window.tool_entry("t9").state == "failed"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("stop_reason", "said"),
    [
        ("max_tokens", "cut off at the output limit"),
        ("refusal", "declined to continue"),
        ("model_context_window_exceeded", "context window was exhausted"),
    ],
)
def test_an_answer_cut_short_says_so_under_its_text(
    window: ConversationWindow, stop_reason: str, said: str
) -> None:
    feed(
        window,
        [
            TurnStarted("s1", "go"),
            TurnFinished("s1", stop_reason, "I can", Usage(), Usage(), 0.0, 0.0),
        ],
    )

    notes = [e for e in window.entries if isinstance(e, NoticeEntry)]
    assert [e.kind for e in notes] == ["warn"]
    assert said in window.plain_text()


def test_a_permission_question_marks_the_tool_line_as_waiting(window: ConversationWindow) -> None:
    from tests.desktop.windows_helpers import permission_request

    window.on_event(permission_request("Bash", {"command": "make"}, description="Running `make`"))

    entry = window.tool_entry("call-1")
    assert entry is not None and entry.state == "waiting"
    assert "waiting for permission" in entry.plain_text()


def test_history_is_drawn_like_a_live_session(window: ConversationWindow) -> None:
    messages = [
        {"role": "user", "content": "What is in notes.txt?"},
        {
            "role": "assistant",
            "content": [
                {"type": "thinking", "thinking": "Read it.", "signature": "x"},
                {"type": "text", "text": "Let me look."},
                {
                    "type": "tool_use",
                    "id": "u1",
                    "name": "Read",
                    "input": {"file_path": "notes.txt"},
                },
            ],
        },
        {
            "role": "user",
            "content": [{"type": "tool_result", "tool_use_id": "u1", "content": "buy *milk*"}],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "It says to buy **milk**."}]},
    ]

    window.load_history(messages)

    shown = window.plain_text()
    assert "What is in notes.txt?" in shown
    assert "● Reading notes.txt" in shown
    assert "It says to buy milk." in shown
    assert window.tool_entry("u1").output_view.text() == "buy *milk*"  # type: ignore[union-attr]
    assert window.last_answer() == "Let me look.\n\nIt says to buy **milk**."
    assert window.last_transcript() == "What is in notes.txt?"


def test_clear_starts_an_empty_session(window: ConversationWindow) -> None:
    feed(window, turn_events())
    window.clear()

    assert window.entries == [] and window.plain_text() == ""
    assert window.usage_label.text() == "No usage yet"
    assert window.last_answer() == "" and window.last_transcript() == ""
    screenshot(window, "conversation_empty")

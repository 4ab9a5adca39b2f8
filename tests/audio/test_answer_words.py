"""Short spoken replies, as Whisper writes them, and what they answer."""

from __future__ import annotations

import pytest

from audio.answer_words import (
    chosen_options,
    ends_conversation,
    permission_answer,
    starts_with_stop,
)


@pytest.mark.parametrize(
    ("heard", "meaning"),
    [
        ("Yes.", "allow"),
        ("Yes, allow it.", "allow"),
        ("Allow.", "allow"),
        ("Okay, go ahead.", "allow"),
        ("No.", "deny"),
        ("Deny.", "deny"),
        ("Don't allow it.", "deny"),
        ("No thanks.", "deny"),
        ("Always.", "always"),
        ("Always allow.", "always"),
        ("Yes, no.", None),
        ("No, always.", None),
        ("Hmm.", None),
        ("", None),
        ("Yes I think we should probably allow it today", None),
    ],
)
def test_permission_answers(heard: str, meaning: str | None) -> None:
    assert permission_answer(heard) == meaning


@pytest.mark.parametrize(
    ("heard", "stops"),
    [
        ("Stop.", True),
        ("Cancel that.", True),
        ("Stop, run the tests first.", True),
        ("Also run the linter.", False),
        ("Don't stop.", False),
        ("", False),
    ],
)
def test_a_reply_that_starts_with_stop_or_cancel_interrupts(heard: str, stops: bool) -> None:
    assert starts_with_stop(heard) is stops


@pytest.mark.parametrize(
    ("heard", "ends"),
    [
        ("Stop.", True),
        ("That's all.", True),
        ("Thanks, that's all.", True),
        ("Goodbye!", True),
        ("No thank you.", True),
        ("What time is it?", False),
        ("Stop the server and then tell me what the logs said about it", False),
    ],
)
def test_phrases_that_end_a_conversation(heard: str, ends: bool) -> None:
    assert ends_conversation(heard) is ends


LABELS = ["Postgres", "SQLite", "Keep it in memory"]


@pytest.mark.parametrize(
    ("heard", "picked"),
    [
        ("The second one.", [1]),
        ("Option two.", [1]),
        ("The first.", [0]),
        ("The last one.", [2]),
        ("SQLite.", [1]),
        ("Let's use Postgres.", [0]),
        ("Keep it in memory.", [2]),
        ("The first and the third.", [0, 2]),
        ("The fifth one.", []),
        ("Something else entirely.", []),
    ],
)
def test_an_option_is_picked_by_position_or_by_label(heard: str, picked: list[int]) -> None:
    assert chosen_options(heard, LABELS) == picked

"""How stop reasons are worded for people (agent/stop_reasons.py), for the terminal and
the conversation window alike."""

from __future__ import annotations

import pytest

from agent.stop_reasons import stop_notice, stop_sentence, stopped_short


@pytest.mark.parametrize("reason", ["end_turn", "stop_sequence", "tool_use", "error", ""])
def test_a_whole_answer_has_no_notice(reason: str) -> None:
    assert stop_notice(reason) == "" and stop_sentence(reason) == ""
    assert not stopped_short(reason)


def test_each_short_stop_is_worded_and_the_window_gets_a_sentence() -> None:
    assert stop_notice("max_tokens", 1234) == (
        "the answer was cut off at the output limit (max_tokens 1234); ask it to continue"
    )
    assert stop_sentence("refusal") == "The model declined to continue (refusal)."
    assert stop_notice("model_context_window_exceeded").startswith(
        "the answer stopped: the context window was exhausted"
    )
    # A stop reason this version does not know is never taken for a whole answer.
    unknown = stop_notice("some_new_reason")
    assert unknown == "the answer stopped early (stop reason: some_new_reason)"

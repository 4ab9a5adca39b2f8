from __future__ import annotations

from typing import Any

from agent import events
from agent.buddy.moods import HOLD, STATES, Mood, cue_of, react, settle
from tests.agent.buddy.sample_events import make, tool, turn


def run(items: list[Any], start: Mood | None = None) -> list[str]:
    """Feed events (or voice cue strings) one second apart; the states after each."""
    mood = start or Mood()
    states = []
    for i, item in enumerate(items, start=1):
        cue = item if isinstance(item, str) else cue_of(item)
        if cue is not None:
            mood = react(mood, cue, float(i))
        states.append(mood.state)
    return states


def test_a_turn_with_a_tool_goes_thinking_working_thinking_happy() -> None:
    sequence = turn(make(events.TextDelta, text="Let me look."), *tool())
    assert run(sequence) == ["thinking", "thinking", "working", "thinking", "happy"]


def test_a_permission_question_waits_then_works_when_allowed() -> None:
    question = make(events.PermissionRequested, call_id="c1", name="Write")
    assert run(turn(question, *tool("Write"))) == [
        "thinking",
        "waiting",
        "working",
        "thinking",
        "happy",
    ]


def test_a_denied_permission_worries_the_pet() -> None:
    question = make(events.PermissionRequested, call_id="c1", name="Write")
    denied = make(
        events.ToolFinished,
        call_id="c1",
        name="Write",
        output="The user denied permission for this Write call.",
        is_error=True,
    )
    assert cue_of(denied) == "permission_denied"
    assert run([question, denied]) == ["waiting", "worried"]


def test_errors_and_failed_turns_worry_it_and_an_interrupted_turn_calms_it() -> None:
    error = make(events.ErrorOccurred, message="The network is down")
    assert run(turn(error, stop="error"))[-2:] == ["worried", "worried"]
    assert run(turn(stop="max_turns"))[-1] == "worried"
    assert run(turn(stop="interrupted"))[-1] == "idle"
    assert run([make(events.Retrying, attempt=1, delay=1.0, reason="overloaded")]) == ["worried"]


def test_a_failing_tool_worries_it_until_the_model_goes_on() -> None:
    sequence = [*tool("Bash", error="exit status 1"), make(events.TextDelta, text="Hm")]
    assert cue_of(sequence[1]) == "tool_failed"
    assert run(sequence) == ["working", "worried", "thinking"]


def test_listening_holds_while_the_person_talks_whatever_the_agent_does() -> None:
    sequence = ["listening_started", *turn(*tool()), "listening_stopped"]
    assert run(sequence) == ["listening"] * 5 + ["thinking"]


def test_speaking_starts_and_ends_with_the_voice() -> None:
    assert run([*turn(stop="end_turn"), "speaking_started", "speaking_stopped"]) == [
        "thinking",
        "happy",
        "speaking",
        "idle",
    ]


def test_a_stop_cue_only_ends_its_own_state() -> None:
    assert run(["speaking_stopped", "listening_stopped"]) == ["idle", "idle"]
    assert run([make(events.TurnStarted), "speaking_stopped"]) == ["thinking", "thinking"]


def test_events_the_pet_does_not_care_about_change_nothing() -> None:
    mood = Mood("working", 1.0)
    assert react(mood, "no_such_cue", 2.0) is mood
    assert cue_of(object()) is None


def test_happy_and_worried_fade_to_idle_by_themselves() -> None:
    happy = react(Mood(), "turn_done", 10.0)
    assert settle(happy, 10.0 + HOLD["happy"] - 0.01).state == "happy"
    assert settle(happy, 10.0 + HOLD["happy"]).state == "idle"
    worried = react(Mood(), "error", 10.0)
    assert settle(worried, 10.0 + HOLD["worried"]).state == "idle"


def test_a_question_waits_as_long_as_it_is_open_and_busy_states_have_a_safety_limit() -> None:
    waiting = react(Mood(), "permission_requested", 0.0)
    assert settle(waiting, 3600.0).state == "waiting"
    thinking = react(Mood(), "turn_started", 0.0)
    assert settle(thinking, 30.0).state == "thinking"
    assert settle(thinking, 61.0).state == "idle"


def test_staying_in_a_state_keeps_its_start_but_renews_its_time() -> None:
    first = react(Mood(), "text_delta", 1.0)
    later = react(first, "text_delta", 50.0)
    assert later.since == 1.0 and later.until == 50.0 + HOLD["thinking"]


def test_every_cue_leads_to_a_known_state() -> None:
    from agent.buddy.moods import CUE_STATES

    assert set(CUE_STATES.values()) <= set(STATES)
    assert set(STATES) - {"idle"} <= set(CUE_STATES.values())

"""The interaction state machine, as a table: (state, input) -> (state, effects)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from desktop.state import (
    BUSY_HINT,
    PAUSED_HINT,
    CancelRecording,
    CloseMic,
    HideOverlay,
    Interrupt,
    Machine,
    Notify,
    OpenMic,
    ShowTranscript,
    Speak,
    StartRecording,
    State,
    StopRecording,
    StopSpeech,
    Submit,
)

S = State
Step = Callable[[Machine], Any]

# (start state, input, state after, effects); the current take is number 1.
TABLE: list[tuple[State, Step, State, list[Any]]] = [
    # push-to-talk, hold mode
    (S.IDLE, Machine.press, S.RECORDING, [StartRecording(2)]),
    (S.RECORDING, Machine.press, S.RECORDING, []),  # X11 auto-repeat
    (S.RECORDING, Machine.release, S.TRANSCRIBING, [StopRecording(1)]),
    (S.IDLE, Machine.release, S.IDLE, []),
    (S.TRANSCRIBING, Machine.press, S.TRANSCRIBING, []),
    (S.TRANSCRIBING, Machine.release, S.TRANSCRIBING, []),
    # transcripts
    (
        S.TRANSCRIBING,
        lambda m: m.transcript_ready(1, " make a file "),
        S.THINKING,
        [ShowTranscript("make a file", 0.0), Submit("make a file", spoken=True)],
    ),
    (S.TRANSCRIBING, lambda m: m.transcript_ready(0, "stale"), S.TRANSCRIBING, []),
    (S.IDLE, lambda m: m.transcript_ready(1, "after a cancel"), S.IDLE, []),
    (
        S.TRANSCRIBING,
        lambda m: m.transcript_ready(1, "  "),
        S.IDLE,
        [HideOverlay(), Notify("Nothing to send: no speech.")],
    ),
    (
        S.TRANSCRIBING,
        lambda m: m.transcript_empty(1, "too short (0.10 s)"),
        S.IDLE,
        [HideOverlay(), Notify("Nothing to send: too short (0.10 s).")],
    ),
    (S.RECORDING, lambda m: m.transcript_empty(1, "x"), S.RECORDING, []),
    # grace period
    (
        S.CONFIRMING,
        lambda m: m.confirm("edited text"),
        S.THINKING,
        [HideOverlay(), Submit("edited text", spoken=True)],
    ),
    (S.CONFIRMING, lambda m: m.confirm(""), S.IDLE, [HideOverlay()]),
    (S.CONFIRMING, Machine.press, S.RECORDING, [HideOverlay(), StartRecording(2)]),
    (S.THINKING, lambda m: m.confirm("late"), S.THINKING, []),
    # the agent
    (S.THINKING, Machine.permission_asked, S.AWAITING_PERMISSION, []),
    (S.AWAITING_PERMISSION, Machine.permission_answered, S.THINKING, []),
    (S.IDLE, Machine.permission_asked, S.IDLE, []),
    (S.THINKING, lambda m: m.turn_finished("I made it."), S.SPEAKING, [Speak("I made it.")]),
    (S.THINKING, lambda m: m.turn_finished(""), S.IDLE, []),
    (S.AWAITING_PERMISSION, lambda m: m.turn_finished(""), S.IDLE, []),
    (S.IDLE, lambda m: m.turn_finished("too late"), S.IDLE, []),
    (S.RECORDING, lambda m: m.turn_finished("too late"), S.RECORDING, []),
    (S.SPEAKING, Machine.speech_done, S.IDLE, []),
    (S.RECORDING, Machine.speech_done, S.RECORDING, []),
    (S.IDLE, Machine.turn_started, S.THINKING, []),
    (S.RECORDING, Machine.turn_started, S.RECORDING, []),
    # pressing while the agent works does not stop it by accident
    (S.THINKING, Machine.press, S.THINKING, [Notify(BUSY_HINT)]),
    (S.AWAITING_PERMISSION, Machine.press, S.AWAITING_PERMISSION, [Notify(BUSY_HINT)]),
    # barge-in
    (S.SPEAKING, Machine.press, S.RECORDING, [StopSpeech(), StartRecording(2)]),
    # typed text
    (S.IDLE, lambda m: m.typed("hello"), S.THINKING, [Submit("hello", spoken=False)]),
    (
        S.SPEAKING,
        lambda m: m.typed("next"),
        S.THINKING,
        [StopSpeech(), Submit("next", spoken=False)],
    ),
    (S.THINKING, lambda m: m.typed("more"), S.THINKING, [Notify(BUSY_HINT)]),
    (S.IDLE, lambda m: m.typed("   "), S.IDLE, []),
    # cancel, from every state, ends idle
    (S.IDLE, Machine.cancel, S.IDLE, []),
    (S.RECORDING, Machine.cancel, S.IDLE, [CancelRecording(1), HideOverlay()]),
    (S.TRANSCRIBING, Machine.cancel, S.IDLE, [CancelRecording(1), HideOverlay()]),
    (S.CONFIRMING, Machine.cancel, S.IDLE, [HideOverlay()]),
    (S.THINKING, Machine.cancel, S.IDLE, [Interrupt()]),
    (S.AWAITING_PERMISSION, Machine.cancel, S.IDLE, [Interrupt()]),
    (S.SPEAKING, Machine.cancel, S.IDLE, [StopSpeech()]),
    # errors
    (
        S.RECORDING,
        lambda m: m.error_occurred("mic gone"),
        S.IDLE,
        [CancelRecording(1), HideOverlay(), Notify("mic gone")],
    ),
    (S.THINKING, lambda m: m.error_occurred("odd"), S.THINKING, [Notify("odd")]),
    (
        S.SPEAKING,
        lambda m: m.error_occurred("no speaker"),
        S.IDLE,
        [StopSpeech(), Notify("no speaker")],
    ),
    # pause listening
    (S.IDLE, Machine.pause, S.IDLE, [CloseMic()]),
    (S.RECORDING, Machine.pause, S.IDLE, [CancelRecording(1), HideOverlay(), CloseMic()]),
    (S.THINKING, Machine.pause, S.THINKING, [CloseMic()]),
]


@pytest.mark.parametrize(
    ("start", "step", "after", "effects"),
    TABLE,
    ids=[f"{row[0]}-{i}" for i, row in enumerate(TABLE)],
)
def test_each_input_in_each_state_moves_and_acts_as_listed(
    start: State, step: Step, after: State, effects: list[Any]
) -> None:
    machine = Machine(state=start, take=1)
    if start is S.AWAITING_PERMISSION:
        machine.permissions_open = 1
    assert step(machine) == effects
    assert machine.state is after


def test_press_once_mode_starts_on_one_press_and_stops_on_the_next() -> None:
    machine = Machine(mode="toggle")
    assert machine.press() == [StartRecording(1)]
    assert machine.release() == []
    assert machine.state is S.RECORDING
    assert machine.press() == [StopRecording(1)]
    assert machine.state is S.TRANSCRIBING


def test_toggle_works_in_hold_mode_too() -> None:
    machine = Machine(mode="hold")
    assert machine.toggle() == [StartRecording(1)]
    assert machine.toggle() == [StopRecording(1)]


def test_release_before_the_model_is_ready_still_gets_its_text() -> None:
    machine = Machine()
    machine.press()
    machine.release()  # the transcriber is still loading: nothing comes back yet
    assert machine.state is S.TRANSCRIBING
    assert machine.press() == [] and machine.release() == []  # impatient presses change nothing
    assert machine.transcript_ready(1, "open the readme") == [
        ShowTranscript("open the readme", 0.0),
        Submit("open the readme", spoken=True),
    ]


def test_a_transcript_of_a_cancelled_take_never_reaches_the_next_one() -> None:
    machine = Machine()
    machine.press()
    machine.release()
    machine.cancel()
    machine.press()
    machine.release()
    assert machine.transcript_ready(1, "old words") == []
    assert machine.state is S.TRANSCRIBING
    assert machine.transcript_ready(2, "new words")[-1] == Submit("new words", spoken=True)


def test_cancel_while_awaiting_permission_interrupts_and_ignores_the_late_turn_end() -> None:
    machine = Machine(state=S.THINKING)
    machine.permission_asked()
    assert machine.cancel() == [Interrupt()]
    assert machine.state is S.IDLE and machine.permissions_open == 0
    # The interrupted turn still reports its end, and a dialog may still answer: no effect.
    assert machine.permission_answered() == []
    assert machine.turn_finished("I was interrupted.") == []
    assert machine.state is S.IDLE
    assert machine.press() == [StartRecording(1)]


def test_two_open_questions_wait_for_both_answers() -> None:
    machine = Machine(state=S.THINKING)
    machine.permission_asked()
    machine.permission_asked()
    machine.permission_answered()
    assert machine.state is S.AWAITING_PERMISSION
    machine.permission_answered()
    assert machine.state is S.THINKING


def test_press_while_speaking_stops_the_speech_and_records_and_the_late_done_is_ignored() -> None:
    machine = Machine(state=S.THINKING)
    assert machine.turn_finished("Done.") == [Speak("Done.")]
    assert machine.press() == [StopSpeech(), StartRecording(1)]
    assert machine.speech_done() == []  # the stopped speech reports its end late
    assert machine.state is S.RECORDING


def test_grace_period_shows_the_transcript_and_waits_for_confirmation() -> None:
    machine = Machine(grace_seconds=3)
    machine.press()
    machine.release()
    assert machine.transcript_ready(1, "delete the build folder") == [
        ShowTranscript("delete the build folder", 3)
    ]
    assert machine.state is S.CONFIRMING
    assert machine.cancel() == [HideOverlay()]
    assert machine.state is S.IDLE


def test_paused_listening_refuses_presses_until_resumed() -> None:
    machine = Machine()
    assert machine.pause() == [CloseMic()]
    assert machine.press() == [Notify(PAUSED_HINT)]
    assert machine.state is S.IDLE and machine.display == "paused"
    assert machine.resume() == [OpenMic()]
    assert machine.press() == [StartRecording(1)]


def test_an_error_shows_until_the_next_interaction() -> None:
    machine = Machine(state=S.THINKING)
    assert machine.turn_finished("", error="The API key was rejected.") == [
        Notify("The API key was rejected.")
    ]
    assert machine.display == "error"
    machine.press()
    assert machine.display == "listening"


@pytest.mark.parametrize(
    ("state", "shown"),
    [
        (S.IDLE, "idle"),
        (S.RECORDING, "listening"),
        (S.TRANSCRIBING, "transcribing"),
        (S.CONFIRMING, "transcribing"),
        (S.THINKING, "working"),
        (S.AWAITING_PERMISSION, "waiting"),
        (S.SPEAKING, "speaking"),
    ],
)
def test_every_state_has_a_tray_icon(state: State, shown: str) -> None:
    assert Machine(state=state).display == shown


def test_no_sequence_of_inputs_leaves_it_stuck_after_a_cancel() -> None:
    import random

    rng = random.Random(5)
    inputs: list[Step] = [
        Machine.press,
        Machine.release,
        Machine.toggle,
        lambda m: m.transcript_ready(m.take, "words"),
        lambda m: m.transcript_empty(m.take, "too short"),
        lambda m: m.confirm("words"),
        lambda m: m.typed("typed"),
        Machine.permission_asked,
        Machine.permission_answered,
        lambda m: m.turn_finished(rng.choice(["", "Said."])),
        Machine.speech_done,
        lambda m: m.error_occurred("oops"),
        Machine.pause,
        Machine.resume,
    ]
    for mode in ("hold", "toggle"):
        machine = Machine(mode=mode, grace_seconds=rng.choice([0, 2]))
        for _ in range(2000):
            rng.choice(inputs)(machine)
            if rng.random() < 0.1:
                machine.cancel()
                assert machine.state is S.IDLE and machine.permissions_open == 0
        machine.cancel()
        machine.resume()
        assert machine.press()[-1] == StartRecording(machine.take)

"""The hands-free gate: when an utterance starts and ends, from speech probabilities."""

from __future__ import annotations

from audio.utterance_gate import WINDOW_SECONDS, UtteranceGate

SPEECH, SILENCE, UNSURE = 0.9, 0.05, 0.4


def seconds(value: float, p: float) -> list[float]:
    return [p] * round(value / WINDOW_SECONDS)


GATE = UtteranceGate(listen_seconds=3.0, end_silence=0.6, min_speech=0.15)


def test_silence_waits_then_times_out() -> None:
    assert GATE.state(seconds(1.0, SILENCE)) == "waiting"
    assert GATE.state(seconds(3.1, SILENCE)) == "timed_out"


def test_a_click_is_not_speech() -> None:
    assert GATE.state([*seconds(0.5, SILENCE), SPEECH, *seconds(3.0, SILENCE)]) == "timed_out"


def test_speech_then_a_short_pause_goes_on_and_a_long_one_ends_it() -> None:
    spoken = seconds(0.5, SILENCE) + seconds(1.0, SPEECH)
    assert GATE.state(spoken) == "speaking"
    assert GATE.state(spoken + seconds(0.3, SILENCE)) == "speaking"
    assert GATE.state(spoken + seconds(0.3, SILENCE) + seconds(0.5, SPEECH)) == "speaking"
    assert GATE.state(spoken + seconds(0.7, SILENCE)) == "ended"


def test_unsure_windows_after_speech_are_not_yet_silence() -> None:
    # Between the detector's end and start thresholds: the speaker may be trailing off.
    spoken = seconds(1.0, SPEECH) + seconds(0.7, UNSURE)
    assert GATE.state(spoken) == "speaking"


def test_speech_that_starts_late_still_counts_once_it_started() -> None:
    late = seconds(2.9, SILENCE) + seconds(1.0, SPEECH)
    assert GATE.state(late) == "speaking"

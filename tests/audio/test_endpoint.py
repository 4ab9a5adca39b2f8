"""Endpointing: while the key is held the speech is decoded, so release finds it done."""

from __future__ import annotations

from typing import Any

import numpy as np

from audio.endpoint import Endpointer
from audio.vad import THRESHOLD, WINDOW, SpeechDetector
from tests.audio.conftest import JFK, read_audio


def feed_live(endpointer: Endpointer, audio: np.ndarray, step: float = 0.05) -> None:
    n = int(step * 16_000)
    for end in range(n, len(audio) + n, n):
        endpointer.update(audio[:end])


def test_speech_followed_by_a_pause_is_decoded_before_release(espeak) -> None:
    speech = read_audio(espeak("Open the downloads folder."))
    take = np.concatenate([np.zeros(4800, np.float32), speech, np.zeros(8000, np.float32)])
    calls: list[float] = []
    ep = Endpointer(lambda audio, context: calls.append(len(audio) / 16_000) or "text")
    feed_live(ep, take)
    decoded_while_held = len(calls)  # a short gap between words may be guessed at too
    assert ep.finish(take) == "text"
    assert decoded_while_held >= 1 and len(calls) == decoded_while_held  # none at release
    assert calls[-1] >= (4800 + len(speech)) / 16_000 - 0.3 - 0.2  # it covered the speech


def test_a_release_a_tenth_of_a_second_after_the_speech_finds_it_decoded(espeak) -> None:
    # People let go of the key 0.1 to 0.3 s after their last word: by then the decode of
    # what they said is under way, and release only collects it.
    speech = read_audio(espeak("Open the downloads folder."))
    take = np.concatenate([np.zeros(4800, np.float32), speech, np.zeros(1600, np.float32)])
    calls: list[float] = []
    ep = Endpointer(lambda audio, context: calls.append(len(audio) / 16_000) or "text")
    feed_live(ep, take, step=0.02)
    decoded_while_held = len(calls)  # a short gap between words may be guessed at too
    assert ep.finish(take) == "text"
    assert decoded_while_held >= 1 and len(calls) == decoded_while_held  # none at release
    assert calls[-1] >= (4800 + len(speech)) / 16_000 - 0.3 - 0.2  # it covered the speech


def test_a_release_a_tenth_of_a_second_after_the_last_sound_finds_it_decoded(espeak) -> None:
    # Counted from the last audible sample (not from the end of espeak's file, which
    # trails silence of its own): the guess starts one silent detector window after the
    # speech, so it is made while the key is still held, in any voice and however the
    # detector's windows fall on the take.
    for text, voice in (
        ("Open the downloads folder.", "en-us"),
        ("Delete the build folder.", "en-gb"),
        ("Run the tests.", "en-us+f3"),
    ):
        speech = read_audio(espeak(text, voice=voice))
        speech = speech[: np.flatnonzero(np.abs(speech) > 0.003)[-1] + 1]
        for lead in (4800, 5000, 5200, 5400):
            take = np.concatenate([np.zeros(lead, np.float32), speech, np.zeros(1600, np.float32)])
            calls: list[int] = []

            def decode(audio: np.ndarray, context: str, calls: list[int] = calls) -> str:
                calls.append(len(audio))
                return "text"

            ep = Endpointer(decode)
            feed_live(ep, take, step=0.02)
            decoded_while_held = len(calls)
            assert ep.finish(take) == "text"
            assert len(calls) == decoded_while_held, (text, voice, lead)  # none at release


def test_speech_running_at_release_is_decoded_to_the_end(espeak) -> None:
    speech = read_audio(espeak("Open the downloads folder and list it."))
    calls: list[int] = []
    ep = Endpointer(lambda audio, context: calls.append(len(audio)) or "text")
    feed_live(ep, speech[: len(speech) // 2])
    assert ep.finish(speech) == "text"
    assert calls[-1] >= len(speech) - 16_000 // 2  # the last decode reached the end


def test_separate_utterances_are_decoded_with_what_came_before(espeak) -> None:
    one, two = read_audio(espeak("First part.")), read_audio(espeak("Second part."))
    gap = np.zeros(16_000, np.float32)
    take = np.concatenate([one, gap, two, gap])
    contexts: list[str] = []
    # A gap inside a word may be guessed at and dropped: each utterance is "one" until
    # something was said before it.
    ep = Endpointer(lambda audio, ctx: contexts.append(ctx) or ("two" if ctx else "one"))
    feed_live(ep, take)
    assert ep.finish(take) == "one two"
    assert contexts[0] == "" and contexts[-1] == "one" and set(contexts) == {"", "one"}


def test_silence_is_never_decoded() -> None:
    ep = Endpointer(lambda audio, context: "hallucination")
    assert ep.finish(np.zeros(32_000, np.float32)) == ""
    assert ep.decodes == 0


def decoded_spans(audio: np.ndarray) -> tuple[list[tuple[int, int]], Any]:
    """A decode function that records which samples of ``audio`` (or views of it) each
    call was given, as (first, end) sample indices."""
    spans: list[tuple[int, int]] = []
    base = audio.__array_interface__["data"][0]

    def decode(part: np.ndarray, context: str) -> str:
        first = (part.__array_interface__["data"][0] - base) // audio.itemsize
        spans.append((first, first + len(part)))
        return "words"

    return spans, decode


def test_a_source_that_keeps_only_its_bound_is_never_asked_for_more(espeak) -> None:
    speech = read_audio(
        espeak(
            "Please open the quarterly report in the documents folder, then copy the summary "
            "table into a new spreadsheet, and finally send it to the whole team."
        )
    )
    hold = 3.3
    spans, decode = decoded_spans(speech)
    ep = Endpointer(decode, hold=hold)
    held = 0
    step = 800
    for end in range(step, len(speech) + step, step):
        start = ep.needed_from  # what a recorder that released the rest still holds
        ep.update(speech[start:end], start)
        held = max(held, min(end, len(speech)) - ep.needed_from)
    ep.finish(speech[ep.needed_from :], ep.needed_from)
    assert held <= hold * 16_000
    assert ep.cuts >= 2  # unbroken speech was cut to fit
    # Every window the detector took for speech was decoded.
    detector = SpeechDetector()
    detector.feed(speech)
    for i, p in enumerate(detector.probs):
        if p >= THRESHOLD:
            middle = i * WINDOW + WINDOW // 2
            assert sum(a <= middle < b for a, b in spans) >= 1, f"window {i} never decoded"


def test_soft_first_words_are_in_the_first_stretch_decoded() -> None:
    # "And so, ..." in jfk.flac begins at 0.35 s, but the detector is sure only at 1.0 s.
    audio = read_audio(JFK)
    spans, decode = decoded_spans(audio)
    Endpointer(decode).finish(audio)
    assert spans[0][0] <= 0.4 * 16_000, spans[0]

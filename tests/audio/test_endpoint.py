"""Endpointing: while the key is held the speech is decoded, so release finds it done."""

from __future__ import annotations

import numpy as np

from audio.endpoint import Endpointer
from tests.audio.conftest import read_audio


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
    decoded_while_held = len(calls)
    assert ep.finish(take) == "text"
    assert decoded_while_held == 1 and len(calls) == 1  # nothing left at release


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
    texts = iter(["one", "two"])
    ep = Endpointer(lambda audio, context: contexts.append(context) or next(texts))
    feed_live(ep, take)
    assert ep.finish(take) == "one two"
    assert contexts == ["", "one"]


def test_silence_is_never_decoded() -> None:
    ep = Endpointer(lambda audio, context: "hallucination")
    assert ep.finish(np.zeros(32_000, np.float32)) == ""
    assert ep.decodes == 0

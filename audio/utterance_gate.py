"""Hands-free takes: when the next utterance starts and ends, without a key.

``UtteranceGate`` reads the speech probabilities of a take (``audio.vad.SpeechDetector``,
one per 32 ms window, from the take's start) and says where it stands:

    waiting     no speech yet
    speaking    speech began and has not paused for ``end_silence`` seconds
    ended       speech began, then ``end_silence`` seconds of silence: stop the take
    timed_out   ``listen_seconds`` passed without speech: the conversation is over

Speech begins after ``min_speech`` seconds of windows at or above the detector's start
threshold (a cough or a click is shorter); a window counts as silence below the end
threshold (the detector's own hysteresis). ``HandsFreeListener`` feeds a detector from a
recorder's growing take, skipping its pre-roll (audio from before the take, which may still
hold the end of Harken's own voice).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from audio.vad import NEG_THRESHOLD, THRESHOLD, WINDOW

RATE = 16_000
WINDOW_SECONDS = WINDOW / RATE


class UtteranceGate:
    """Where a hands-free take stands, from its speech probabilities."""

    def __init__(
        self, *, listen_seconds: float, end_silence: float = 0.9, min_speech: float = 0.15
    ) -> None:
        self.listen = _windows(listen_seconds)
        self.silence = _windows(end_silence)
        self.min_speech = _windows(min_speech)

    def state(self, probs: Sequence[float]) -> str:
        """``waiting``, ``speaking``, ``ended`` or ``timed_out`` (see the module)."""
        sure = [i for i, p in enumerate(probs) if p >= THRESHOLD]
        if len(sure) < self.min_speech:
            return "timed_out" if len(probs) >= self.listen else "waiting"
        last = max(i for i, p in enumerate(probs) if p >= NEG_THRESHOLD)
        return "ended" if len(probs) - 1 - last >= self.silence else "speaking"


def _windows(seconds: float) -> int:
    return max(1, math.ceil(seconds / WINDOW_SECONDS - 1e-9))


class HandsFreeListener:
    """Feeds a take's new audio to a speech detector and asks the gate (one thread)."""

    def __init__(self, gate: UtteranceGate, skip_samples: int) -> None:
        from audio.vad import SpeechDetector

        self.gate = gate
        self.detector = SpeechDetector()
        self._fed = skip_samples  # the take's pre-roll is never judged

    @property
    def seconds(self) -> float:
        """How much of the take has been judged (from the end of the skipped part)."""
        return len(self.detector.probs) * WINDOW_SECONDS

    def update(self, recorder: Any) -> str:
        """Look at what ``recorder`` (``audio.capture.Recorder``) recorded since the last
        call; the gate's state."""
        offset, audio = recorder.span()
        start = max(self._fed, offset)
        end = offset + len(audio)
        if end > start:
            self.detector.feed(audio[start - offset :])
            self._fed = end
        return self.gate.state(self.detector.probs)

"""Endpointing: decoding a take while it is being recorded, so little is left at release.

Voice activity splits a take into stretches of speech ("regions"). While the key is held:

- after a short pause (``speculate_after``) the open region is decoded speculatively;
  if the speaker goes on, that guess is dropped, and the next pause decodes it again;
- after a longer pause (``close_after``), or a short one in a region that has grown long,
  the region is closed: its text is final and becomes context for the next region.

At release only a region whose speech has not yet paused is left to decode (often nothing:
people stop speaking before they let go of the key). A region's text depends only on its
audio and the text before it, never on when the worker got to it, so the result is the
same however late the model became ready. Regions are cut with ``pad`` seconds of margin
and never exceed ``max_region`` seconds (Whisper's window is 30 s).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from audio.vad import NEG_THRESHOLD, THRESHOLD, WINDOW, SpeechDetector

if TYPE_CHECKING:
    import numpy as np

RATE = 16_000
WINDOW_SECONDS = WINDOW / RATE

# (audio of one region, text said before it) -> its text
Decode = Callable[["np.ndarray", str], str]


@dataclass
class _Region:
    start: int  # first speech window
    last: int  # latest speech window
    guess: tuple[int, str] | None = None  # (last window it covered, text)


@dataclass
class Endpointer:
    decode: Decode
    speculate_after: float = 0.2
    close_after: float = 0.6
    long_region: float = 8.0
    max_region: float = 28.0
    pad: float = 0.2
    min_speech: float = 0.1
    texts: list[str] = field(default_factory=list)
    decodes: int = 0  # decode calls made, speculative ones included
    wasted: int = 0  # speculative decodes thrown away because speech went on

    def __post_init__(self) -> None:
        self._vad = SpeechDetector()
        self._fed = 0
        self._scanned = 0
        self._region: _Region | None = None

    def update(self, audio: np.ndarray) -> None:
        """Look at the take so far (it only ever grows); decode what has paused."""
        self._feed(audio)
        region = self._region
        paused = region and self._silence_windows() >= self._windows(self.speculate_after)
        if paused and (region.guess is None or region.guess[0] != region.last):
            if region.guess is not None:
                self.wasted += 1
            region.guess = (region.last, self._decode(audio, region, at_end=False))

    def finish(self, audio: np.ndarray) -> str:
        """The whole take is known: decode what is left and return the text."""
        self._feed(audio)
        region = self._region
        if region is not None:
            still_speaking = self._silence_windows() < self._windows(self.speculate_after)
            if region.guess and region.guess[0] == region.last and not still_speaking:
                self._commit(region.guess[1])
            else:
                self._commit(self._decode(audio, region, at_end=still_speaking))
            self._region = None
        return " ".join(t for t in self.texts if t)

    # -- internals ----------------------------------------------------------------------

    def _feed(self, audio: np.ndarray) -> None:
        if len(audio) > self._fed:
            self._vad.feed(audio[self._fed :])
            self._fed = len(audio)
        probs = self._vad.probs
        for i in range(self._scanned, len(probs)):
            self._step(i, probs[i], audio)
        self._scanned = len(probs)

    def _step(self, i: int, p: float, audio: np.ndarray) -> None:
        region = self._region
        if region is None:
            if p >= THRESHOLD:
                self._region = _Region(start=i, last=i)
            return
        if p >= THRESHOLD or (p >= NEG_THRESHOLD and region.last == i - 1):
            region.last = i
        silence, length = i - region.last, i - region.start
        paused = silence >= self._windows(self.speculate_after)
        if (
            silence >= self._windows(self.close_after)
            or (paused and length >= self._windows(self.long_region))
            or length >= self._windows(self.max_region)
        ):
            self._close(region, audio)

    def _close(self, region: _Region, audio: np.ndarray) -> None:
        if region.guess and region.guess[0] == region.last:
            self._commit(region.guess[1])
        else:
            self._commit(self._decode(audio, region, at_end=False))
        self._region = None

    def _commit(self, text: str) -> None:
        self.texts.append(text.strip())

    def _decode(self, audio: np.ndarray, region: _Region, *, at_end: bool) -> str:
        if region.last - region.start + 1 < self._windows(self.min_speech):
            return ""  # a click, not a word
        pad = int(self.pad * RATE)
        start = max(0, region.start * WINDOW - pad)
        end = len(audio) if at_end else min(len(audio), (region.last + 1) * WINDOW + pad)
        self.decodes += 1
        return self.decode(audio[start:end], " ".join(t for t in self.texts if t))

    def _silence_windows(self) -> int:
        assert self._region is not None
        return len(self._vad.probs) - 1 - self._region.last

    @staticmethod
    def _windows(seconds: float) -> int:
        return max(1, math.ceil(seconds / WINDOW_SECONDS - 1e-9))

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

A take can be longer than the audio its source keeps (``hold`` seconds, the recorder's
bound): positions are counted from the start of the take, the source may drop what lies
before ``needed_from`` (decoded, or silence), and a region of unbroken speech is cut while
it still fits, at its quietest window (a gap between words), so the source never has to
hold more than ``hold`` seconds however long the person speaks.
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
# Audio that keeps arriving while a cut region is decoded must still fit: a region is cut
# this much (seconds, or this share of ``hold``) before the source would be full.
HOLD_SLACK = 1.5
HOLD_SLACK_SHARE = 0.3
# Soft first words ("And so, ...") score 0.2 to 0.45 before the detector is sure: a region
# starts back where the probability first rose above ONSET, up to ONSET_BACK seconds.
ONSET = 0.15
ONSET_BACK = 1.0
# A speculative decode starts after this much silence (seconds: one detector window):
# people let go of the key 0.1 to 0.3 s after their last word, and the decode of the last
# region (0.15 to 0.3 s with tiny.en, almost all of it the decoder's token steps) should be
# well under way by then. The detector's probability falls below NEG_THRESHOLD within one
# window of the end of espeak-ng speech. Measured offline (48 commands in 9 voices, live
# endpointing replayed on a clock that advances by the real decode times, 2 cores): after
# one window rather than two, release-to-text p50 at a 0.15 s tail fell from 0.133 s to
# 0.106 s (0.1 s tail: 0.17 to 0.155; 0.2 s: 0.08 to 0.055), word error rate over six
# release settings 0.157 against 0.155 (the naive pipeline: 0.195); the guesses a pause
# inside a phrase wastes cost less than the window they gain.
SPECULATE_AFTER = WINDOW_SECONDS
# A region this long (seconds) closes at its next pause of PHRASE_PAUSE. Shorter regions
# would leave less to decode at release but cost words: on the 16 commands of ``harken
# bench voice``, each decoded live 8 times (tiny.en, window grid shifted), the word error
# rate was 0.140 with 8 s regions closed at 0.2 s pauses, 0.154 with 5 s regions closed at
# 0.12 s pauses, 0.24 with 1.5 s regions; the whole take decoded once gave 0.143. Cut
# shorter, a take's last word is often left alone in a region tiny.en hears as nothing.
LONG_REGION = 8.0
PHRASE_PAUSE = 0.2

# (audio of one region, text said before it) -> its text
Decode = Callable[["np.ndarray", str], str]


@dataclass
class _Region:
    start: int  # first window of the region (where the speech began)
    last: int  # latest speech window
    found: int = -1  # the window where the detector was first sure (-1: ``start``)
    guess: tuple[int, str, int] | None = None  # (last window it covered, text, end sample)
    first_sample: int | None = None  # where it begins when it continues a cut region


@dataclass
class Endpointer:
    decode: Decode
    speculate_after: float = SPECULATE_AFTER
    close_after: float = 0.6
    long_region: float = LONG_REGION
    phrase_pause: float = PHRASE_PAUSE
    max_region: float = 28.0
    pad: float = 0.2
    min_speech: float = 0.1
    hold: float | None = None  # seconds of audio the source keeps (None: all of it)
    texts: list[str] = field(default_factory=list)
    decodes: int = 0  # decode calls made, speculative ones included
    wasted: int = 0  # speculative decodes thrown away because speech went on
    cuts: int = 0  # regions of unbroken speech cut to fit ``max_region`` or ``hold``

    def __post_init__(self) -> None:
        self._vad = SpeechDetector()
        self._fed = 0
        self._scanned = 0
        self._free = 0  # the first window after the last region: where a new one may start
        self._region: _Region | None = None
        self._decoded_to = 0  # the end of the audio decoded for good: regions start after it

    def update(self, audio: np.ndarray, offset: int = 0) -> None:
        """Look at the take so far (it only ever grows); decode what has paused.

        ``audio`` holds the take from sample ``offset`` on (what lies before was released
        at ``needed_from``)."""
        self._feed(audio, offset)
        region = self._region
        paused = region and self._silence_windows() >= self._windows(self.speculate_after)
        if paused and (region.guess is None or region.guess[0] != region.last):
            if region.guess is not None:
                self.wasted += 1
            end = self._edge(audio, offset, region, at_end=False)
            region.guess = (region.last, self._decode(audio, offset, region, end), end)

    def finish(self, audio: np.ndarray, offset: int = 0) -> str:
        """The whole take is known: decode what is left and return the text."""
        self._feed(audio, offset)
        region = self._region
        if region is not None:
            still_speaking = self._silence_windows() < self._windows(self.speculate_after)
            if region.guess and region.guess[0] == region.last and not still_speaking:
                self._commit(region.guess[1], region.guess[2])
            else:
                end = self._edge(audio, offset, region, at_end=still_speaking)
                self._commit(self._decode(audio, offset, region, end), end)
            self._region = None
        return self.text

    @property
    def text(self) -> str:
        """The text of the regions decoded for good so far."""
        return " ".join(t for t in self.texts if t)

    @property
    def needed_from(self) -> int:
        """The first sample of the take still needed; the source may drop those before."""
        if self._region is not None:
            return self._first_sample(self._region)
        back = max(self._free, self._scanned - self._windows(ONSET_BACK))
        return max(0, self._decoded_to, back * WINDOW - self._samples(self.pad))

    @property
    def speech_seconds(self) -> float:
        """How much of the take so far the detector took for speech."""
        return sum(p >= THRESHOLD for p in self._vad.probs) * WINDOW_SECONDS

    # -- internals ----------------------------------------------------------------------

    def _feed(self, audio: np.ndarray, offset: int) -> None:
        if offset > self.needed_from:
            raise ValueError(f"audio from sample {self.needed_from} on is needed, not {offset}")
        end = offset + len(audio)
        if end > self._fed:
            self._vad.feed(audio[self._fed - offset :])
            self._fed = end
        probs = self._vad.probs
        for i in range(self._scanned, len(probs)):
            self._step(i, probs[i], audio, offset)
        self._scanned = len(probs)

    def _step(self, i: int, p: float, audio: np.ndarray, offset: int) -> None:
        region = self._region
        if region is None:
            if p >= THRESHOLD:
                self._region = _Region(start=self._onset(i), last=i, found=i)
            return
        if p >= THRESHOLD or (p >= NEG_THRESHOLD and region.last == i - 1):
            region.last = i
        silence, length = i - region.last, i - region.start
        paused = silence >= self._windows(self.phrase_pause)
        longest = self._longest()
        # A long region closes at a pause between phrases; "long" is at most half what one
        # may span.
        long_region = min(self._windows(self.long_region), longest // 2)
        if silence >= self._windows(self.close_after) or (paused and length >= long_region):
            # Not past this window: after a short pause the next words have begun.
            self._close(region, audio, offset, (i + 1) * WINDOW)
        elif length >= longest:
            self._cut(region, i, audio, offset)

    def _onset(self, i: int) -> int:
        """The window where the speech first detected at window ``i`` began."""
        probs, start = self._vad.probs, i
        lowest = max(self._free, i - self._windows(ONSET_BACK))
        while start > lowest and probs[start - 1] >= ONSET:
            start -= 1
        return start

    def _close(self, region: _Region, audio: np.ndarray, offset: int, until: int) -> None:
        if region.guess and region.guess[0] == region.last:
            self._commit(region.guess[1], region.guess[2])
        else:
            end = min(until, self._edge(audio, offset, region, at_end=False))
            self._commit(self._decode(audio, offset, region, end), end)
        self._region = None
        self._free = region.last + 1

    def _cut(self, region: _Region, i: int, audio: np.ndarray, offset: int) -> None:
        """Speech has gone on too long for one region: decode it up to a gap between words
        (the latest window the detector took for silence in its last two thirds, else the
        quietest window of its second half) and go on from there."""
        probs = self._vad.probs
        third, middle = (region.start + (i - region.start) // d for d in (3, 2))
        gaps = [w for w in range(third, i + 1) if probs[w] < NEG_THRESHOLD]
        quietest = gaps[-1] if gaps else min(range(middle, i + 1), key=lambda w: (probs[w], -w))
        cut = quietest * WINDOW + WINDOW // 2
        self.cuts += 1
        self._commit(self._decode(audio, offset, region, cut), cut)
        self._region = _Region(start=quietest, last=max(quietest, region.last), first_sample=cut)

    def _commit(self, text: str, end: int) -> None:
        self.texts.append(text.strip())
        self._decoded_to = max(self._decoded_to, end)

    def _edge(self, audio: np.ndarray, offset: int, region: _Region, *, at_end: bool) -> int:
        """Where a decode of ``region`` ends: ``pad`` after its speech (or the end of
        the take so far, if that comes first, or if the speech runs on to it)."""
        edge = (region.last + 1) * WINDOW + self._samples(self.pad)
        return offset + len(audio) if at_end else min(offset + len(audio), edge)

    def _decode(self, audio: np.ndarray, offset: int, region: _Region, end: int) -> str:
        if region.last - max(region.start, region.found) + 1 < self._windows(self.min_speech):
            return ""  # a click, not a word
        start = self._first_sample(region)
        self.decodes += 1
        return self.decode(audio[start - offset : end - offset], self.text)

    def _first_sample(self, region: _Region) -> int:
        if region.first_sample is not None:
            return region.first_sample
        # Never back into audio already decoded: a region closed at a short pause may end
        # less than ``pad`` before the next one starts.
        return max(0, self._decoded_to, region.start * WINDOW - self._samples(self.pad))

    def _longest(self) -> int:
        """The most windows one region may span."""
        longest = self.max_region
        if self.hold is not None:
            slack = max(HOLD_SLACK, HOLD_SLACK_SHARE * self.hold)
            longest = min(longest, max(1.0, self.hold - slack - self.pad))
        return self._windows(longest)

    def _silence_windows(self) -> int:
        assert self._region is not None
        return len(self._vad.probs) - 1 - self._region.last

    @staticmethod
    def _samples(seconds: float) -> int:
        return int(seconds * RATE)

    @staticmethod
    def _windows(seconds: float) -> int:
        return max(1, math.ceil(seconds / WINDOW_SECONDS - 1e-9))

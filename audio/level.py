"""Gain for quiet speech: what the speech detector and Whisper hear is lifted, never lowered.

A microphone set low, or a speaker far from it, records clear speech at -50 dBFS peak and
below. Loudness is no sign of speech, but both models depend on it:

- Silero's voice activity detector stops finding speech between -50 and -55 dBFS peak
  (jfk.flac: 176 of 343 windows at -47, 133 at -50, none at -55; espeak-ng: none at -60),
  while it is level-blind from 0 to -47 dBFS. ``Leveller`` lifts a signal as it arrives
  towards ``DETECT_TARGET_DB`` (-30 dBFS peak, inside that range), window by window, so
  the detector hears -70 dBFS speech as it hears -30 dBFS speech. White noise lifted
  there stays far below the speech threshold (probability 0.08 to 0.11 at -30 to -40 dBFS
  RMS), so silence and low noise are still not speech.
- Whisper recognises quiet speech worse. Measured with tiny.en on jfk.flac and two
  espeak-ng sentences quantised to 16 bits, each decoded whole (mean word error rate,
  no gain / lifted to -20 / -10 dBFS peak): at -47 dBFS 0.10 / 0.08 / 0.05, at -60 dBFS
  0.23 / 0.08 / 0.06, at -65 dBFS 0.30 / 0.25 / 0.16, at -70 dBFS 0.55 / 0.41 / 0.31;
  through endpointing (regions decoded one by one) at -47 dBFS 0.14 / 0.06 / 0.10 and at
  -65 dBFS 0.46 / 0.27 / 0.25. Lifted to -10 dBFS, though, tiny.en starts to write
  shouting ("AS NOT!") and drops punctuation, which reads as text it was unsure of; so
  ``lift`` raises each stretch of speech to ``DECODE_TARGET_DB`` (-20 dBFS peak) before
  it is decoded.

Neither ever lowers a signal (loud speech is decoded exactly as recorded), and the gain is
bounded (``MAX_GAIN_DB``): digital silence stays silence, and the floor below which a take
counts as silence (the ``level_floor_db`` setting, -70 dBFS peak by default) is where the
bounded gain can no longer bring speech up to the detector's range.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

DETECT_TARGET_DB = -30.0
DECODE_TARGET_DB = -20.0
MAX_GAIN_DB = 40.0  # -70 dBFS peak reaches the detector's target
DECODE_MAX_GAIN_DB = 60.0
RELEASE_DB_PER_SECOND = 6.0  # how fast the gain recovers after a loud sound


def db(value: float) -> float:
    """``value`` (an amplitude, 1.0 = full scale) in dBFS; -inf for 0."""
    return 20 * math.log10(value) if value > 0 else -math.inf


def amplitude(decibels: float) -> float:
    return 10 ** (decibels / 20)


def peak(audio: np.ndarray) -> float:
    """The largest absolute sample (0.0 for no samples)."""
    import numpy as np

    return float(np.abs(audio).max()) if len(audio) else 0.0


def lift(
    audio: np.ndarray,
    target_db: float = DECODE_TARGET_DB,
    max_gain_db: float = DECODE_MAX_GAIN_DB,
) -> np.ndarray:
    """``audio`` scaled so its peak reaches ``target_db`` (dBFS), by at most
    ``max_gain_db``; audio already that loud (or silent) is returned unchanged."""
    import numpy as np

    top = peak(audio)
    if top <= 0:
        return audio
    gain = min(amplitude(target_db) / top, amplitude(max_gain_db))
    if gain <= 1.0:
        return audio
    return (audio * np.float32(gain)).astype(np.float32, copy=False)


class Leveller:
    """Lifts a growing signal window by window, as it arrives (causal, deterministic).

    The level followed is the peak with an instant rise and a slow fall
    (``RELEASE_DB_PER_SECOND``), so a window is never lifted past the target, a loud click
    does not deafen the detector for long, and the result depends only on the audio, not
    on how it was cut into pieces. The gain falls at once and rises in a ramp across a
    window, so nothing is lifted past the target and quiet stretches have no steps.
    """

    def __init__(
        self,
        window: int,
        rate: int = 16_000,
        target_db: float = DETECT_TARGET_DB,
        max_gain_db: float = MAX_GAIN_DB,
    ) -> None:
        self.window = window
        self._target = amplitude(target_db)
        self._max_gain = amplitude(max_gain_db)
        self._fall = amplitude(-RELEASE_DB_PER_SECOND * window / rate)
        self._level = 0.0
        self._gain = 1.0

    def __call__(self, windows: np.ndarray) -> np.ndarray:
        """``windows``: shape (n, window), consecutive; returns them lifted (float32)."""
        import numpy as np

        out = np.empty_like(windows, dtype=np.float32)
        peaks = np.abs(windows).max(axis=1) if len(windows) else []
        for i, top in enumerate(peaks):
            self._level = max(float(top), self._level * self._fall)
            gain = self._max_gain if self._level <= 0 else self._target / self._level
            gain = min(self._max_gain, max(1.0, gain))
            if gain < self._gain:
                out[i] = windows[i] * np.float32(gain)  # a sound starts: down at once
            else:
                out[i] = windows[i] * np.linspace(self._gain, gain, self.window, dtype=np.float32)
            self._gain = gain
        return out

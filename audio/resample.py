"""Any rate, any channel count -> 16 kHz mono float32, the only format Whisper takes.

Devices record at their native rate (a fixed 16 kHz fails on many), so every block is
down-mixed and resampled with soxr: ``to_16k_mono`` for a whole clip, ``StreamResampler``
for blocks arriving one by one from a microphone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

RATE = 16_000


def mono(samples: np.ndarray) -> np.ndarray:
    """Average the channels of a (frames, channels) block; 1-D input is returned as is."""
    import numpy as np

    if samples.ndim == 1:
        return np.asarray(samples, dtype=np.float32)
    return samples.mean(axis=1, dtype=np.float32)


def to_16k_mono(samples: np.ndarray, rate: float) -> np.ndarray:
    """A whole clip at ``rate`` as 16 kHz mono float32."""
    import numpy as np
    import soxr

    audio = mono(samples)
    if int(rate) == RATE:
        return audio
    return np.asarray(soxr.resample(audio, rate, RATE, quality="HQ"), dtype=np.float32)


class StreamResampler:
    """Resamples consecutive blocks of one stream without clicks at block edges."""

    def __init__(self, rate: float) -> None:
        import soxr

        self.rate = rate
        self._stream = None if int(rate) == RATE else soxr.ResampleStream(rate, RATE, 1, "float32")

    def __call__(self, block: np.ndarray) -> np.ndarray:
        audio = mono(block)
        if self._stream is None:
            return audio
        return self._stream.resample_chunk(audio)

"""An audio file as the microphone path would have it: 16 kHz mono float32, a WAV unrounded.

faster-whisper's ``decode_audio`` resamples through 16-bit integers: speech at -60 dBFS
peak spans about 33 steps of 16 bits and -75 dBFS about 6, so requantising after the
resampler adds noise that the gain lift (``audio.level.lift``, up to 60 dB) then raises
with the speech; a file of quiet speech was "not understood" by ``harken transcribe``
while the same sound played into the microphone was heard. ``read_audio_file`` reads a
PCM WAV as float at the file's own rate and puts it through the same down-mix and soxr
resampler as a microphone's blocks (``audio.resample.to_16k_mono``), so both paths hear
the same samples and get the same verdict (``audio.lost.silent``, the level floor, too).
"""

from __future__ import annotations

import wave
from pathlib import Path
from typing import TYPE_CHECKING

from audio.resample import to_16k_mono

if TYPE_CHECKING:
    import numpy as np

_PCM = {1: "u1", 2: "<i2", 4: "<i4"}  # sample width in bytes -> numpy type (WAV's own)


def read_audio_file(path: Path | str) -> np.ndarray:
    """The audio of ``path`` (WAV, FLAC, MP3, OGG, ...) as 16 kHz mono float32. A PCM WAV
    is read exactly (stdlib ``wave``) and resampled like a microphone's blocks; other
    formats go through faster-whisper's decoder. Raises for a file that is not audio."""
    try:
        return _read_wav(Path(path))
    except (wave.Error, EOFError, ValueError):
        from faster_whisper import decode_audio

        return decode_audio(str(path))  # not PCM WAV: compressed, float or 24-bit


def _read_wav(path: Path) -> np.ndarray:
    import numpy as np

    with wave.open(str(path), "rb") as f:
        width, channels, rate = f.getsampwidth(), f.getnchannels(), f.getframerate()
        frames = f.readframes(f.getnframes())
    if width not in _PCM or not channels:
        raise ValueError(f"{width}-byte samples")
    samples = np.frombuffer(frames, _PCM[width]).astype(np.float32)
    if width == 1:
        samples -= 128.0  # 8-bit WAV is unsigned
    samples /= float(2 ** (8 * width - 1))
    return to_16k_mono(samples.reshape(-1, channels), rate)

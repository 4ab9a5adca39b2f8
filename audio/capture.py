"""Push-to-talk capture: an input stream kept open with a pre-roll, takes at 16 kHz mono.

``Recorder.open()`` starts the microphone stream once (opening one through PulseAudio
takes 0.5 to 2 s before the first block arrives, far too slow for a key press); while idle
only the last ``preroll`` seconds are kept, so ``start()`` costs microseconds and the
first word is never clipped. ``stop()`` returns a ``Take``: the audio, its level and why it
should be dropped (too short, too quiet) or what went wrong (the device stopped delivering
sound: unplugged). Whatever was captured is always in the take.

Blocks arrive on PortAudio's thread; they are down-mixed, resampled to 16 kHz and written
into a buffer bounded by ``max_seconds``; ``captured()`` reads the take so far, which is
how live transcription follows a recording while the key is held.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audio.devices import AudioDeviceError, explain, find_device
from audio.resample import RATE, StreamResampler

if TYPE_CHECKING:
    import numpy as np

# When no block has arrived for this long, the device is taken to be gone.
STALL_SECONDS = 0.6


@dataclass
class Take:
    """One recording, from key press to release."""

    audio: np.ndarray  # float32, 16 kHz mono; starts with the pre-roll
    seconds: float  # press to release, without the pre-roll
    peak_db: float  # loudest block, dBFS
    dropped: str = ""  # why this take should not be transcribed; "" when it should
    problem: str = ""  # what went wrong while recording; the audio is still kept
    truncated: bool = False  # the buffer bound was reached

    @property
    def usable(self) -> bool:
        return not self.dropped


class Recorder:
    """The microphone, kept open while Harken runs; ``start``/``stop`` cut takes from it."""

    def __init__(
        self,
        device: str | int | None = None,
        *,
        max_seconds: float = 120.0,
        preroll: float = 0.3,
        min_seconds: float = 0.3,
        level_floor_db: float = -50.0,
    ) -> None:
        self.device = device
        self.max_seconds = max_seconds
        self.preroll = preroll
        self.min_seconds = min_seconds
        self.level_floor_db = level_floor_db
        self._lock = threading.Lock()
        self._stream = None
        self._resample: StreamResampler | None = None
        self._ring = None  # pre-roll, a circular buffer
        self._ring_pos = 0
        self._buffer = None  # the current take, or None when idle
        self._filled = 0
        self._preroll_len = 0
        self._peak = 0.0
        self._level = 0.0
        self._last_block = 0.0
        self._blocks = 0  # blocks received since the stream opened
        self._started_at = 0.0
        self.device_name = ""
        self.native_rate = 0.0

    # -- the stream ---------------------------------------------------------------------

    def open(self) -> None:
        """Open the input stream (idempotent). Raises ``AudioDeviceError`` with the reason."""
        if self._stream is not None:
            return
        import numpy as np
        import sounddevice as sd

        dev = find_device(self.device, "input")
        self.device_name, self.native_rate = dev.name, dev.default_rate
        self._resample = StreamResampler(dev.default_rate)
        self._ring = np.zeros(max(1, int(self.preroll * RATE)), dtype=np.float32)
        self._ring_pos = 0
        try:
            stream = sd.InputStream(
                device=dev.index,
                samplerate=dev.default_rate,
                channels=min(2, dev.inputs),
                dtype="float32",
                callback=self._on_block,
            )
            stream.start()
        except sd.PortAudioError as exc:
            raise explain(exc, dev.name) from exc
        self._stream = stream
        self._blocks = 0
        self._last_block = time.monotonic()

    def close(self) -> None:
        """Close the stream (pausing listening); a take in progress is discarded."""
        stream, self._stream = self._stream, None
        with self._lock:
            self._buffer = None
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception:  # a vanished device may fail to close: it is gone anyway
                pass
            self._resample = None  # soxr objects alive at exit make nanobind complain

    @property
    def is_open(self) -> bool:
        return self._stream is not None

    @property
    def receiving(self) -> bool:
        """Audio is arriving (a new stream takes a moment before its first block)."""
        return self._blocks > 0 and not self._stalled()

    def wait_receiving(self, timeout: float = 5.0) -> bool:
        """Wait for the first blocks of a freshly opened stream; False on timeout."""
        deadline = time.monotonic() + timeout
        while not self.receiving and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.receiving

    def _on_block(self, indata: np.ndarray, frames: int, when: object, status: object) -> None:
        # PortAudio's thread: keep it short and never raise.
        audio = self._resample(indata) if self._resample else indata[:, 0]
        rms = float((audio**2).mean()) ** 0.5 if len(audio) else 0.0
        with self._lock:
            self._last_block = time.monotonic()
            self._blocks += 1
            self._level = rms
            if self._buffer is not None:
                self._append(audio, rms)
            else:
                self._push_preroll(audio)

    def _append(self, audio: np.ndarray, rms: float) -> None:
        room = len(self._buffer) - self._filled
        part = audio[:room]
        self._buffer[self._filled : self._filled + len(part)] = part
        self._filled += len(part)
        self._peak = max(self._peak, rms)

    def _push_preroll(self, audio: np.ndarray) -> None:
        ring, n = self._ring, len(self._ring)
        audio = audio[-n:]
        end = self._ring_pos + len(audio)
        if end <= n:
            ring[self._ring_pos : end] = audio
        else:
            cut = n - self._ring_pos
            ring[self._ring_pos :] = audio[:cut]
            ring[: end - n] = audio[cut:]
        self._ring_pos = end % n

    # -- takes --------------------------------------------------------------------------

    def start(self) -> None:
        """Begin a take: the pre-roll becomes its first ``preroll`` seconds."""
        import numpy as np

        if self._stream is None or self._stalled():
            self.close()
            self.open()
        with self._lock:
            self._buffer = np.empty(int((self.max_seconds + self.preroll) * RATE), np.float32)
            preroll = np.roll(self._ring, -self._ring_pos)
            self._buffer[: len(preroll)] = preroll
            self._filled = self._preroll_len = len(preroll)
            self._peak = 0.0
            self._started_at = time.monotonic()

    @property
    def recording(self) -> bool:
        return self._buffer is not None

    def captured(self) -> np.ndarray:
        """The current take so far (a read-only view; empty when idle)."""
        import numpy as np

        with self._lock:
            if self._buffer is None:
                return np.zeros(0, np.float32)
            view = self._buffer[: self._filled]
        view.flags.writeable = False
        return view

    def level(self) -> float:
        """Loudness of the latest block for a meter: 0.0 (-60 dBFS or less) to 1.0 (0 dBFS)."""
        db = _db(self._level)
        return min(1.0, max(0.0, (db + 60.0) / 60.0))

    def stop(self) -> Take:
        """End the take; it says whether to drop it and what went wrong, if anything."""
        import numpy as np

        problem = ""
        if self._stalled():
            gone_for = time.monotonic() - self._last_block
            problem = (
                f"The microphone {self.device_name!r} stopped sending sound "
                f"{gone_for:.1f} s before the end (unplugged?); keeping what was captured."
            )
        with self._lock:
            buffer, self._buffer = self._buffer, None
            if buffer is None:
                return Take(np.zeros(0, np.float32), 0.0, -math.inf, dropped="not recording")
            audio = buffer[: self._filled]
            seconds = (self._filled - self._preroll_len) / RATE
            truncated = self._filled >= len(buffer)
            peak_db = _db(self._peak)
        if problem:
            self.close()  # reopened at the next start
        dropped = ""
        if seconds < self.min_seconds:
            dropped = f"too short ({seconds:.2f} s)"
        elif peak_db < self.level_floor_db:
            dropped = f"too quiet ({peak_db:.0f} dBFS)"
        return Take(audio, seconds, peak_db, dropped, problem, truncated)

    def _stalled(self) -> bool:
        # Before the first block the stream is starting, not stalled.
        quiet_for = time.monotonic() - self._last_block
        return self._stream is not None and self._blocks > 0 and quiet_for > STALL_SECONDS


def _db(rms: float) -> float:
    return 20 * math.log10(rms) if rms > 0 else -math.inf


def start_latency(recorder: Recorder, repeats: int = 20) -> float:
    """Median seconds ``start()`` takes on an open recorder (for the benchmark)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        recorder.start()
        times.append(time.perf_counter() - t)
        recorder.stop()
    return sorted(times)[len(times) // 2]


__all__ = ["AudioDeviceError", "Recorder", "Take", "start_latency"]

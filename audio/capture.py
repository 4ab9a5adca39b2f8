"""Push-to-talk capture: an input stream kept open with a pre-roll, takes at 16 kHz mono.

``Recorder.open()`` starts the microphone stream once (opening one through PulseAudio
takes 0.5 to 2 s before the first block arrives, far too slow for a key press); while idle
only the last ``preroll`` seconds are kept, so ``start()`` costs microseconds and the
first word is never clipped. People let go of the key on their last word as often as after
it: ``stop()`` keeps recording while speech goes on at the release, to the word's end (at
most ``grace`` seconds), and returns at once after a pause. It returns a ``Take``
(``audio.take``): the audio, what was lost while recording and when, and why it should be
dropped, if it should.

Blocks arrive on PortAudio's thread; they are down-mixed, resampled to 16 kHz and written
into the take's buffer. ``span()`` reads the take so far, which is how live transcription
follows a recording while the key is held, and ``release(sample)`` lets it hand back what
it has decoded: the buffer bounds the audio *not yet released* to ``max_seconds`` (plus
the pre-roll), not the length of the take. Only when that much is waiting (the speech
model is still loading, or no one releases) does recording stop: ``alert()`` says so at
once, and the take says where (``cut_at``).
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any

from audio import lost
from audio.devices import AudioDeviceError, SoundServerFrozen, explain, find_device
from audio.level import db, peak
from audio.resample import RATE, StreamResampler
from audio.stream_calls import OPEN_SECONDS, call_bounded, close_stream
from audio.take import Take, dropped_reason

if TYPE_CHECKING:
    import numpy as np

# When no block has arrived for this long, the device is taken to be gone.
STALL_SECONDS = 0.6
# PulseAudio delivers a new stream's first blocks 0.5 to 2 s after it opens.
FIRST_BLOCK_SECONDS = 4.0
# People let go of the key on their last word, not after it: while speech goes on at the
# release, ``stop()`` keeps recording until it pauses, at most this long (half a
# sentence-final word said at 130 to 200 words a minute lasts 0.1 to 0.25 s).
GRACE_SECONDS = 0.4
GRACE_CONTEXT = 0.5  # seconds before the release the speech detector hears first
GRACE_PAUSE = 2  # windows (32 ms each) of no speech that end the word


class Recorder:
    """The microphone, kept open while Harken runs; ``start``/``stop`` cut takes from it."""

    def __init__(
        self,
        device: str | int | None = None,
        *,
        max_seconds: float = 120.0,
        preroll: float = 0.3,
        min_seconds: float = 0.3,
        level_floor_db: float = -70.0,
        grace: float = GRACE_SECONDS,
    ) -> None:
        self.device = device
        self.grace = grace
        self.max_seconds = max_seconds
        self.preroll = preroll
        self.min_seconds = min_seconds
        self.level_floor_db = level_floor_db
        self._lock = threading.Lock()
        self._stream = None
        self._opening = 0  # counts opens: a stream opened after its open gave up is ignored
        self._takes = 0  # counts takes started: what reads one take never reads the next
        self._resample: StreamResampler | None = None
        self._ring = None  # pre-roll, a circular buffer
        self._ring_pos = 0
        # The take: _buffer[0] is sample _base of the take; samples before _released are
        # no longer needed; _end samples were recorded (pre-roll included).
        self._buffer = None  # None when idle
        self._base = self._released = self._end = 0
        self._preroll_len = 0
        self._peak = 0.0
        self._cut_at: float | None = None
        self._overflows: list[float] = []
        self._level = 0.0
        self._last_block = 0.0
        self._blocks = 0  # blocks received since the stream opened
        self._started_at = 0.0
        self.device_name = ""
        self.native_rate = 0.0

    @property
    def hold_seconds(self) -> float:
        """The most audio a take keeps before it is released: ``max_seconds`` + pre-roll."""
        return self.max_seconds + self.preroll

    @property
    def _capacity(self) -> int:
        return int(self.hold_seconds * RATE)

    # -- the stream ---------------------------------------------------------------------

    def open(self) -> None:
        """Open the input stream (idempotent). Raises ``AudioDeviceError`` with the reason,
        also when the sound server does not answer within ``OPEN_SECONDS`` (frozen)."""
        if self._stream is not None:
            return
        opening = self._opening = self._opening + 1
        try:
            self._stream = call_bounded(
                lambda: self._open_stream(opening),
                limit=OPEN_SECONDS,
                timeout=lambda: SoundServerFrozen(
                    f"The microphone did not open within {OPEN_SECONDS:.0f} s: the sound "
                    "server does not answer (frozen?). Restart it, or log out and back in."
                ),
                late=lambda stream: close_stream(stream, abort=True),
                name="harken-mic-open",
            )
        except AudioDeviceError:
            self._opening += 1  # a stream the server opens after all is not this one
            raise

    def _open_stream(self, opening: int) -> object:
        # Importing sounddevice starts PortAudio, which asks the sound server too.
        import numpy as np
        import sounddevice as sd

        def on_block(*block: Any) -> None:
            if opening == self._opening:  # not a stream opened too late and given up
                self._on_block(*block)

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
                callback=on_block,
            )
            self._blocks = 0
            self._last_block = time.monotonic()
            stream.start()
        except sd.PortAudioError as exc:
            raise explain(exc, dev.name) from exc
        return stream

    def close(self) -> None:
        """Close the stream (pausing listening); a take in progress is discarded. Waits at
        most ``CLOSE_SECONDS`` for the sound server (a frozen one keeps the stream)."""
        stream, self._stream = self._stream, None
        with self._lock:
            self._buffer = None
        if stream is not None:
            close_stream(stream, abort=True)
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
                if getattr(status, "input_overflow", False):
                    # PortAudio dropped input before this block: sound is missing here.
                    self._overflows.append(self._recorded_seconds())
                self._append(audio)
            else:
                self._push_preroll(audio)

    def _append(self, audio: np.ndarray) -> None:
        if self._cut_at is not None:
            return  # stopped at the bound: no gap is ever spliced into a take
        room = self._capacity - (self._end - self._released)
        if self._end - self._base + min(room, len(audio)) > len(self._buffer):
            self._compact()
        part = audio[:room]
        at = self._end - self._base
        self._buffer[at : at + len(part)] = part
        self._end += len(part)
        self._peak = max(self._peak, peak(part))
        if len(part) < len(audio):
            self._cut_at = self._recorded_seconds()

    def _compact(self) -> None:
        """Move what is still needed to a new buffer. Readers keep the old one (a view
        handed out stays valid and unchanged); called with the lock held."""
        import numpy as np

        keep = self._buffer[self._released - self._base : self._end - self._base]
        buffer = np.empty(len(self._buffer), np.float32)
        buffer[: len(keep)] = keep
        self._buffer, self._base = buffer, self._released

    def _recorded_seconds(self) -> float:
        return (self._end - self._preroll_len) / RATE

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

    def start(self) -> int:
        """Begin a take: the pre-roll becomes its first ``preroll`` seconds. Returns the
        take's number, for ``span`` and ``release`` of this take only."""
        import numpy as np

        if self._stream is None or self._stalled():
            self.close()
            self.open()
        with self._lock:
            self._takes += 1
            # Half as much again as the bound, so releasing rarely needs a copy.
            self._buffer = np.empty(self._capacity + self._capacity // 2 + 1, np.float32)
            preroll = np.roll(self._ring, -self._ring_pos)[: self._capacity]
            self._buffer[: len(preroll)] = preroll
            self._base = self._released = 0
            self._end = self._preroll_len = len(preroll)
            self._peak = peak(preroll)
            self._cut_at = None
            self._overflows = []
            self._started_at = time.monotonic()
            return self._takes

    @property
    def recording(self) -> bool:
        return self._buffer is not None

    def span(self, take: int | None = None) -> tuple[int, np.ndarray]:
        """The current take so far as ``(offset, audio)``: ``audio`` (a read-only view)
        is the take from sample ``offset`` on; before that it was released. Given a take
        number (``start``), nothing once that take has ended: a reader still following an
        ended take must not see the next one."""
        import numpy as np

        with self._lock:
            if self._buffer is None or take not in (None, self._takes):
                return 0, np.zeros(0, np.float32)
            view = self._buffer[self._released - self._base : self._end - self._base]
            offset = self._released
        view.flags.writeable = False
        return offset, view

    def captured(self) -> np.ndarray:
        """The current take so far (a read-only view; empty when idle). After a
        ``release`` it starts at the first sample still held (see ``span``)."""
        return self.span()[1]

    def release(self, sample: int, take: int | None = None) -> None:
        """The take before ``sample`` is no longer needed (it was decoded): its room is
        free for more. A take's audio then starts at the first sample still held. Given a
        take number, only while that take goes on (a late release from the live decoding
        of an ended take released the next take's start, which its own decoding needed)."""
        with self._lock:
            if self._buffer is None or take not in (None, self._takes):
                return
            self._released = max(self._released, min(sample, self._end))
            if self._released - self._base >= self._capacity // 2:
                self._compact()

    def level(self) -> float:
        """Loudness of the latest block for a meter: 0.0 (-60 dBFS or less) to 1.0 (0 dBFS)."""
        return min(1.0, max(0.0, (db(self._level) + 60.0) / 60.0))

    def alert(self) -> str:
        """What is going wrong with the take in progress, said as it happens ("" if all is
        well): the bound was reached, the device stopped sending sound, sound was lost."""
        with self._lock:
            if self._buffer is None:
                return ""
            cut_at, overflows = self._cut_at, list(self._overflows)
        if cut_at is not None:
            return lost.limit_reached_now(cut_at, self.max_seconds)
        if self._stalled():
            return lost.stalled_now(self.device_name, self._stalled_at())
        if overflows:
            return lost.overflowed(overflows)
        return ""

    def stop(self, grace: float | None = None) -> Take:
        """End the take; it says whether to drop it and what was lost, if anything.

        A word still being said at the release is recorded to its end: until the speech
        detector hears a pause, at most ``grace`` seconds (default: the recorder's
        ``grace``; 0 stops at once, as a cancelled take should)."""
        import numpy as np

        held = time.monotonic() - self._started_at
        grace = self.grace if grace is None else grace
        after = self._finish_word(grace) if grace > 0 else 0.0
        stalled_at = self._stalled_at() if self._stalled() else None
        with self._lock:
            buffer, self._buffer = self._buffer, None
            if buffer is None:
                return Take(np.zeros(0, np.float32), 0.0, -math.inf, dropped="not recording")
            audio = buffer[self._released - self._base : self._end - self._base]
            take = Take(
                audio,
                seconds=self._recorded_seconds(),
                peak_db=db(self._peak),
                offset=self._released,
                preroll_seconds=self._preroll_len / RATE,
                held_seconds=held,
                grace_seconds=after,
                cut_at=self._cut_at,
                stalled_at=stalled_at,
                overflows=list(self._overflows),
                max_seconds=self.max_seconds,
                device=self.device_name,
            )
        if stalled_at is not None:
            self.close()  # reopened at the next start
        take.problem = " ".join(lost.while_recording(take))
        take.dropped = dropped_reason(take, self.min_seconds, self.level_floor_db)
        return take

    def _finish_word(self, grace: float) -> float:
        """While the speech detector hears speech at the end of the take, keep recording
        (at most ``grace`` seconds); returns the seconds recorded after the release."""
        from audio.vad import NEG_THRESHOLD, SpeechDetector

        deadline = time.monotonic() + grace
        detector = SpeechDetector()
        with self._lock:
            if self._buffer is None:
                return 0.0
            fed = max(self._released, self._end - int(GRACE_CONTEXT * RATE))
            released = self._end
        while True:
            with self._lock:
                if self._buffer is None or self._cut_at is not None:
                    break
                new = self._buffer[fed - self._base : self._end - self._base].copy()
                fed = self._end
            detector.feed(new)
            probs = detector.probs[-GRACE_PAUSE:]
            paused = not probs or max(probs) < NEG_THRESHOLD
            if paused or time.monotonic() >= deadline or self._stalled():
                break
            time.sleep(0.005)
        return (fed - released) / RATE

    def _stalled(self) -> bool:
        # Before the first block the stream may still be starting: stalled only once it is
        # later than any healthy server's first blocks (a server frozen right after the
        # stream opened never sends one).
        quiet_for = time.monotonic() - self._last_block
        limit = STALL_SECONDS if self._blocks > 0 else FIRST_BLOCK_SECONDS
        return self._stream is not None and quiet_for > limit

    def _stalled_at(self) -> float:
        """Seconds after the press when the last block arrived."""
        return max(0.0, self._last_block - self._started_at)


__all__ = ["AudioDeviceError", "Recorder"]

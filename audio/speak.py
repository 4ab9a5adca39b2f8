"""Speech out: pyttsx3 synthesises sentence by sentence, sounddevice plays, stop is instant.

Each sentence becomes samples on the one synthesis thread (``audio.synth``). The speaker
plays sentences through an output stream it keeps open while it talks; ``stop()`` empties
what is queued and silences the stream at its next block (a few ms), so barge-in is
immediate. ``feed()`` accepts text as it streams in and speaks each sentence as soon as it
is complete, while later text still arrives.

Every wait on the synthesiser or the sound output has a bound, derived from the length of
the text or of the audio plus a margin: a sound server that dies or freezes mid-sentence
stops asking for audio, and then speech ends with ``SpeechOutputError`` in ``error``
instead of waiting for ever. ``save()`` reports a file only once it is written and checked.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio.devices import AudioDeviceError
from audio.output_stream import OutputOpenTimeout, close_output, open_output
from audio.spoken import spoken_pieces
from audio.synth import Synthesiser
from audio.synth_checks import SYNTH_RATE, writable_target, write_speech

if TYPE_CHECKING:
    import numpy as np

IDLE_CLOSE_SECONDS = 3.0  # the output stream is closed after this much silence
# The output asks for a block every few ms to a few hundred ms (PulseAudio's buffer);
# none for this long while a clip plays means the sound server or device is gone.
STALL_SECONDS = 2.0
OUTPUT_MARGIN_SECONDS = 3.0  # a clip may take its own length plus this to play out
POLL_SECONDS = 0.05


class SpeechOutputError(AudioDeviceError):
    """The sound output stopped playing; the speech that was going on has ended."""


class Speaker:
    """Speaks queued sentences; ``stop()`` cuts it off at once (barge-in)."""

    def __init__(self, *, voice: str = "", rate: int = 180, device: str | int | None = None):
        self.voice = voice
        self.rate = rate
        self.device = device
        self._synth = Synthesiser.get()
        self._sentences: queue.Queue[str | None] = queue.Queue()
        self._pending_text = ""
        self._lock = threading.Lock()
        self._clip: np.ndarray | None = None  # what the stream is playing now
        self._pos = 0
        self._block_at = 0.0  # when the output last asked for a block
        self._generation = 0  # bumped by stop(): sentences synthesised before it are dropped
        self._busy = 0  # sentences queued or playing
        self._idle = threading.Event()
        self._idle.set()
        self._played = threading.Event()
        self._stream: Any = None
        self._stream_rate = 0.0
        self.error: Exception | None = None
        threading.Thread(target=self._run, name="harken-speaker", daemon=True).start()

    # -- what the app calls -------------------------------------------------------------

    def say(self, text: str) -> None:
        """Queue ``text``, sentence by sentence (a long one in pieces: ``spoken_pieces``)."""
        for piece in spoken_pieces(text):
            self._queue(piece)

    def feed(self, delta: str) -> None:
        """Streamed text: every sentence completed by ``delta`` starts speaking now."""
        self._pending_text += delta
        parts = spoken_pieces(self._pending_text)
        rest = ""
        if parts and not re.search(r"[.!?]\s+$", self._pending_text):
            unfinished = parts.pop()  # its end has not arrived yet
            rest = self._pending_text[self._pending_text.rfind(unfinished) :]
        for sentence in parts:
            self._queue(sentence)
        self._pending_text = rest

    def flush(self) -> None:
        """The stream of text ended: speak what is left of it."""
        rest, self._pending_text = self._pending_text.strip(), ""
        for piece in spoken_pieces(rest):
            self._queue(piece)

    def stop(self) -> None:
        """Silence now and forget everything queued."""
        with self._lock:
            self._generation += 1
            self._pending_text = ""
            self._clip = None
            self._pos = 0
            self._played.set()
        while True:
            try:
                self._sentences.get_nowait()
            except queue.Empty:
                break
        with self._lock:
            self._busy = 0
            self._idle.set()

    @property
    def speaking(self) -> bool:
        return not self._idle.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until everything queued has been spoken (or speech ended on an error, see
        ``error``); False on timeout. Without a timeout it still ends: every wait inside
        the speaker is bounded."""
        return self._idle.wait(timeout)

    def save(self, text: str, path: Path) -> Path:
        """Write ``text`` as one WAV file instead of playing it; returns ``path`` once the
        file is there and holds all of the speech.

        Raises ``SpeechError`` (synthesis failed, stuck or short), ``ValueError`` (unknown
        voice) or ``OSError`` (the file cannot be written).
        """
        import numpy as np

        target = writable_target(Path(path))  # before a long synthesis, not after it
        parts = [self._synthesised(piece) for piece in spoken_pieces(text)]
        samples = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        return write_speech(target, samples, text, self.rate)

    def voices(self) -> list[tuple[str, str]]:
        """(id, name) of every voice the engine has."""
        return self._synth.voices()

    def close(self) -> None:
        self.stop()
        self._sentences.put(None)

    # -- threads ------------------------------------------------------------------------

    def _queue(self, sentence: str) -> None:
        with self._lock:
            self._busy += 1
            self._idle.clear()
        self._sentences.put(sentence)

    def _synthesised(self, sentence: str) -> np.ndarray:
        return self._synth.synthesise(sentence, self.rate, self.voice)

    def _run(self) -> None:
        while True:
            try:
                sentence = self._sentences.get(timeout=IDLE_CLOSE_SECONDS)
            except queue.Empty:
                self._close_stream()
                continue
            if sentence is None:
                self._close_stream()
                return
            generation = self._generation
            try:
                self._play(self._synthesised(sentence), generation)
            except Exception as exc:  # kept for the app to show; this speech has ended
                if isinstance(exc, AudioDeviceError):
                    self._close_stream()
                if generation == self._generation:  # not a speech stop() already ended
                    self.error = exc
                    self.stop()

    def _play(self, samples: np.ndarray, generation: int) -> None:
        stream = self._ensure_stream()
        clip = _resample(samples, SYNTH_RATE, self._stream_rate)
        with self._lock:
            if generation != self._generation:
                return
            self._clip, self._pos = clip, 0
            self._block_at = time.monotonic()
            self._played.clear()
        self._await_played(stream, len(clip) / self._stream_rate)
        if self._sentences.empty():
            # The last block was handed over, not heard yet: "done" waits for the output.
            time.sleep(min(float(stream.latency), 1.0))
        self._done_one(generation)

    def _await_played(self, stream: Any, seconds: float) -> None:
        """Until the callback has played the clip out (or stop() took it away); raises
        ``SpeechOutputError`` when the output stops, stalls or overruns the clip's length."""
        began = time.monotonic()
        limit = seconds + float(stream.latency) + OUTPUT_MARGIN_SECONDS
        while not self._played.wait(POLL_SECONDS):
            now = time.monotonic()
            if not stream.active:
                why = "the sound output stopped"
            elif now - self._block_at > STALL_SECONDS:
                why = f"the sound output stopped asking for audio for {STALL_SECONDS:.0f} s"
            elif now - began > limit:
                why = (
                    f"the sound output stopped playing (a {seconds:.1f} s sentence had not "
                    f"finished after {limit:.1f} s)"
                )
            else:
                continue
            raise SpeechOutputError(
                f"Speech stopped: {why} (did the sound server or device go away, or was the "
                "output suspended?)."
            )

    def _done_one(self, generation: int) -> None:
        with self._lock:
            if generation == self._generation and self._busy > 0:
                self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    def _on_block(self, outdata: np.ndarray, frames: int, when: Any, status: Any) -> None:
        with self._lock:
            self._block_at = time.monotonic()
            clip = self._clip
            if clip is None:
                outdata.fill(0)
                return
            part = clip[self._pos : self._pos + frames]
            outdata[: len(part), 0] = part
            outdata[len(part) :] = 0
            self._pos += len(part)
            if self._pos >= len(clip):
                self._clip = None
                self._played.set()

    def _ensure_stream(self) -> Any:
        if self._stream is not None and self._stream.active:
            return self._stream
        ended = self._stream is not None
        self._close_stream()  # one that ended on its own (its device went away) is reopened
        try:
            self._stream, self._stream_rate = open_output(self.device, self._on_block)
        except AudioDeviceError as exc:
            if isinstance(exc, OutputOpenTimeout):
                # The server froze as speech began (the stream may already be on it):
                # said as every other loss of the output is.
                raise SpeechOutputError(f"Speech stopped: {exc}") from exc
            if not ended:
                raise
            # Between two sentences the output went away: the same loss as mid-sentence.
            raise SpeechOutputError(
                f"Speech stopped: the sound output went away and did not come back ({exc})"
            ) from exc
        return self._stream

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            close_output(stream)


def _resample(samples: np.ndarray, rate: float, target: float) -> np.ndarray:
    import numpy as np
    import soxr

    if int(rate) == int(target):
        return samples
    return np.asarray(soxr.resample(samples, rate, target), dtype=np.float32)

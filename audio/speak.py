"""Speech out: pyttsx3 synthesises sentence by sentence, sounddevice plays, stop is instant.

A pyttsx3 engine (and espeak under it, which is one per process) must live in one thread,
so a single synthesis thread serves every ``Speaker``: each sentence becomes a WAV in
10 to 20 ms. The speaker plays sentences through an output stream it keeps open while it
talks; ``stop()`` empties what is queued and silences the stream at its next block (a few
ms), so barge-in is immediate. ``feed()`` accepts text as it streams in and speaks each
sentence as soon as it is complete, while later text still arrives.
"""

from __future__ import annotations

import contextlib
import queue
import re
import tempfile
import threading
import wave
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio.spoken import sentences

if TYPE_CHECKING:
    import numpy as np

SYNTH_RATE = 22_050  # what espeak (through pyttsx3) writes
IDLE_CLOSE_SECONDS = 3.0  # the output stream is closed after this much silence


class _Synthesiser:
    """The one thread that owns the pyttsx3 engine."""

    _instance: _Synthesiser | None = None
    _lock = threading.Lock()

    @classmethod
    def get(cls) -> _Synthesiser:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[str, int, str, Path | None, Future[Any]]] = queue.Queue()
        self._folder = Path(tempfile.mkdtemp(prefix="harken-speech-"))
        threading.Thread(target=self._run, name="harken-tts", daemon=True).start()

    def synthesise(self, text: str, rate: int, voice: str, out: Path | None = None) -> Future[Any]:
        """A future of the samples (float32 at ``SYNTH_RATE``), or of ``out`` when given."""
        future: Future[Any] = Future()
        self._jobs.put((text, rate, voice, out, future))
        return future

    def voices(self) -> list[tuple[str, str]]:
        return self.synthesise("", 0, "").result()

    def _run(self) -> None:
        engine = None
        while True:
            text, rate, voice, out, future = self._jobs.get()
            try:
                engine = engine or _new_engine()
                if not text and rate == 0:
                    voices = engine.getProperty("voices")
                    future.set_result([(v.id, v.name) for v in voices])
                    continue
                _configure(engine, rate, voice)
                target = out or self._folder / "sentence.wav"
                engine.save_to_file(text, str(target))
                engine.runAndWait()
                future.set_result(out if out else _read_wav(target))
            except Exception as exc:  # reported to whoever asked
                future.set_exception(exc)


def _new_engine() -> Any:
    import sys

    from pyttsx3.engine import Engine

    engine = Engine()
    driver = sys.modules.get("pyttsx3.drivers.espeak")
    if driver is not None:
        # Its save_to_file prints "Audio saved to ..." on stdout, which is the CLI's output.
        driver.print = lambda *args, **kwargs: None
    return engine


def _configure(engine: Any, rate: int, voice: str) -> None:
    engine.setProperty("rate", rate)
    if voice:
        wanted = voice.lower()
        for v in engine.getProperty("voices"):
            if wanted in (v.id.lower(), v.name.lower()) or wanted in v.name.lower():
                engine.setProperty("voice", v.id)
                return
        raise ValueError(f"No voice named {voice!r}; `harken say --voices` lists them.")


def _read_wav(path: Path) -> np.ndarray:
    import numpy as np

    with wave.open(str(path), "rb") as f:
        frames = f.readframes(f.getnframes())
    return np.frombuffer(frames, np.int16).astype(np.float32) / 32768.0


class Speaker:
    """Speaks queued sentences; ``stop()`` cuts it off at once (barge-in)."""

    def __init__(self, *, voice: str = "", rate: int = 180, device: str | int | None = None):
        self.voice = voice
        self.rate = rate
        self.device = device
        self._synth = _Synthesiser.get()
        self._sentences: queue.Queue[str | None] = queue.Queue()
        self._pending_text = ""
        self._lock = threading.Lock()
        self._clip: np.ndarray | None = None  # what the stream is playing now
        self._pos = 0
        self._generation = 0  # bumped by stop(): sentences synthesised before it are dropped
        self._busy = 0  # sentences queued or playing
        self._idle = threading.Event()
        self._idle.set()
        self._played = threading.Event()
        self._stream = None
        self._stream_rate = 0.0
        self.error: Exception | None = None
        threading.Thread(target=self._run, name="harken-speaker", daemon=True).start()

    # -- what the app calls -------------------------------------------------------------

    def say(self, text: str) -> None:
        """Queue ``text``, sentence by sentence."""
        for sentence in sentences(text):
            self._queue(sentence)

    def feed(self, delta: str) -> None:
        """Streamed text: every sentence completed by ``delta`` starts speaking now."""
        self._pending_text += delta
        parts = sentences(self._pending_text)
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
        if rest:
            self._queue(rest)

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
        """Wait until everything queued has been spoken; False on timeout."""
        return self._idle.wait(timeout)

    def save(self, text: str, path: Path) -> Path:
        """Write ``text`` as one WAV file instead of playing it."""
        return self._synth.synthesise(text, self.rate, self.voice, Path(path)).result()

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
                samples = self._synth.synthesise(sentence, self.rate, self.voice).result()
                self._play(samples, generation)
            except Exception as exc:  # kept for the app to show; speech goes on
                self.error = exc
                self._done_one(generation)

    def _play(self, samples: np.ndarray, generation: int) -> None:
        self._ensure_stream()
        clip = _resample(samples, SYNTH_RATE, self._stream_rate)
        with self._lock:
            if generation != self._generation:
                return
            self._clip, self._pos = clip, 0
            self._played.clear()
        self._played.wait()  # the callback plays it out, or stop() takes it away
        self._done_one(generation)

    def _done_one(self, generation: int) -> None:
        with self._lock:
            if generation == self._generation and self._busy > 0:
                self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    def _on_block(self, outdata: np.ndarray, frames: int, when: Any, status: Any) -> None:
        with self._lock:
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

    def _ensure_stream(self) -> None:
        if self._stream is not None:
            return
        import sounddevice as sd

        from audio.devices import explain, find_device

        dev = find_device(self.device, "output")
        try:
            stream = sd.OutputStream(
                device=dev.index,
                samplerate=dev.default_rate,
                channels=1,
                dtype="float32",
                callback=self._on_block,
                latency="low",
            )
            stream.start()
        except sd.PortAudioError as exc:
            raise explain(exc, dev.name) from exc
        self._stream, self._stream_rate = stream, dev.default_rate

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(Exception):  # a vanished device: nothing to close
                stream.close()


def _resample(samples: np.ndarray, rate: float, target: float) -> np.ndarray:
    import numpy as np
    import soxr

    if int(rate) == int(target):
        return samples
    return np.asarray(soxr.resample(samples, rate, target), dtype=np.float32)

"""The two ways Harken gets samples out of pyttsx3, each ending when the audio is complete.

Why not ``save_to_file`` + ``runAndWait`` alone: pyttsx3 2.99's espeak driver returns from
``runAndWait`` before anything is synthesised. espeak runs in AUDIO_OUTPUT_RETRIEVAL mode,
where ``espeak_Synth`` only queues the text and a thread of espeak's own delivers the audio
later; the driver's loop ends as soon as its command queue has been pumped, and on a fresh
engine that pump runs the queued ``endLoop`` together with ``save_to_file``, before
synthesis starts, so the loop makes one 10 ms turn and returns. The WAV is written later,
from espeak's thread; a process that exits first never gets its file. Waiting for the
driver's ``finished-utterance`` is not enough either: the driver notifies it from inside
espeak's callback and then pumps its command queue from that thread, so the next job's
queued ``endLoop`` can run after the next synthesis started and cancel it (observed: a
WAV of 0 frames for a 34-character sentence).

``EspeakEngine`` (Linux, pyttsx3's default there) therefore uses pyttsx3's espeak binding
directly: its own synthesis callback collects the samples of one job, tagged through
espeak's ``user_data``, and the job ends on espeak's MSG_TERMINATED event. Samples of an
abandoned job are refused (the callback aborts them). ``FileEngine`` is for pyttsx3's other
drivers (SAPI5, NSSSpeechSynthesizer): ``save_to_file`` + ``runAndWait``, then the
``finished-utterance`` notification and the file itself. Both wait with a bound and raise
``SpeechError`` when it passes.
"""

from __future__ import annotations

import ctypes
import itertools
import shutil
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from audio.synth_checks import SpeechError, read_speech, synth_timeout

if TYPE_CHECKING:
    import numpy as np


class Engine(Protocol):
    def synthesise(self, text: str, rate: int, voice: str) -> np.ndarray: ...

    def voices(self) -> list[tuple[str, str]]: ...


def open_engine() -> Engine:
    """The engine for this platform, with the Piper voice where it is installed
    (``audio.synth_piper``); call on the thread that will use it.

    Raises whatever pyttsx3 raises when no speech engine can start (RuntimeError,
    OSError when the espeak-ng library is missing, ...).
    """
    from pyttsx3.engine import Engine as Pyttsx3
    from pyttsx3.engine import default_engine_by_sys_platform

    from audio.synth_piper import with_piper

    engine = Pyttsx3()
    if default_engine_by_sys_platform() == "espeak":
        return with_piper(EspeakEngine(engine))
    return with_piper(FileEngine(engine))


def _voice_list(engine: Any) -> list[tuple[str, str]]:
    return [(v.id, v.name) for v in engine.getProperty("voices")]


def _find_voice(engine: Any, voice: str) -> str:
    """The id of the voice a setting names: its id with or without espeak's language
    family ("gmw/en-us" or "en-us"), its name, or part of the name.

    Raises ``ValueError`` when no voice matches."""
    wanted = voice.lower()
    voices = _voice_list(engine)
    for voice_id, name in voices:
        if wanted in (voice_id.lower(), voice_id.lower().rsplit("/", 1)[-1], name.lower()):
            return voice_id
    for voice_id, name in voices:
        if wanted in name.lower():
            return voice_id
    raise ValueError(f"No voice named {voice!r}; `harken say --voices` lists them.")


class EspeakEngine:
    """espeak through pyttsx3's binding, with a synthesis callback of Harken's own."""

    def __init__(self, engine: Any) -> None:
        from pyttsx3.drivers import _espeak

        self._engine = engine  # kept: its driver initialised espeak (once per process)
        self._espeak = _espeak
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._numbers = itertools.count(1)
        self._job = 0  # the job whose samples are wanted; others are aborted
        self._chunks: list[bytes] = []
        self._finished = False
        self._voice = ""
        _espeak.SetSynthCallback(self._on_audio)  # replaces the driver's (see module doc)

    def voices(self) -> list[tuple[str, str]]:
        return _voice_list(self._engine)

    def synthesise(self, text: str, rate: int, voice: str) -> np.ndarray:
        import numpy as np

        e = self._espeak
        if voice != self._voice:
            name = _find_voice(self._engine, voice) if voice else self._engine_default()
            if e.SetVoiceByName(name.encode("utf-8")) != e.EE_OK:
                raise ValueError(f"espeak cannot use the voice {voice!r}.")
            self._voice = voice
        e.SetParameter(e.RATE, int(rate), 0)
        with self._lock:
            job = self._job = next(self._numbers)
            self._chunks, self._finished = [], False
        status = e.Synth(
            text.encode("utf-8"),
            flags=e.ENDPAUSE | e.CHARS_UTF8,
            user_data=ctypes.c_void_p(job),
        )
        if status != e.EE_OK:
            raise SpeechError(f"espeak refused the text (status {status}).")
        limit = synth_timeout(text)
        with self._done:
            if not self._done.wait_for(lambda: self._finished, limit):
                self._job = 0  # its late samples are refused and the rest aborted
                raise SpeechError(f"Speech synthesis did not finish within {limit:.0f} s.")
            self._job = 0
            pcm = b"".join(self._chunks)
        return np.frombuffer(pcm, np.int16).astype(np.float32) / 32768.0

    def _engine_default(self) -> str:
        from pyttsx3.drivers.espeak import EspeakDriver

        return EspeakDriver._defaultVoice

    # Called on espeak's own thread; returning 1 aborts that synthesis.
    def _on_audio(self, wav: Any, count: int, events: Any) -> int:
        job = events[0].user_data or 0
        with self._lock:
            if job != self._job:
                return 1
            if count > 0:
                self._chunks.append(ctypes.string_at(wav, count * 2))
            i = 0
            while events[i].type != self._espeak.EVENT_LIST_TERMINATED:
                if events[i].type == self._espeak.EVENT_MSG_TERMINATED:
                    self._finished = True
                    self._done.notify_all()
                i += 1
        return 0


class FileEngine:
    """pyttsx3's own file output, for its drivers other than espeak."""

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self._folder = Path(tempfile.mkdtemp(prefix="harken-speech-"))
        # Removed when the engine goes or the process ends (the engine lives that long).
        weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
        self._names = itertools.count()
        self._done = threading.Condition()
        self._finishes = 0
        self._error: BaseException | None = None
        engine.connect("finished-utterance", self._on_finished)
        engine.connect("error", self._on_error)

    def voices(self) -> list[tuple[str, str]]:
        return _voice_list(self._engine)

    def synthesise(self, text: str, rate: int, voice: str) -> np.ndarray:
        self._engine.setProperty("rate", rate)
        if voice:
            self._engine.setProperty("voice", _find_voice(self._engine, voice))
        # A file of its own per job: a late write of an abandoned job never passes as this one.
        target = self._folder / f"utterance-{next(self._names)}.wav"
        with self._done:
            seen, self._error = self._finishes, None
        self._engine.save_to_file(text, str(target))
        self._engine.runAndWait()
        try:
            self._wait_written(target, seen, synth_timeout(text))
            return read_speech(target, text, rate)
        finally:
            target.unlink(missing_ok=True)

    def _wait_written(self, target: Path, seen: int, limit: float) -> None:
        deadline = time.monotonic() + limit
        with self._done:
            while True:
                if self._error is not None:
                    raise SpeechError(f"Speech synthesis failed: {self._error}")
                # A notification from an abandoned job may come first: the file decides.
                if self._finishes > seen and target.exists():
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SpeechError(f"Speech synthesis did not finish within {limit:.0f} s.")
                self._done.wait(left)

    def _on_finished(self, name: Any = None, completed: bool = True) -> None:
        with self._done:
            self._finishes += 1
            self._done.notify_all()

    def _on_error(self, name: Any = None, exception: BaseException | None = None) -> None:
        with self._done:
            self._error = exception or SpeechError("the speech engine failed")
            self._done.notify_all()

"""The transcriber: a Whisper model kept warm on its own thread, fed takes or live audio.

``Transcriber.start()`` loads the model in the background and warms it up once; until it
is ready, work simply waits in the queue (a press before that still records, and its text
follows). Three ways in:

- ``transcribe(audio)``: blocking, for files and the CLI;
- ``submit(audio)``: a ``Future[Transcript]``;
- ``live(source, release=, hold=)``: a ``LiveTranscription`` that follows a growing
  recording (``source()`` returns the take so far) and decodes while the key is held;
  ``finish(audio)`` at release returns a ``Future`` with the text, usually at once. With
  ``release``, what has been decoded is handed back as it goes (``release(sample)``: the
  recorder may drop the take before that sample), so a take may run far longer than the
  ``hold`` seconds its recorder keeps: the limit bounds memory, not speech.

All three decode the same way (voice activity first, so silence gives "", then only the
speech, each region lifted to a level Whisper hears well (``audio.level``) and decoded
with the short encoder window of ``audio.decode``). A decoding error after some text was
decoded keeps that text: the ``Transcript`` says where and why the rest is missing.
"""

from __future__ import annotations

import atexit
import queue
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audio.decode import DecodeOptions, decode
from audio.endpoint import Endpointer
from audio.hotwords import hotword_prompt, respell
from audio.level import lift
from audio.models import language_code
from audio.understood import Heard, unclear_in

if TYPE_CHECKING:
    import numpy as np

RATE = 16_000
POLL_SECONDS = 0.02  # how often a live take looks at new audio: a pause is seen at once
# How long leaving the process waits for the model's thread to come out of native code
# (a load under a busy machine takes seconds; a decode of one region less than one).
EXIT_WAIT_SECONDS = 60.0


@dataclass(frozen=True)
class Transcript:
    text: str
    audio_seconds: float  # the whole take, released audio included
    decode_seconds: float  # from the call (or the release) to the text, model load excluded
    speech_seconds: float = 0.0  # how much of the audio the voice activity detector took for speech
    failure: str = ""  # why decoding stopped before the end ("" when it did not)
    failed_at: float = 0.0  # with a failure: seconds into the audio where decoding stopped
    unclear: str = ""  # why the speech was not understood (audio.understood); text is ""


class Transcriber:
    """Owns one Whisper model and the thread that uses it."""

    def __init__(
        self,
        model: str = "tiny.en",
        *,
        language: str = "auto",
        words: Sequence[str] = (),
        beam_size: int = 5,
        cache_dir: Path | None = None,
        loader: Callable[[], Any] | None = None,
    ) -> None:
        self.model_name = model
        code = language_code(language)  # "en-US" and "English" are "en"
        self.options = DecodeOptions(
            language=None if code in ("", "auto") else code, beam_size=beam_size
        )
        self.words: tuple[str, ...] = ()
        self.set_words(words)
        self._loader = loader or (lambda: _load(model, cache_dir, self.options.language))
        self._jobs: queue.Queue[tuple[Callable[[], None], Future[Any]] | None] = queue.Queue()
        self._loaded_at = float("inf")
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self._takes: weakref.WeakSet[LiveTranscription] = weakref.WeakSet()
        self.model: Any = None
        self.error: Exception | None = None
        self.load_seconds = 0.0

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> Transcriber:
        """Begin loading the model in the background (idempotent); returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="harken-whisper", daemon=True)
            self._thread.start()
            _running.add(self)
        return self

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self.model is not None

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait for the model; raises the load error (``ModelUnavailable``) if it failed."""
        self.start()
        self._ready.wait(timeout)
        if self.error is not None:
            raise self.error
        return self.ready

    def close(self, timeout: float = 10) -> None:
        """End the model's thread once the job it is in (a load, a decode) is done; takes
        still being recorded are dropped. Waits at most ``timeout`` seconds."""
        for take in list(self._takes):
            take.cancel()
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join(timeout=timeout)
            self._thread = None

    def set_words(self, words: Sequence[str]) -> None:
        """Vocabulary to hear right from the next take on: the user's word list and the
        workspace's names (``audio.hotwords``). They prime the decoder, and spoken forms
        of them are respelled ("app dot py" -> "app.py")."""
        self.words = tuple(words)
        self.options = replace(self.options, hotwords=hotword_prompt(self.words))

    # -- work ---------------------------------------------------------------------------

    def submit(self, audio: np.ndarray) -> Future[Transcript]:
        """Transcribe a whole clip (16 kHz mono float32) on the model's thread."""
        future: Future[Transcript] = Future()
        requested = time.perf_counter()

        def job() -> None:
            endpointer = self._endpointer()
            text = self._final(endpointer.finish(audio))
            unclear = unclear_in(endpointer.texts)  # a take is understood whole or not at all
            since = max(requested, self._loaded_at)  # waiting for the load is not decoding
            seconds, speech = len(audio) / RATE, endpointer.speech_seconds
            future.set_result(
                Transcript(
                    "" if unclear else text,
                    seconds,
                    time.perf_counter() - since,
                    speech,
                    unclear=unclear,
                )
            )

        self._put(job, future)
        return future

    def transcribe(self, audio: np.ndarray) -> Transcript:
        return self.submit(audio).result()

    def live(
        self,
        source: Callable[[], Any],
        *,
        release: Callable[[int], None] | None = None,
        hold: float | None = None,
    ) -> LiveTranscription:
        """Follow a recording while it grows; call ``finish`` at release.

        ``source()`` returns the take so far: an array, or ``(offset, audio)`` when the
        samples before ``offset`` were released. ``release(sample)`` is called as the
        take is decoded: nothing before ``sample`` is needed again. ``hold``: the seconds
        of audio the source can keep; stretches of unbroken speech are cut to fit it."""
        live = LiveTranscription(self, source, release, hold)
        self._takes.add(live)
        self._put(live._run, live.future)
        return live

    def decode(self, audio: np.ndarray, context: str = "", **options: Any) -> str:
        """One region of speech, on the calling thread (the model must be loaded)."""
        return decode(self.model, audio, replace(self.options, **options), context).text

    def _endpointer(self, hold: float | None = None) -> Endpointer:
        options = self.options  # a take keeps the settings it started with

        # Endpointing decodes only the regions its own voice activity detection found,
        # each lifted first: quiet speech is recognised better (measured in audio.level).
        def region(audio: np.ndarray, context: str) -> Heard:
            decoded = decode(self.model, lift(audio), options, context, speech_known=True)
            return Heard(decoded.text, decoded.unclear)

        return Endpointer(region, hold=hold)

    def _final(self, text: str) -> str:
        # Spoken name punctuation ("notes dot t x t") is written even with no workspace.
        return respell(text, self.words)

    def _put(self, job: Callable[[], None], future: Future[Any]) -> None:
        if self.error is not None:
            future.set_exception(self.error)
            return
        self.start()
        self._jobs.put((job, future))

    def _run(self) -> None:
        began = time.perf_counter()
        try:
            self.model = self._loader()
            self._warm_up()
        except Exception as exc:  # reported on every future and by wait_ready()
            self.error = exc
        self.load_seconds = time.perf_counter() - began
        self._loaded_at = time.perf_counter()
        self._ready.set()
        while (item := self._jobs.get()) is not None:
            job, future = item
            if future.done():
                continue  # cancelled before it started
            if self.error is not None:
                future.set_exception(self.error)
                continue
            try:
                job()
            except Exception as exc:  # the caller sees it on the future
                if not future.done():
                    future.set_exception(exc)

    def _warm_up(self) -> None:
        import numpy as np

        # One pass through every stage so the first real take does not pay for lazy setup.
        tone = 0.1 * np.sin(np.linspace(0, 2 * np.pi * 220, RATE, dtype=np.float32))
        decode(self.model, tone, self.options, speech_known=True)  # a tone is no speech
        from audio.vad import has_speech

        has_speech(tone)


class LiveTranscription:
    """One take being transcribed while it is recorded."""

    def __init__(
        self,
        transcriber: Transcriber,
        source: Callable[[], Any],
        release: Callable[[int], None] | None = None,
        hold: float | None = None,
    ) -> None:
        self.future: Future[Transcript] = Future()
        self._transcriber = transcriber
        self._source = source
        self._release = release
        self._hold = hold
        self._final: tuple[int, np.ndarray] | None = None
        self._released = 0.0
        self._cancelled = False
        self._wake = threading.Event()
        self.endpointer: Endpointer | None = None

    def finish(self, audio: np.ndarray, offset: int = 0) -> Future[Transcript]:
        """The key was released: ``audio`` is the whole take from sample ``offset`` on (what
        came before was released). Its text comes on the future."""
        self._released = time.perf_counter()
        self._final = (offset, audio)
        self._wake.set()
        return self.future

    def cancel(self) -> None:
        """Drop the take (too short, silent, or the user cancelled)."""
        self._cancelled = True
        self._wake.set()
        if not self.future.done():
            self.future.cancel()

    def _run(self) -> None:
        endpointer = self.endpointer = self._transcriber._endpointer(self._hold)
        failure: Exception | None = None
        failed_at = 0
        while self._final is None and not self._cancelled:
            if failure is None:
                offset, audio = _held(self._source())
                try:
                    endpointer.update(audio, offset)
                except Exception as exc:  # kept for the release: the text so far survives
                    failure, failed_at = exc, endpointer.needed_from
                else:
                    if self._release is not None:
                        self._release(endpointer.needed_from)
            self._wake.wait(POLL_SECONDS)
        if self._cancelled:
            return
        offset, audio = self._final
        if failure is None:
            try:
                text = endpointer.finish(audio, offset)
            except Exception as exc:
                failure, failed_at = exc, endpointer.needed_from
        if failure is not None:
            if not endpointer.text:
                raise failure  # nothing was decoded: the caller sees the error itself
            text = endpointer.text
        # The key may have been released before the model was ready: count from the
        # later of release and readiness, so decode_seconds is what the model took.
        since = max(self._released, self._transcriber._loaded_at)
        unclear = unclear_in(endpointer.texts)  # a take is understood whole or not at all
        self.future.set_result(
            Transcript(
                "" if unclear else self._transcriber._final(text),
                (offset + len(audio)) / RATE,
                time.perf_counter() - since,
                endpointer.speech_seconds,
                failure=_describe(failure) if failure is not None else "",
                failed_at=failed_at / RATE,
                unclear=unclear,
            )
        )


_running: weakref.WeakSet[Transcriber] = weakref.WeakSet()


@atexit.register
def _close_running() -> None:
    # The model's thread is a daemon so that it never keeps the process alive, but
    # CTranslate2 must not be mid-load or mid-decode while the interpreter tears down:
    # that aborts the process ("terminate called without an active exception", or
    # SIGSEGV) after it already said why it stopped, e.g. a silent take that ended
    # before the model had loaded. atexit runs before daemon threads are frozen.
    for transcriber in list(_running):
        transcriber.close(timeout=EXIT_WAIT_SECONDS)


def _held(captured: Any) -> tuple[int, np.ndarray]:
    """``(offset, audio)`` from what a live source returned (an array starts at 0)."""
    if isinstance(captured, tuple):
        return captured
    return 0, captured


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _load(model: str, cache_dir: Path | None, language: str | None) -> Any:
    from audio.models import load

    return load(model, cache_dir, language=language)  # a model that cannot hear it fails

"""The one thread that owns the speech engine: text in, checked samples out.

espeak allows one engine per process, used from one thread, so every ``Speaker`` shares
this one. A job ends only when its audio is complete and checked (``audio.synth_engines``
explains why pyttsx3's ``runAndWait`` is not that moment); each wait for it is bounded.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, TypeVar

from audio.synth_checks import (
    SYNTH_BASE_SECONDS,
    SYNTH_RATE,
    SpeechEngineStuck,
    check_length,
    synth_timeout,
)

if TYPE_CHECKING:
    import numpy as np

    from audio.synth_engines import Engine

T = TypeVar("T")
QUEUE_MARGIN_SECONDS = 10.0  # a job may wait this long behind other jobs (each ~0.1 s)


class Synthesiser:
    """Runs synthesis jobs in order on the engine's thread."""

    _instance: Synthesiser | None = None
    _lock = threading.Lock()

    @classmethod
    def get(cls) -> Synthesiser:
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[[Engine], Any], Future[Any]]] = queue.Queue()
        self._stuck = False  # a job overran its bound and the thread has not come back
        threading.Thread(target=self._run, name="harken-tts", daemon=True).start()

    def synthesise(self, text: str, rate: int, voice: str) -> np.ndarray:
        """The samples of ``text`` (float32 at ``SYNTH_RATE``), complete and checked.

        Raises ``SpeechError`` when the engine fails, does not finish within
        ``synth_timeout(text)`` (plus time queued behind others) or delivers less than
        the text needs; ``ValueError`` for an unknown voice.
        """
        import numpy as np

        from audio.spoken import PIECE_CHARS, spoken_pieces

        if not text.strip():
            return np.zeros(0, np.float32)
        if len(text) > PIECE_CHARS:  # one job per piece: each is bounded, none takes ages
            parts = [self.synthesise(piece, rate, voice) for piece in spoken_pieces(text)]
            return np.concatenate(parts) if parts else np.zeros(0, np.float32)

        def job(engine: Engine) -> np.ndarray:
            samples = engine.synthesise(text, rate, voice)
            check_length(len(samples) / SYNTH_RATE, text, rate)
            return samples

        return self._result(self._call(job), synth_timeout(text) + QUEUE_MARGIN_SECONDS)

    def voices(self) -> list[tuple[str, str]]:
        """(id, name) of every voice the engine has; starts the engine if needed."""
        return self._result(self._call(lambda engine: engine.voices()), SYNTH_BASE_SECONDS * 3)

    def _call(self, job: Callable[[Engine], T]) -> Future[T]:
        if self._stuck:  # each job would only wait out its own bound behind it
            raise SpeechEngineStuck("The speech engine is stuck (is the sound server frozen?).")
        future: Future[T] = Future()
        self._jobs.put((job, future))
        return future

    def _result(self, future: Future[T], limit: float) -> T:
        try:
            return future.result(timeout=limit)
        except TimeoutError:
            self._stuck = True
            raise SpeechEngineStuck(
                f"The speech engine did not answer within {limit:.0f} s (is the sound "
                "server frozen? espeak-ng waits for it when it starts; or is the machine "
                "too busy?)."
            ) from None

    def _run(self) -> None:
        from audio.synth_engines import open_engine

        engine: Engine | None = None
        while True:
            job, future = self._jobs.get()
            try:
                engine = engine or open_engine()
                future.set_result(job(engine))
            except Exception as exc:  # reported to whoever asked
                future.set_exception(exc)
            self._stuck = False

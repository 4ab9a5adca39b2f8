"""The speaking side of ``desktop.voice.Voice``: summaries and readings, with barge-in.

``Speech`` is mixed into ``Voice``: ``speak(text)`` says a summary (or a progress line) on
the speech lane and ``speech_done`` follows; ``stop_speech()`` silences it (barge-in) and
``speech_number`` moves at each of the two, so a reader going sentence by sentence
(``desktop.replies``) knows when to stop; ``say_now(text)`` speaks on the calling thread.
With ``speech_out`` set, each spoken text is written to ``speech-NNN.wav`` in that folder
instead of being played (the end-to-end tests' hook).
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.background import Background

log = logging.getLogger(__name__)

SPEECH = "speech"  # the background lane of everything said


class Speech:
    """Mixed into ``Voice``, which sets the attributes below and holds ``speech_done``."""

    background: Background
    speech_out: Path | None
    speaker: Any
    speech_done: Any  # Signal()
    _speech: int  # the number of the latest speech; older completions are ignored
    _written: int

    if TYPE_CHECKING:  # Voice's own methods, used here

        def trim_memory(self) -> None: ...
        def _fail(self, exc: BaseException) -> None: ...

    def speak(self, text: str) -> None:
        """Say ``text`` (already written for the ear); ``speech_done`` follows."""
        self._speech += 1
        number = self._speech
        if self.speech_out is not None:
            self._written += 1
            path = self.speech_out / f"speech-{self._written:03d}.wav"
            work = partial(self._write, text, path)
        else:
            work = partial(self._say, text)
        self.background.run(work, lambda _: self._spoken(number), self._speech_failed, lane=SPEECH)

    def _write(self, text: str, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        self.speaker.save(text, partial)
        partial.rename(path)  # whoever waits for the file sees it whole
        log.info("spoken text written to %s: %r", path, text)

    def _say(self, text: str) -> None:
        speaker = self.speaker
        speaker.error = None
        log.info("speaking: %r", text)
        speaker.say(text)
        speaker.wait()
        if speaker.error is not None:
            raise speaker.error

    def _spoken(self, number: int) -> None:
        if number == self._speech:
            self.speech_done.emit()
            self.trim_memory()  # the summary's synthesised samples, and the turn's replies

    def _speech_failed(self, exc: BaseException) -> None:
        self._fail(exc)
        self.speech_done.emit()

    def stop_speech(self) -> None:
        self._speech += 1  # whatever was speaking will not report its end
        if self.speaker is not None:
            self.speaker.stop()

    @property
    def speech_number(self) -> int:
        """Moves at every ``speak`` and ``stop_speech``: a reader going sentence by sentence
        (``desktop.replies``) stops when it moves (barge-in, a new summary)."""
        return self._speech

    def say_now(self, text: str) -> None:
        """Speak ``text`` (or write it to ``speech_out``) on the calling thread, the speech
        lane; no ``speech_done`` (for ``desktop.replies``)."""
        if self.speech_out is not None:
            self._written += 1
            self._write(text, self.speech_out / f"speech-{self._written:03d}.wav")
        else:
            self._say(text)

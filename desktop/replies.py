"""Spoken replies people can use: replay, the whole answer, pause and resume, speed.

    replies = Replies(host, voice, background)
    replies.replay()        say the last answer's spoken summary again
    replies.read_whole()    read the whole last answer (``audio.spoken.read_aloud``: code
                            blocks and tables described, paths read as their file names)
    replies.pause() / resume() / stop()
    replies.set_rate(wpm)   the speech rate setting, from the next sentence on
    replies.fill_menu(menu, answer)     the tray's "Spoken replies" submenu

A reading goes sentence by sentence on the voice's speech lane (``Voice.say_now``), so a
pause stops within the sentence being said and a resume starts that sentence again. A new
take (the hotkey pressed: barge-in) or any other speech (``Voice.speech_number`` moves)
pauses it; ``speech_done`` comes once, when a reading reaches its end.

When a sentence cannot be said (the sound server went away, the output froze: the speaker
ends it with an error, never a hang), the reading pauses at that sentence, the sentences
queued after it are not tried (each would wait out its own bound on the speech lane), and
the user is told through ``Voice.failed``, as for a summary; "Resume reading" tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

SPEECH = "speech"  # desktop.voice's speech lane: readings queue behind summaries
RATES = (("Slow", 140), ("Normal", 180), ("Fast", 220), ("Fastest", 270))  # words a minute


class Replies(QObject):
    """Readings of the last answer through ``voice``; the host gives the answer and settings."""

    finished = Signal()  # a reading reached its end

    def __init__(self, host: Any, voice: Any, background: Any) -> None:
        super().__init__()
        self.host = host
        self.voice = voice
        self.background = background
        self._sentences: list[str] = []
        self._index = 0  # the first sentence not yet said in full
        self._reading = 0  # the number of the current reading; older jobs do nothing
        self._broken = 0  # a reading whose sentence failed: its later jobs do nothing
        self.paused = False
        voice.take_started.connect(lambda _take: self.pause())

    @property
    def reading(self) -> bool:
        """A reading is under way (not paused, not finished)."""
        return bool(self._sentences) and not self.paused and self._index < len(self._sentences)

    def replay(self) -> None:
        """Say the last answer's spoken summary again."""
        from audio.spoken import sentences, spoken_summary

        self._read(sentences(spoken_summary(self.host.last_answer())))

    def read_whole(self) -> None:
        """Read the whole last answer, code blocks and tables described."""
        from audio.spoken import read_aloud, sentences

        self._read(sentences(read_aloud(self.host.last_answer())))

    def pause(self) -> None:
        """Stop at once; ``resume`` says the interrupted sentence again and goes on."""
        if not self.reading:
            return
        self.paused = True
        self._reading += 1
        self.voice.stop_speech()
        log.info("reading paused at sentence %d of %d", self._index + 1, len(self._sentences))

    def resume(self) -> None:
        """Go on from where ``pause`` stopped."""
        if not self.paused:
            return
        self.paused = False
        log.info("reading resumed at sentence %d", self._index + 1)
        self._queue()

    def stop(self) -> None:
        """End the reading (not resumable)."""
        was = self.reading
        self._sentences, self._index, self.paused = [], 0, False
        self._reading += 1
        if was:
            self.voice.stop_speech()

    def set_rate(self, wpm: int) -> None:
        """Speak at ``wpm`` words a minute (the ``speech_rate`` setting)."""
        self.host.change_settings({"speech_rate": int(wpm)})

    def _read(self, said: list[str]) -> None:
        self.stop()
        self.voice.stop_speech()  # a summary being said gives way
        if not said:
            return
        self._sentences = said
        log.info("reading %d sentences", len(said))
        self._queue()

    def _queue(self) -> None:
        self._reading += 1
        reading, number = self._reading, self.voice.speech_number
        for i in range(self._index, len(self._sentences)):
            self.background.run(
                partial(self._say, reading, number, self._sentences[i]),
                partial(self._said, reading, i),
                self._failed,
                lane=SPEECH,
            )

    def _say(self, reading: int, number: int, sentence: str) -> bool:
        """On the speech lane: say one sentence unless the reading was paused or replaced."""
        stale = reading != self._reading or number != self.voice.speech_number
        if stale or reading == self._broken:
            return False
        try:
            self.voice.say_now(sentence)
        except Exception:
            self._broken = reading  # set here, on the lane: the next job sees it at once
            raise
        return True

    def _said(self, reading: int, i: int, said: bool) -> None:
        if reading != self._reading:
            return
        if not said:  # other speech or a stop came in between: keep the place
            self.pause_here()
            return
        self._index = i + 1
        if self._index == len(self._sentences):
            log.info("reading finished")
            self.finished.emit()

    def pause_here(self) -> None:
        """Other speech took over mid-reading: the reading is paused where it was."""
        if self._sentences and self._index < len(self._sentences) and not self.paused:
            self.paused = True
            self._reading += 1

    def _failed(self, exc: BaseException) -> None:
        log.warning("reading: %s", exc)
        self.pause_here()
        self.voice.failed.emit(str(exc) or type(exc).__name__)  # shown as a summary's is

    # -- the tray menu ----------------------------------------------------------------------

    def fill_menu(self, menu: Any, answer: str) -> None:
        """The "Spoken replies" submenu (rebuilt each time the tray menu shows)."""
        add: Callable[[str, Callable[[], None], bool], Any] = _adder(menu)
        add("Replay last answer", self.replay, bool(answer))
        add("Read whole answer", self.read_whole, bool(answer))
        if self.paused:
            add("Resume reading", self.resume, True)
        else:
            add("Pause reading", self.pause, self.reading)
        add("Stop reading", self.stop, self.reading or self.paused)
        menu.addSeparator()
        current = int(self.host.config.speech_rate)
        for label, wpm in RATES:
            action = add(
                f"Speed: {label} ({wpm} words a minute)", partial(self.set_rate, wpm), True
            )
            action.setCheckable(True)
            action.setChecked(wpm == current)


def _adder(menu: Any) -> Callable[[str, Callable[[], None], bool], Any]:
    def add(text: str, slot: Callable[[], None], enabled: bool) -> Any:
        action = menu.addAction(text)
        action.setEnabled(enabled)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    return add


def start_replies(controller: Any, background: Any, voice: Any) -> Replies:
    """The running app's replies, offered in the tray menu through ``controller.replies``."""
    replies = Replies(controller, voice, background)
    controller.replies = replies
    return replies

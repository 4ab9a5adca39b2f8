"""Conversation mode: after a spoken reply the microphone listens again, without the key.

    hands_free = HandsFree(controller)
    hands_free.reply_coming()      the turn ended with something to say (``on_turn_done``)
    hands_free.speech_done()       Harken stopped speaking: listen again after a short tail
    hands_free.key_pressed()       the person took over with the hotkey: stop watching
    hands_free.heard(take, text)   "stop" / "that's all" ends the conversation (True); a
                                   request held while speech may go on (True)
    hands_free.held_empty(take, why)   the same for a take heard as empty

With the setting ``conversation_mode`` on, a take starts ``TAIL_MS`` (plus the recorder's
pre-roll) after the reply has been said, through the same state machine input a key press
uses, so the tray and the overlay show "listening" as they do for the hotkey. Voice
activity (``audio.utterance_gate``) ends the take once the person has spoken and paused
(setting ``end_silence_ms``). That end is provisional: speech that goes on after the pause
joins the same request or, once the request went on, the turn as a follow-up
(``desktop.continuation``); nothing said after a pause is dropped silently. If nobody
speaks within ``LISTEN_SECONDS``, the take is dropped and the conversation is over until
the next key press. Harken's own voice cannot start a take: the detector only
runs after the reply has ended (and the tail has passed), and never judges the pre-roll.

``ConversationSwitch`` is mixed into the controller: the tray menu's "Conversation mode".
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from audio.answer_words import ends_conversation
from desktop import state as st
from desktop.continuation import Continuation, end_silence

if TYPE_CHECKING:
    from desktop.controller import Controller

log = logging.getLogger(__name__)

TAIL_MS = 300  # after the reply (and the pre-roll) before listening: its echo dies away
LISTEN_SECONDS = 6.0  # how long the microphone waits for the next request
POLL_MS = 100
LANE = "hands-free"  # the detector runs here, off the GUI thread
ENDED = "Conversation ended."


class HandsFree(QObject):
    """Re-arms the microphone after each spoken reply while conversation mode is on."""

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        self.c = controller
        self._reply = False  # the speech now being said is a turn's reply
        self.take: int | None = None  # the hands-free take being watched
        self._last_take: int | None = None  # the latest hands-free take (for ``heard``)
        self._listener: Any = None
        self._measuring = False
        self._arm = QTimer(self)
        self._arm.setSingleShot(True)
        self._arm.timeout.connect(self._start)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check)
        self.continuation = Continuation(controller, self._ends)

    @property
    def on(self) -> bool:
        return bool(getattr(self.c.config, "conversation_mode", False))

    @property
    def listening(self) -> bool:
        """A hands-free take is being watched, or about to start."""
        return self.take is not None or self._arm.isActive()

    def reply_coming(self) -> None:
        self._reply = self.on and self.c.machine.state is st.State.SPEAKING
        self.continuation.turn_ended()  # speech under way after a request: a follow-up

    def speech_done(self) -> None:
        if not self._reply:
            return
        self._reply = False
        if self.on and self.c.machine.state is st.State.IDLE and not self.c.machine.paused:
            self._arm.start(TAIL_MS + int(self.c.config.preroll_ms))

    def key_pressed(self) -> None:
        """The hotkey went down: the person leads from here (nothing hands-free goes on)."""
        self._reply = False
        self._arm.stop()
        self._stop_watching()
        self.continuation.key_pressed()

    def heard(self, take: int, text: str) -> bool:
        """``text`` of a hands-free take: held while speech may go on after its pause, or
        it ends the conversation: handled (True)."""
        if self.continuation.heard(take, text) or self.continuation.hold(take, text):
            return True
        return self._ends(take, text)

    def held_empty(self, take: int, why: str) -> bool:
        """A hands-free take heard as empty, held while speech may go on (True)."""
        return self.continuation.hold(take, "", why)

    def _ends(self, take: int, text: str) -> bool:
        if take != self._last_take or not ends_conversation(text):
            return False
        log.info("conversation ended by %r", text)
        self.c.feed(self.c.machine.cancel)
        self.c.notify(ENDED)
        return True

    # -- watching a take ------------------------------------------------------------------

    def _start(self) -> None:
        c = self.c
        voice = c.parts.voice if c.parts else None
        if voice is None or c.machine.state is not st.State.IDLE or c.machine.paused:
            return
        if not self.on:
            return
        c.feed(c.machine.toggle)  # a take, exactly as the hotkey would start one
        if c.machine.state is not st.State.RECORDING:
            return
        self.take = self._last_take = c.machine.take
        self._listener = None
        log.info("conversation mode: listening for the next request (take %d)", self.take)
        self._poll.start()

    def _check(self) -> None:
        c = self.c
        if self.take is None or c.machine.take != self.take:
            self._stop_watching()
            return
        if c.machine.state is not st.State.RECORDING:
            self._stop_watching()
            return
        if self._measuring or c.parts is None or c.parts.voice is None:
            return
        self._measuring = True
        take = self.take
        c.parts.background.run(
            self._measure, lambda state: self._measured(take, state), self._failed, lane=LANE
        )

    def _measure(self) -> str:
        from audio.utterance_gate import HandsFreeListener, UtteranceGate

        voice = self.c.parts.voice if self.c.parts else None
        recorder = voice.recorder if voice is not None else None
        if recorder is None or not recorder.recording:
            return "waiting"
        if self._listener is None:
            silence = end_silence(self.c.config)
            gate = UtteranceGate(listen_seconds=LISTEN_SECONDS, end_silence=silence)
            skip = int(self.c.config.preroll_ms) * 16  # samples at 16 kHz
            self._listener = HandsFreeListener(gate, skip)
        return self._listener.update(recorder)

    def _measured(self, take: int, state: str) -> None:
        self._measuring = False
        if take != self.take or self.c.machine.take != take:
            return
        if state == "ended":
            log.info("conversation mode: the request ended (take %d)", take)
            self._stop_watching()
            self.c.feed(self.c.machine.toggle)  # as a key release: transcribe it
            if self.c.machine.state is st.State.TRANSCRIBING and self.c.machine.take == take:
                self.continuation.begin(take)  # the end is provisional
        elif state == "timed_out":
            log.info("conversation mode: nothing said; %s", ENDED)
            self._stop_watching()
            self.c.feed(self.c.machine.cancel)

    def _failed(self, exc: BaseException) -> None:
        self._measuring = False
        log.warning("conversation mode: %s", exc)
        self._stop_watching()
        self.c.feed(self.c.machine.cancel)

    def _stop_watching(self) -> None:
        self._poll.stop()
        self.take = None

    def stop(self) -> None:
        """Quit: nothing starts any more."""
        self._arm.stop()
        self._stop_watching()
        self.continuation.stop()


class ConversationSwitch:
    """Mixed into the controller: the tray menu's "Conversation mode" switch."""

    config: Any

    if TYPE_CHECKING:

        def change_settings(self, changes: dict[str, Any]) -> None: ...

    @property
    def conversation_mode(self) -> bool:
        return bool(getattr(self.config, "conversation_mode", False))

    def set_conversation_mode(self, on: bool) -> None:
        """Listen again after each spoken reply (on), or only while the hotkey is held."""
        self.change_settings({"conversation_mode": on})

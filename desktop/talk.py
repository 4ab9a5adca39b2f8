"""Talking with Harken while it works: the hotkey during a turn, questions said aloud.

``Talk`` is a part of the controller. While a turn runs the state machine would only say
"busy" to a key press; ``press``/``release``/``toggle`` take it here first and record a
*side take* (numbered apart from the machine's takes, so the machine ignores its text):

    a permission dialog is open   "yes" / "allow" / "always" / "no" / "deny" answer it
                                  (``desktop.spoken_answers``); unclear: it stays open
    a question dialog is open     the reply picks an option or is the answer
    the reply starts "stop"/"cancel"   the turn is interrupted
    otherwise                     a follow-up: queued for the running turn's next request
                                  (``AgentBridge.follow_up``, ``agent.follow_ups``); if the
                                  turn ended meanwhile it becomes the next request

It also says permission questions and AskUserQuestion questions aloud, shows the question
dialog (``desktop.windows.question``) and answers the session's question events, and runs
conversation mode (``desktop.conversation_mode``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QObject

from agent.follow_ups import HEARD_NOTE
from audio.answer_words import starts_with_stop
from desktop import state as st
from desktop.conversation_mode import HandsFree
from desktop.spoken_answers import (
    answer_permission,
    permission_sentence,
    question_sentence,
    rule_readback,
)

if TYPE_CHECKING:
    from agent.events import Event, PermissionRequested
    from agent.questions import QuestionAsked
    from desktop.controller import Controller
    from desktop.parts import Parts
    from desktop.windows.question import QuestionDialog

log = logging.getLogger(__name__)

SIDE_TAKES = 1_000_000  # side take numbers start here: never one of the machine's
UNCLEAR = "Say yes, no or always."


class Talk(QObject):
    """Side takes during a turn, spoken questions and answers, conversation mode."""

    def __init__(self, controller: Controller) -> None:
        super().__init__(controller)
        self.c = controller
        self.hands_free = HandsFree(controller)
        self._next = SIDE_TAKES
        self._recording: int | None = None  # the side take being recorded
        self._waiting: set[int] = set()  # side takes being transcribed
        self.questions: dict[int, QuestionDialog] = {}  # open question dialogs

    def attach(self, parts: Parts) -> None:
        """Connect after the controller's own connections (they run first)."""
        if parts.voice is not None:
            parts.voice.transcript_empty.connect(self._empty)
            parts.voice.speech_done.connect(self.hands_free.speech_done)
        if parts.bridge is not None:
            parts.bridge.event.connect(self._on_event)
            parts.bridge.turn_done.connect(self._turn_done)

    # -- the hotkey -----------------------------------------------------------------------

    def press(self) -> bool:
        """The hotkey went down; True when it was taken here (a side take)."""
        if self._recording is not None:
            if self.c.machine.mode == "toggle":
                self._end_side()
            return True  # auto-repeat of a held key
        self.hands_free.key_pressed()
        if not self.c.machine.busy or self.c.machine.paused:
            return False
        self._start_side()
        return True

    def release(self) -> bool:
        """The hotkey went up; True when it ended a side take."""
        if self._recording is None:
            return False
        if self.c.machine.mode != "toggle":
            self._end_side()
        return True

    def toggle(self) -> bool:
        """``harken ptt toggle`` or press-once mode; True when it was taken here."""
        if self._recording is not None:
            self._end_side()
            return True
        return self.press()

    def _start_side(self) -> None:
        p = self.c.parts
        voice = p.voice if p else None
        if voice is None:
            return
        voice.stop_speech()  # a question being read out gives way (barge-in)
        self._next += 1
        self._recording = self._next
        log.info("side take %d: recording while the turn runs", self._recording)
        voice.start_take(self._recording)
        self.c._cue("start")
        self.c._overlay("show_recording")
        self.c._level.start()

    def _end_side(self) -> None:
        take, self._recording = self._recording, None
        p = self.c.parts
        if take is None or p is None or p.voice is None:
            return
        self._waiting.add(take)
        p.voice.finish_take(take)
        self.c._cue("stop")
        self.c._level.stop()
        self.c._overlay("show_transcribing")

    def cancel(self) -> None:
        """The turn was stopped: a side take in progress is dropped."""
        take, self._recording = self._recording, None
        p = self.c.parts
        if take is not None and p is not None and p.voice is not None:
            p.voice.cancel_take(take)
            self.c._level.stop()
            self.c._overlay("hide_overlay")

    # -- what was heard -------------------------------------------------------------------

    def heard(self, take: int, text: str) -> bool:
        """A transcript (``Voice.transcript_ready``): True when it was handled here."""
        if take in self._waiting:
            self._waiting.discard(take)
            self.c._overlay("hide_overlay")
            log.info("side take %d heard: %r", take, text)
            self._side_heard(text.strip())
            return True
        return self.hands_free.heard(take, text)

    def _empty(self, take: int, why: str) -> None:
        if take in self._waiting:
            self._waiting.discard(take)
            self.c._overlay("hide_overlay")
            self.c.notify(f"Nothing heard: {why}.")

    def _side_heard(self, text: str) -> None:
        c = self.c
        if not text:
            return
        dialog = c.permissions.dialog()
        if dialog is not None:
            self._answer_permission(dialog, text)
            return
        question = next(iter(self.questions.values()), None)
        if question is not None and not starts_with_stop(text):
            if not question.answer_by_voice(text):
                self._say("I did not catch that; say the option, or its number.")
            return
        if starts_with_stop(text):
            log.info("stopped by voice: %r", text)
            c.stop()
            return
        bridge = c.parts.bridge if c.parts else None
        if bridge is None:
            return
        if c.machine.busy:
            log.info("follow-up for the running turn: %r", text)
            bridge.follow_up(text)
            if c.parts and c.parts.conversation is not None:
                c.parts.conversation.add_heard(text)
            c.notify(HEARD_NOTE + text)
        else:  # the turn ended while the take was transcribed: the next request
            c.feed(c.machine.typed, text)

    def _answer_permission(self, dialog: Any, text: str) -> None:
        rule = dialog.request.always_rule
        meaning = answer_permission(dialog, text)
        log.info("spoken permission answer %r: %s", text, meaning or "unclear")
        if meaning is None:
            if starts_with_stop(text):
                self.c.stop()
            else:
                self._say(UNCLEAR)
        elif meaning == "always" and rule:
            self.c.notify(f"Always allowed from now on: {rule}")
            self._say(rule_readback(rule))

    # -- agent events ---------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.kind == "permission_requested":
            self._say(permission_sentence(cast("PermissionRequested", event)))
        elif event.kind == "question_asked":
            self._ask(cast("QuestionAsked", event))

    def _ask(self, event: QuestionAsked) -> None:
        from desktop.windows.question import QuestionDialog

        dialog = QuestionDialog(event)
        key = id(event)
        self.questions[key] = dialog

        def answered(answers: dict[str, str]) -> None:
            self.questions.pop(key, None)
            log.info("question answered: %s", answers)
            event.answer(answers)
            dialog.deleteLater()

        def declined(why: str) -> None:
            self.questions.pop(key, None)
            log.info("question declined: %s", why)
            event.decline(why)
            dialog.deleteLater()

        dialog.answered.connect(answered)
        dialog.declined.connect(declined)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        log.info("asking the user: %s", [q.question for q in event.questions])
        self._say(" ".join(question_sentence(q) for q in event.questions))

    def _turn_done(self, _outcome: Any) -> None:
        for dialog in list(self.questions.values()):
            dialog.decline("The turn ended before the user answered.")
        self.hands_free.reply_coming()

    def _say(self, text: str) -> None:
        p = self.c.parts
        if p is None or p.voice is None or not self.c.config.speak_summaries:
            return
        if self.c.machine.state is st.State.SPEAKING:
            return  # a reply is being said; the dialog shows the question
        p.voice.speak(text)

    def close(self) -> None:
        """Quit: open questions are declined; nothing is listened for."""
        self._recording = None  # a key still held ends nothing here any more
        self.hands_free.stop()
        for dialog in list(self.questions.values()):
            dialog.decline("Harken is quitting.")
            dialog.close()

"""After a hands-free endpoint: speech that goes on is never lost without a word.

    cont = Continuation(controller, ends)   ends(take, text): HandsFree's "that's all"
    cont.begin(take)             the gate ended hands-free ``take`` (after its StopRecording)
    cont.hold(take, text, why)   ``take``'s transcript (or why it is empty): held while the
                                 continuation is undecided (True)
    cont.heard(side, text)       a continuation take's transcript (True when it was one)
    cont.key_pressed() / turn_ended() / stop()

Conversation mode ends a take after ``end_silence_ms`` of silence; people pause longer
than that mid-sentence ("Move the meeting to Thursday ... and tell Sarah"). So the endpoint
is provisional: the moment the take ends, a *continuation take* (a side take on the same
recorder, numbered from ``CONTINUATIONS``) starts, watched by the same detector:

    speech resumes within CONTINUE_SECONDS   the request is held (the machine stays in
                                             "transcribing"); the continuation records to
                                             its own pause and both texts are sent as ONE
                                             request (through the grace period as usual)
    nothing within CONTINUE_SECONDS          the held text goes on as it would have
    speech later, while Harken works         recorded to its pause and handed to the turn
                                             as a follow-up (``Talk``'s side-take path)
    nothing within LATE_SECONDS, the turn    the continuation take is dropped
    ends, a permission is asked, or Harken
    speaks

When a continuation ends at its own pause, the next one starts: a request said in three
parts is one request, a follow-up in two parts is two follow-ups. Speech that resumed but
could not be understood is not dropped silently either: the
request is held for a look with a notice. The detector runs on the hands-free lane, the
microphone work on Voice's lane; only signals and ``Background`` callbacks reach the GUI.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from agent.follow_ups import HEARD_NOTE
from desktop import state as st

if TYPE_CHECKING:
    from desktop.controller import Controller

log = logging.getLogger(__name__)

CONTINUATIONS = 2_000_000  # continuation take numbers: apart from the machine's and Talk's
CONTINUE_SECONDS = 1.5  # speech resuming this soon after the endpoint is the same request
LATE_SECONDS = 10.0  # after the endpoint, speech while Harken works becomes a follow-up
POLL_MS = 100
LANE = "hands-free"
MIC = "mic"  # desktop.voice.MIC: the continuation starts after the ended take's stop
NOT_UNDERSTOOD = "Words after your pause were not heard clearly: {why}. Check before sending."
LATE_NOT_UNDERSTOOD = "Words said after your request were not heard clearly: {why}."


def end_silence(config: Any) -> float:
    """Seconds of silence that end a hands-free take (setting ``end_silence_ms``)."""
    return max(0.3, float(getattr(config, "end_silence_ms", 900)) / 1000)


# While the request is shown, sent or worked on, speech is a follow-up; anything else
# (Harken speaks, asks for permission, the turn ended) stops the late watch.
WORKING = (st.State.TRANSCRIBING, st.State.CONFIRMING, st.State.THINKING)

# phases of the continuation take being watched
OPEN = "open"  # no speech yet; the request is held
RESUMED = "resumed"  # speech came back in time: recording it, the request still held
LATE = "late"  # the request went on (or will when its text comes): speech is a follow-up
LATE_SPEAKING = "late_speaking"


class Continuation(QObject):
    """One provisional endpoint at a time: what comes after it is joined or followed up.

    Each pause starts the next continuation take, so a request said in three parts with
    two pauses is still one request, and a follow-up in two parts is two follow-ups."""

    def __init__(self, controller: Controller, ends: Any) -> None:
        super().__init__(controller)
        self.c = controller
        self._ends = ends  # HandsFree's "that's all" check: (take, text) -> handled
        self._number = CONTINUATIONS
        self.take: int | None = None  # the machine's take whose endpoint is provisional
        self.side: int | None = None  # the continuation take recording now
        self.phase = ""
        # The request's parts in order: the take, then continuations that resumed in
        # time; each (text, why it is empty), None until transcribed.
        self._parts: dict[int, tuple[str, str] | None] = {}
        self._closed = False  # no more parts: the request goes on once all are heard
        self._late: set[int] = set()  # continuation takes being heard as follow-ups
        self._listener: Any = None
        self._measuring = False
        self._speech_number = 0
        self._connected = False
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check)

    @property
    def holding(self) -> bool:
        """A request is held while speech may still go on (or its parts are heard)."""
        return self.take is not None

    # -- starting ---------------------------------------------------------------------------

    def begin(self, take: int) -> None:
        """``take`` was ended by the gate; listen on for its continuation."""
        voice = self.c.parts.voice if self.c.parts else None
        if voice is None:
            return
        self.stop()  # follow-ups of an earlier request still being heard are kept
        if not self._connected:
            self._connected = True
            voice.transcript_empty.connect(self._side_empty)
        self.take, self._parts, self._closed = take, {take: None}, False
        self._speech_number = _speech_number(voice)
        log.info("conversation mode: listening on after the pause (take %d)", take)
        self._next(OPEN)

    def _next(self, phase: str) -> None:
        """Start the next continuation take, watched in ``phase``."""
        c = self.c
        voice = c.parts.voice if c.parts else None
        if voice is None:
            self._end_watch()
            return
        self._number += 1
        self.side, self.phase, self._listener = self._number, phase, None
        voice.start_take(self.side)
        side = self.side
        # The detector starts once the recorder holds the new take (the mic lane is FIFO).
        c.parts.background.run(lambda: None, lambda _: self._started(side), self._failed, lane=MIC)  # type: ignore[union-attr]

    def _started(self, side: int) -> None:
        if side == self.side and self.phase:
            self._poll.start()

    # -- watching -------------------------------------------------------------------------

    def _check(self) -> None:
        c = self.c
        if self.side is None:
            self._poll.stop()
            return
        voice = c.parts.voice if c.parts else None
        if self.holding and (
            c.machine.take != self.take or c.machine.state is not st.State.TRANSCRIBING
        ):
            log.info("conversation mode: the request was dropped; so is what followed")
            self.stop()
            return
        if not self.holding:
            moved = voice is not None and _speech_number(voice) != self._speech_number
            if c.machine.state not in WORKING or moved:
                self.turn_ended()
                return
        if self._measuring or voice is None:
            return
        self._measuring = True
        side = self.side
        c.parts.background.run(  # type: ignore[union-attr]
            self._measure, lambda r: self._measured(side, *r), self._failed, lane=LANE
        )

    def _measure(self) -> tuple[str, float]:
        from audio.utterance_gate import HandsFreeListener, UtteranceGate

        voice = self.c.parts.voice if self.c.parts else None
        recorder = voice.recorder if voice is not None else None
        if recorder is None or not recorder.recording:
            return "waiting", 0.0
        if self._listener is None:
            silence = end_silence(self.c.config)
            gate = UtteranceGate(listen_seconds=LATE_SECONDS, end_silence=silence)
            skip = int(self.c.config.preroll_ms) * 16  # judged from the endpoint on
            self._listener = HandsFreeListener(gate, skip)
        state = self._listener.update(recorder)
        return state, self._listener.seconds

    def _measured(self, side: int | None, state: str, seconds: float) -> None:
        self._measuring = False
        if side != self.side or not self.phase:
            return
        c = self.c
        if state == "waiting" and self.phase == OPEN and seconds >= CONTINUE_SECONDS:
            log.info("conversation mode: nothing more after the pause; the request goes on")
            self.phase = LATE
            self._closed = True
            self._deliver_when_heard()
        elif state in ("speaking", "ended") and self.phase in (OPEN, LATE):
            self.phase = RESUMED if self.phase == OPEN else LATE_SPEAKING
            log.info("conversation mode: speech went on after the pause (%s)", self.phase)
            c._overlay("show_recording")
            c._level.start()
        if state == "ended" and self.phase in (RESUMED, LATE_SPEAKING):
            self._finish()
        elif state == "timed_out":
            self._end_watch()

    def _finish(self) -> None:
        """The continuation ended with a pause: transcribe it, and listen on after it."""
        c = self.c
        side, resumed = self.side, self.phase == RESUMED
        if side is None:
            return
        self._poll.stop()
        c._level.stop()
        c._overlay("show_transcribing" if resumed else "hide_overlay")
        log.info("conversation mode: continuation take %d ended", side)
        if resumed:
            self._parts[side] = None
        else:
            self._late.add(side)
        self.side = None
        if c.parts and c.parts.voice:
            c.parts.voice.finish_take(side)
        if resumed or c.machine.state in WORKING:
            self._next(OPEN if resumed else LATE)
        else:
            self.phase = ""

    def _failed(self, exc: BaseException) -> None:
        self._measuring = False
        log.warning("conversation mode: continuation: %s", exc)
        self._end_watch()

    # -- what was heard -------------------------------------------------------------------

    def hold(self, take: int, text: str, why: str = "") -> bool:
        """``take``'s transcript while its continuation is undecided: held (True)."""
        if take != self.take or take not in self._parts:
            return False
        self._parts[take] = (text, why)
        self._deliver_when_heard()
        return True

    def heard(self, take: int, text: str, why: str = "") -> bool:
        """A continuation take's transcript: joined or followed up (True)."""
        if take in self._parts and take != self.take:
            self._parts[take] = (text.strip(), why)
            self._deliver_when_heard()
            return True
        if take in self._late:
            self._late.discard(take)
            if text.strip():
                log.info("conversation mode: said after the request: %r", text)
                self._follow_up(text.strip())
            else:
                self.c.notify(LATE_NOT_UNDERSTOOD.format(why=why or "no speech"))
            return True
        return CONTINUATIONS < take <= self._number  # a dropped continuation: ignored

    def _side_empty(self, take: int, why: str) -> None:
        if take != self.take:
            self.heard(take, "", why)

    def _follow_up(self, text: str) -> None:
        c = self.c
        bridge = c.parts.bridge if c.parts else None
        if c.machine.state in (st.State.TRANSCRIBING, st.State.CONFIRMING) and bridge:
            # The request is about to go: the words join its turn (agent.follow_ups).
            bridge.follow_up(text)
            c.notify(HEARD_NOTE + text)
        else:
            c.talk._side_heard(text)  # during the turn a follow-up; after it the next request

    def _deliver_when_heard(self) -> None:
        """Once no more parts can come and all are heard: the request goes on, whole."""
        take = self.take
        if take is None or not self._closed or any(v is None for v in self._parts.values()):
            return
        parts = [v for v in self._parts.values() if v is not None]
        self.take, self._parts = None, {}
        (text, why), rest = parts[0], parts[1:]
        missed = []
        for more, more_why in rest:
            if more:
                text = join(text, more)
            else:
                missed.append(more_why or "no speech")
        notice = NOT_UNDERSTOOD.format(why="; ".join(missed)) if missed else ""
        if rest:
            log.info("conversation mode: one request across the pause: %r", text)
        self._deliver(take, text, why, notice)

    def _deliver(self, take: int, text: str, why: str, notice: str) -> None:
        c = self.c
        if not text.strip():
            if notice:
                c._notices[take] = " ".join(filter(None, [c._notices.get(take, ""), notice]))
            c._transcript_empty(take, why or "no speech")
            return
        if self._ends(take, text):
            return
        notice = " ".join(filter(None, [c._notices.pop(take, ""), notice]))
        c.feed(c.machine.transcript_ready, take, text, notice)

    # -- ending ---------------------------------------------------------------------------

    def key_pressed(self) -> None:
        """The hotkey: what was said so far is kept; what is being said is finished."""
        if self.phase in (RESUMED, LATE_SPEAKING):
            self._finish()
        self._end_watch()

    def turn_ended(self) -> None:
        """The turn ended (or Harken speaks, or asks): speech under way is kept as a
        follow-up; a continuation with nothing in it yet is dropped (no echo recorded)."""
        if self.phase == LATE_SPEAKING:
            self._finish()
        if self.phase == LATE:
            self._end_watch()

    def _end_watch(self) -> None:
        """No more continuation takes: the one recording is dropped (nothing was said in
        it, or it failed); the held request goes on once its parts are heard."""
        self._cancel_side()
        self.phase = ""
        if self.take is not None:
            self._closed = True
            self._deliver_when_heard()

    def _cancel_side(self) -> None:
        c = self.c
        self._poll.stop()
        side, self.side = self.side, None
        if side is not None and c.parts and c.parts.voice:
            c.parts.voice.cancel_take(side)
            if self.phase in (RESUMED, LATE_SPEAKING):
                c._level.stop()

    def stop(self) -> None:
        """Quit, the request was cancelled, or a new hands-free take began."""
        self._cancel_side()
        self.phase = ""
        self.take, self._parts, self._closed = None, {}, False
        self._listener = None


def join(first: str, then: str) -> str:
    """One request from the words before and after a pause: Whisper ends the first part
    with a full stop; a second part going on in lower case continues its sentence."""
    first, then = first.strip(), then.strip()
    if first.endswith(".") and then[:1].islower():
        first = first[:-1]
    return " ".join(t for t in (first, then) if t)


def _speech_number(voice: Any) -> int:
    return int(getattr(voice, "speech_number", 0))

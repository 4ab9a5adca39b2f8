"""The one interaction state machine: every way in (hotkey, tray, socket, windows) goes here.

    idle ──press──> recording ──release──> transcribing ──text──> [confirming] ──> thinking
      ^                                                                             │  ^
      │                                        awaiting_permission <──asked/answered┘  │
      └──speech_done── speaking <──turn_finished (with something to say)───────────────┘

Inputs are methods (``press``, ``release``, ``transcript_ready(take, text)``, ...); each
returns the effects the desktop must carry out (start the recorder, submit text, speak,
...), as small frozen dataclasses, and updates ``state``. The machine does no I/O and knows
no Qt, so it is tested as a table. Rules that keep it from getting stuck or racing:

- ``cancel`` works from any state and always ends in ``idle``;
- every take has a number; a transcript of an older take (cancelled, replaced) is ignored;
- inputs that make no sense in a state are ignored (a late ``turn_finished`` after a cancel,
  a key release in press-once mode, X11 auto-repeat presses while recording);
- pressing while Harken speaks stops the speech and starts recording (barge-in).

``confirming`` is the grace period (setting ``transcript_grace_seconds``): the transcript is
shown and can be cancelled or edited before the agent acts. A transcript that comes with a
notice (part of what was said is missing: where and why) always gets one, of at least
``NOTICE_GRACE_SECONDS``, so half a sentence is never acted on unseen.

Pausing listening is a flag, not a state: while paused the microphone is closed and presses
are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class State(StrEnum):
    IDLE = "idle"
    RECORDING = "recording"
    TRANSCRIBING = "transcribing"
    CONFIRMING = "confirming"
    THINKING = "thinking"
    AWAITING_PERMISSION = "awaiting_permission"
    SPEAKING = "speaking"


# -- effects: what the desktop does when the machine says so --------------------------------


@dataclass(frozen=True)
class Effect:
    """Base of all effects."""


@dataclass(frozen=True)
class StartRecording(Effect):
    take: int


@dataclass(frozen=True)
class StopRecording(Effect):
    """End the take and transcribe it."""

    take: int


@dataclass(frozen=True)
class CancelRecording(Effect):
    """Drop the take, whether it is still recording or already being transcribed."""

    take: int


@dataclass(frozen=True)
class ShowTranscript(Effect):
    text: str
    grace_seconds: float
    notice: str = ""  # what is missing from the text, and why


@dataclass(frozen=True)
class HideOverlay(Effect):
    pass


@dataclass(frozen=True)
class Submit(Effect):
    text: str
    spoken: bool


@dataclass(frozen=True)
class Interrupt(Effect):
    pass


@dataclass(frozen=True)
class Speak(Effect):
    text: str


@dataclass(frozen=True)
class StopSpeech(Effect):
    pass


@dataclass(frozen=True)
class Notify(Effect):
    message: str


@dataclass(frozen=True)
class OpenMic(Effect):
    pass


@dataclass(frozen=True)
class CloseMic(Effect):
    pass


NOTICE_GRACE_SECONDS = 10.0
BUSY_HINT = "Harken is still working on the last request; choose Stop in the tray menu first."
PAUSED_HINT = "Listening is paused; choose Resume listening in the tray menu."

# What the tray shows for each state.
DISPLAY = {
    State.IDLE: "idle",
    State.RECORDING: "listening",
    State.TRANSCRIBING: "transcribing",
    State.CONFIRMING: "transcribing",
    State.THINKING: "working",
    State.AWAITING_PERMISSION: "waiting",
    State.SPEAKING: "speaking",
}


class Machine:
    """The interaction's state; ``mode`` is ``hold`` (hold to talk) or ``toggle``."""

    def __init__(
        self,
        *,
        mode: str = "hold",
        grace_seconds: float = 0.0,
        state: State = State.IDLE,
        take: int = 0,
    ) -> None:
        self.mode = mode
        self.grace_seconds = grace_seconds
        self.state = state
        self.take = take  # the current (or last) take's number
        self.paused = False
        self.error = ""  # shown until the next interaction
        self.permissions_open = 0

    @property
    def display(self) -> str:
        """The tray icon's name: a state, or ``error`` / ``paused`` while idle."""
        if self.state is State.IDLE:
            if self.error:
                return "error"
            if self.paused:
                return "paused"
        return DISPLAY[self.state]

    @property
    def busy(self) -> bool:
        """The agent is working on a turn."""
        return self.state in (State.THINKING, State.AWAITING_PERMISSION)

    # -- voice inputs ---------------------------------------------------------------------

    def press(self) -> list[Effect]:
        """The push-to-talk key went down (in press-once mode: a toggle)."""
        if self.mode == "toggle":
            return self.toggle()
        if self.state is State.RECORDING:
            return []  # key auto-repeat, or a second source pressing too
        return self._begin()

    def release(self) -> list[Effect]:
        if self.mode == "toggle" or self.state is not State.RECORDING:
            return []
        return self._end()

    def toggle(self) -> list[Effect]:
        """Start recording, or stop it when it runs (``harken ptt toggle``, press-once)."""
        if self.state is State.RECORDING:
            return self._end()
        return self._begin()

    def _begin(self) -> list[Effect]:
        if self.paused:
            return [Notify(PAUSED_HINT)]
        effects: list[Effect] = []
        if self.state is State.SPEAKING:
            effects.append(StopSpeech())  # barge-in
        elif self.state is State.CONFIRMING:
            effects.append(HideOverlay())  # saying it again replaces the shown text
        elif self.state is not State.IDLE:
            # Transcribing finishes on its own; a running turn is stopped only on purpose.
            return [Notify(BUSY_HINT)] if self.busy else []
        self.error = ""
        self.take += 1
        self.state = State.RECORDING
        return [*effects, StartRecording(self.take)]

    def _end(self) -> list[Effect]:
        self.state = State.TRANSCRIBING
        return [StopRecording(self.take)]

    def transcript_ready(self, take: int, text: str, notice: str = "") -> list[Effect]:
        if self.state is not State.TRANSCRIBING or take != self.take:
            return []  # a take that was cancelled or replaced
        text = text.strip()
        if not text:
            return self.transcript_empty(take, "no speech")
        grace = max(self.grace_seconds, NOTICE_GRACE_SECONDS) if notice else self.grace_seconds
        if grace > 0:
            self.state = State.CONFIRMING
            return [ShowTranscript(text, grace, notice)]
        self.state = State.THINKING
        return [ShowTranscript(text, 0.0), Submit(text, spoken=True)]

    def transcript_empty(self, take: int, reason: str) -> list[Effect]:
        if self.state is not State.TRANSCRIBING or take != self.take:
            return []
        self.state = State.IDLE
        return [HideOverlay(), Notify(f"Nothing to send: {reason}.")]

    def confirm(self, text: str) -> list[Effect]:
        """The grace period ended, or the person confirmed (possibly edited) text."""
        if self.state is not State.CONFIRMING:
            return []
        text = text.strip()
        if not text:
            return self.cancel()
        self.state = State.THINKING
        return [HideOverlay(), Submit(text, spoken=True)]

    # -- typed text and the agent ---------------------------------------------------------

    def typed(self, text: str) -> list[Effect]:
        """Text typed into the conversation window instead of spoken."""
        text = text.strip()
        if not text:
            return []
        if self.state is State.SPEAKING:
            self.state = State.THINKING
            self.error = ""
            return [StopSpeech(), Submit(text, spoken=False)]
        if self.state is not State.IDLE:
            return [Notify(BUSY_HINT if self.busy else "Harken is listening; try again after.")]
        self.error = ""
        self.state = State.THINKING
        return [Submit(text, spoken=False)]

    def turn_started(self) -> list[Effect]:
        if self.state is State.IDLE:
            self.state = State.THINKING
        return []

    def permission_asked(self) -> list[Effect]:
        if self.busy:
            self.permissions_open += 1
            self.state = State.AWAITING_PERMISSION
        return []

    def permission_answered(self) -> list[Effect]:
        if self.busy:
            self.permissions_open = max(0, self.permissions_open - 1)
            if self.permissions_open == 0:
                self.state = State.THINKING
        return []

    def turn_finished(self, speech: str = "", error: str = "") -> list[Effect]:
        """The submitted turn ended; ``speech`` is the summary to say ("" to say nothing)."""
        if not self.busy:
            return []  # cancelled earlier: nothing to show or say
        self.permissions_open = 0
        effects: list[Effect] = []
        if error:
            self.error = error
            effects.append(Notify(error))
        if speech:
            self.state = State.SPEAKING
            return [*effects, Speak(speech)]
        self.state = State.IDLE
        return effects

    def speech_done(self) -> list[Effect]:
        if self.state is State.SPEAKING:
            self.state = State.IDLE
        return []

    # -- from anywhere --------------------------------------------------------------------

    def cancel(self) -> list[Effect]:
        """Stop whatever is going on; always ends idle."""
        effects = self._stop_current()
        self.state = State.IDLE
        self.permissions_open = 0
        return effects

    def _stop_current(self) -> list[Effect]:
        match self.state:
            case State.RECORDING | State.TRANSCRIBING:
                return [CancelRecording(self.take), HideOverlay()]
            case State.CONFIRMING:
                return [HideOverlay()]
            case State.THINKING | State.AWAITING_PERMISSION:
                return [Interrupt()]
            case State.SPEAKING:
                return [StopSpeech()]
        return []

    def error_occurred(self, message: str) -> list[Effect]:
        """Something failed (microphone, model, speech). A running turn ends on its own."""
        self.error = message
        effects: list[Effect] = [Notify(message)]
        if self.state in (State.RECORDING, State.TRANSCRIBING, State.SPEAKING):
            effects = [*self._stop_current(), *effects]
            self.state = State.IDLE
        return effects

    def pause(self) -> list[Effect]:
        """Stop listening: the microphone closes; a recording in progress is dropped."""
        if self.paused:
            return []
        self.paused = True
        effects: list[Effect] = []
        if self.state is State.RECORDING:
            effects = self._stop_current()
            self.state = State.IDLE
        return [*effects, CloseMic()]

    def resume(self) -> list[Effect]:
        if not self.paused:
            return []
        self.paused = False
        return [OpenMic()]

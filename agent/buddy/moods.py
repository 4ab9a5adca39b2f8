"""What the pet is doing: a small state machine fed by cues.

    cue_of(event) -> cue | None    an agent event as a cue (``ToolFinished`` with an error
                                   splits into ``permission_denied`` / ``tool_failed``,
                                   ``TurnFinished`` into ``turn_done`` / ``turn_failed`` /
                                   ``turn_interrupted``)
    react(mood, cue, now) -> Mood  the next mood
    settle(mood, now) -> Mood      back to idle once a mood's time is up

Voice cues come from the desktop, not the runtime: ``listening_started`` /
``listening_stopped`` (the microphone) and ``speaking_started`` / ``speaking_stopped``
(the spoken summary). While the person is talking the pet keeps listening whatever the
agent does; a ``*_stopped`` cue only ends its own state. Happy and worried are moments
and fade to idle by themselves; thinking and working have a long safety limit so a lost
event cannot leave the pet busy forever; waiting lasts as long as the question is open.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

STATES: tuple[str, ...] = (
    "idle",
    "listening",
    "thinking",
    "working",
    "waiting",
    "speaking",
    "happy",
    "worried",
)

VOICE_CUES: tuple[str, ...] = (
    "listening_started",
    "listening_stopped",
    "speaking_started",
    "speaking_stopped",
)

# Which state each cue leads to.
CUE_STATES: dict[str, str] = {
    "listening_started": "listening",
    "listening_stopped": "thinking",  # the words are being transcribed
    "speaking_started": "speaking",
    "speaking_stopped": "idle",
    "turn_started": "thinking",
    "thinking_delta": "thinking",
    "text_delta": "thinking",
    "compacted": "thinking",
    "tool_started": "working",
    "tool_finished": "thinking",
    "tool_failed": "worried",
    "permission_requested": "waiting",
    "permission_denied": "worried",
    "retrying": "worried",
    "turn_done": "happy",
    "turn_failed": "worried",
    "turn_interrupted": "idle",
    "error": "worried",
}

# Seconds a state lasts without a new cue before the pet returns to idle (None: until
# a cue ends it).
HOLD: dict[str, float | None] = {
    "idle": None,
    "listening": None,
    "thinking": 60.0,
    "working": 600.0,
    "waiting": None,
    "speaking": None,
    "happy": 4.0,
    "worried": 5.0,
}

# Only these end their own state; elsewhere they mean nothing.
ENDS: dict[str, str] = {"listening_stopped": "listening", "speaking_stopped": "speaking"}

GOOD_STOPS = frozenset({"end_turn", "stop_sequence", "pause_turn"})
DENIAL_PREFIXES = ("The user denied permission", "Permission denied")


@dataclass(frozen=True)
class Mood:
    state: str = "idle"
    since: float = 0.0
    until: float | None = None
    cue: str = ""


def cue_of(event: Any) -> str | None:
    """The cue an agent event gives, or None for events the pet ignores."""
    kind = getattr(event, "kind", "")
    if kind == "tool_finished" and event.is_error:
        denied = str(event.output).startswith(DENIAL_PREFIXES)
        return "permission_denied" if denied else "tool_failed"
    if kind == "turn_finished":
        if event.stop_reason in GOOD_STOPS:
            return "turn_done"
        return "turn_interrupted" if event.stop_reason == "interrupted" else "turn_failed"
    return kind if kind in CUE_STATES else None


def react(mood: Mood, cue: str, now: float) -> Mood:
    """The mood after ``cue`` at time ``now`` (seconds, any monotonic clock)."""
    state = CUE_STATES.get(cue)
    if state is None:
        return mood
    if cue in ENDS and mood.state != ENDS[cue]:
        return mood
    if mood.state == "listening" and cue not in VOICE_CUES:
        return mood
    hold = HOLD[state]
    until = None if hold is None else now + hold
    if state == mood.state:  # same state: keep its start so animations run on smoothly
        return replace(mood, until=until, cue=cue)
    return Mood(state, now, until, cue)


def settle(mood: Mood, now: float) -> Mood:
    """Idle again once ``mood.until`` has passed."""
    if mood.until is not None and now >= mood.until:
        return Mood("idle", now, None, "timeout")
    return mood

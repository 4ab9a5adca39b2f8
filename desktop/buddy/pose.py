"""How the pet holds itself at a moment: a pure function of mood state and time.

    pose_for(state, age, clock) -> Pose

``age`` is seconds since the state began (for one-off motions such as a hop), ``clock``
seconds on a steady clock (breathing and blinking run on through state changes). The
painter turns a Pose into pixels; nothing here knows Qt, so poses are easy to test.

Per state: idle breathes and blinks; listening leans in, ears up, eyes wide; thinking
tilts its head and looks up at a thought bubble; working bounces over a turning gear;
waiting sways under a question mark; speaking opens and closes its mouth with sound
waves; happy hops with closed eyes and sparkles; worried shivers with a sweat drop.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

BREATH_PERIOD = 3.2
BLINK_EVERY = 3.7
BLINK_LENGTH = 0.14


@dataclass(frozen=True)
class Pose:
    breath: float = 0.0  # -1..1, the chest rising and falling
    bob: float = 0.0  # units up (negative) or down
    shift: float = 0.0  # units sideways
    lean: float = 0.0  # degrees, positive leans right
    ears: float = 0.0  # -1 drooping, 0 relaxed, 1 pricked up
    eyes: str = "open"  # open, closed, happy, wide, up, down, worried
    mouth: str = "smile"  # smile, open, o, flat, wobble, grin
    mouth_open: float = 0.0  # 0..1, for speaking
    prop: str = ""  # thought, gear, question, sound, listen, sparkles, sweat
    phase: float = 0.0  # seconds, drives props and little motions (tails, tentacles)


def pose_for(state: str, age: float, clock: float) -> Pose:
    """The pose in ``state``, ``age`` seconds after it began, at ``clock``."""
    breath = math.sin(2 * math.pi * clock / BREATH_PERIOD)
    blink = (clock % BLINK_EVERY) < BLINK_LENGTH
    base = Pose(breath=breath, phase=clock, eyes="closed" if blink else "open")
    if state == "listening":
        lean_in = min(1.0, age / 0.25)  # settles into the lean rather than snapping
        return replace(
            base, lean=-7 * lean_in, ears=1.0, eyes=_unless(blink, "wide"), mouth="o", prop="listen"
        )
    if state == "thinking":
        tilt = 6 + 2 * math.sin(2 * math.pi * clock / 2.5)
        return replace(
            base, lean=tilt, ears=0.3, eyes=_unless(blink, "up"), mouth="flat", prop="thought"
        )
    if state == "working":
        bounce = -1.6 * abs(math.sin(2 * math.pi * clock / 0.7))
        return replace(base, bob=bounce, ears=0.2, eyes=_unless(blink, "down"), prop="gear")
    if state == "waiting":
        sway = 4 * math.sin(2 * math.pi * clock / 2.2)
        return replace(base, lean=sway, ears=0.6, mouth="flat", prop="question")
    if state == "speaking":
        talk = 0.5 + 0.5 * math.sin(2 * math.pi * clock / 0.32)
        return replace(base, ears=0.3, mouth="open", mouth_open=talk, prop="sound")
    if state == "happy":
        hop = -7 * abs(math.sin(math.pi * age / 0.45)) if age < 1.8 else 0.0
        return replace(base, bob=hop, ears=0.5, eyes="happy", mouth="grin", prop="sparkles")
    if state == "worried":
        shiver = 0.7 * math.sin(2 * math.pi * clock * 7) if age < 1.2 else 0.0
        return replace(base, shift=shiver, ears=-1.0, eyes="worried", mouth="wobble", prop="sweat")
    return base


def petted(pose: Pose) -> Pose:
    """Being petted: eyes closed in bliss, a grin, ears relaxed back."""
    return replace(pose, shift=0.0, ears=-0.3, eyes="happy", mouth="grin", mouth_open=0.0)


def _unless(blinking: bool, eyes: str) -> str:
    return "closed" if blinking else eyes

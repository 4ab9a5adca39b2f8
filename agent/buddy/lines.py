"""What the pet says in its speech bubble, in a voice set by its peak stat.

    voice_of(buddy)              dry (Snark), calm (Patience), chaotic (Chaos),
                                 wise (Wisdom) or precise (Debugging)
    moment_of(cue)               the moment a cue is worth a line for, or None
    line_for(buddy, moment, n)   the n-th line for that moment: deterministic in
                                 (seed, moment, n), so tests can check it

Moments: hello, listening, thinking, working, waiting, denied, done, failed, retrying,
petted. Lines are short: a bubble holds a few words for a few seconds.
"""

from __future__ import annotations

from agent.buddy.bones import Buddy
from agent.buddy.prng import fnv1a32, mulberry32, pick

VOICES: dict[str, str] = {
    "snark": "dry",
    "patience": "calm",
    "chaos": "chaotic",
    "wisdom": "wise",
    "debugging": "precise",
}

MOMENTS: dict[str, str] = {
    "listening_started": "listening",
    "turn_started": "thinking",
    "tool_started": "working",
    "permission_requested": "waiting",
    "permission_denied": "denied",
    "turn_done": "done",
    "turn_failed": "failed",
    "error": "failed",
    "retrying": "retrying",
}

LINES: dict[str, dict[str, tuple[str, ...]]] = {
    "dry": {
        "hello": ("Oh. It's you.", "Hatched. Thrilled, obviously.", "I'm here. Try to cope."),
        "listening": ("Go on, I'm riveted.", "Talk. I'll pretend to care.", "Listening. Sigh."),
        "thinking": ("Thinking. Someone has to.", "Hm. Bold request.", "A second of genius…"),
        "working": ("Doing your job now.", "Running it. You're welcome.", "Watch and learn."),
        "waiting": ("Your call, boss.", "I need a yes. Or a no.", "Permission. Shocking."),
        "denied": ("Fine. Didn't want to.", "Rejected. Story of my life.", "Noted. Sulking."),
        "done": ("Done. Hold the applause.", "Fixed. Obviously.", "Another triumph."),
        "failed": ("Well, that went great.", "Ah. Errors. Lovely.", "Not my fault. Probably."),
        "retrying": ("The internet sneezed.", "Trying again. Sigh.", "Round two."),
        "petted": ("Ugh. Fine. Keep going.", "I tolerate this.", "…don't stop."),
    },
    "calm": {
        "hello": ("Hello. Take your time.", "I'm here when you need me.", "Good to see you."),
        "listening": ("I'm listening.", "Take your time.", "Go ahead, no rush."),
        "thinking": ("Let me think it through.", "One step at a time.", "Considering it."),
        "working": ("Working on it, steadily.", "Slow and careful.", "This takes a moment."),
        "waiting": ("Whenever you're ready.", "Have a look; I'll wait.", "Your decision."),
        "denied": ("That's all right.", "Understood. Another way.", "No problem at all."),
        "done": ("All done. Breathe.", "Finished, nice and tidy.", "There we are."),
        "failed": ("That didn't work. It's okay.", "A hiccup. We'll manage.", "We'll try again."),
        "retrying": ("Patience. Trying again.", "Just a moment more.", "Waiting it out."),
        "petted": ("That's nice.", "Mmm, peaceful.", "Thank you."),
    },
    "chaotic": {
        "hello": ("HELLO! What do we break?", "I'm awake! Chaos time!", "Boop! I exist!"),
        "listening": ("Ooh, tell me tell me!", "Ears on! Go go go!", "Yes? YES?"),
        "thinking": ("Brain go brrr.", "Ideas! Too many ideas!", "Chaos engine spinning."),
        "working": ("Pressing all the buttons!", "Wheee, tools!", "Let's see what happens!"),
        "waiting": ("Can I? Can I? Please?", "Big red button time?", "Say yes! Say yes!"),
        "denied": ("Boo. Fine!", "Aww, no explosions?", "Okay okay, new plan!"),
        "done": ("Ta-da! Nothing exploded!", "Done! Again! Again!", "Victory dance!"),
        "failed": ("Oops! Kaboom.", "That was… spicy.", "Chaos wins this round."),
        "retrying": ("Again! Harder!", "Wiggle the cable!", "Retry-o-matic!"),
        "petted": ("Hehehe! Tickles!", "More! More!", "Wheee!"),
    },
    "wise": {
        "hello": ("Greetings, friend.", "Every journey begins here.", "Ask, and we shall see."),
        "listening": ("Speak; I am listening.", "Words first, then wisdom.", "I hear you."),
        "thinking": ("A question worth pondering.", "Let the answer come.", "Hmm. Consider…"),
        "working": ("Measure twice, cut once.", "The work reveals itself.", "Care pays."),
        "waiting": ("The choice is yours.", "Look before you leap.", "Decide with a clear mind."),
        "denied": ("Wise to be careful.", "Restraint is a path too.", "So be it."),
        "done": ("It is done.", "Well begun, well finished.", "Knowledge gained."),
        "failed": ("Failure teaches, too.", "Even the wise stumble.", "A lesson, not a loss."),
        "retrying": ("Persistence is a virtue.", "Again, with care.", "The river tries again."),
        "petted": ("Kindness is wisdom.", "Contentment.", "A gentle moment."),
    },
    "precise": {
        "hello": ("Buddy online.", "Initialised. Zero warnings.", "Ready to debug."),
        "listening": ("Recording input…", "Capturing requirements.", "Mic hot. Go."),
        "thinking": ("Tracing the logic.", "Forming a hypothesis.", "Reading the stack."),
        "working": ("Executing step.", "Running the tool.", "Checking the output."),
        "waiting": ("Awaiting approval.", "Blocked on your input.", "Need a yes/no."),
        "denied": ("Denied. Rerouting.", "Permission refused; noted.", "Fallback engaged."),
        "done": ("All green.", "Exit code 0.", "Task complete."),
        "failed": ("Exception caught.", "Something threw.", "Found a bug. Not mine."),
        "retrying": ("Transient error; retrying.", "Backing off.", "Retry with backoff."),
        "petted": ("Affection acknowledged.", "Morale +1.", "Petting: 200 OK."),
    },
}


def voice_of(buddy: Buddy) -> str:
    return VOICES[buddy.stats.peak]


def moment_of(cue: str) -> str | None:
    return MOMENTS.get(cue)


def line_for(buddy: Buddy, moment: str, n: int = 0) -> str:
    """A line for ``moment`` in the pet's voice; the same (pet, moment, n) gives the same."""
    rand = mulberry32(fnv1a32(f"{buddy.seed}:{moment}:{n}"))
    return pick(rand, LINES[voice_of(buddy)][moment])

"""The companion pet, without Qt: who it is, how it feels, what it says.

    prng       FNV-1a and Mulberry32, the portable number machines
    bones      hatch(user_id) -> Buddy: species, rarity, eyes, hat, shiny, stats
    identity   the user id a pet is hatched from (this login on this machine by default)
    names      the stored name, or one suggested from the seed
    moods      the state machine fed by agent events and voice cues
    lines      speech-bubble lines in the pet's voice

The window that draws it lives in ``desktop.buddy``.
"""

from agent.buddy.bones import EYES, HATS, RARITIES, SPECIES, STATS, Buddy, Stats, hatch
from agent.buddy.identity import default_user_id, user_id_for
from agent.buddy.lines import line_for, moment_of, voice_of
from agent.buddy.moods import STATES, Mood, cue_of, react, settle
from agent.buddy.names import name_of, store_name, suggested_name

__all__ = [
    "EYES",
    "HATS",
    "RARITIES",
    "SPECIES",
    "STATES",
    "STATS",
    "Buddy",
    "Mood",
    "Stats",
    "cue_of",
    "default_user_id",
    "hatch",
    "line_for",
    "moment_of",
    "name_of",
    "react",
    "settle",
    "store_name",
    "suggested_name",
    "user_id_for",
    "voice_of",
]

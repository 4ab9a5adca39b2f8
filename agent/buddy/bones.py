"""A pet's bones: everything derived from the user id, recomputed on every start.

    hatch(user_id) -> Buddy     species, rarity, eyes, hat, shiny and stats

The seed is ``fnv1a32(user_id + SALT)``; one Mulberry32 stream then makes twelve draws in
this fixed order, so the same id always gives the same pet:

    1 rarity    common 60 %, uncommon 25 %, rare 10 %, epic 4 %, legendary 1 %
    2 species   one of the 18, equally likely
    3 eyes      one of the 6 kinds
    4 hat       one of the 8 (drawn always; common pets then wear none)
    5 shiny     1 %, independent of rarity
    6 peak      the stat that stands out
    7 dump      the stat that lags, one of the other four
    8-12 stats  Debugging, Patience, Chaos, Wisdom, Snark, one draw each

Stats: the rarity sets a floor. Ordinary stats are ``floor + 0..39``; the peak is
``floor + 50..79`` (at most 100), so it is always the one highest; the dump is
``floor - 10..-1`` (at least 1), so it is always the one lowest. Nothing here is stored:
changing a config file cannot change a pet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.buddy.prng import Random, fnv1a32, mulberry32, pick

SALT = "harken-buddy-1"

RARITIES: tuple[str, ...] = ("common", "uncommon", "rare", "epic", "legendary")
RARITY_WEIGHTS: dict[str, int] = {
    "common": 60,
    "uncommon": 25,
    "rare": 10,
    "epic": 4,
    "legendary": 1,
}
RARITY_FLOORS: dict[str, int] = {
    "common": 5,
    "uncommon": 15,
    "rare": 25,
    "epic": 35,
    "legendary": 50,
}
SHINY_ODDS = 0.01

SPECIES: tuple[str, ...] = (
    "duck",
    "goose",
    "blob",
    "cat",
    "dragon",
    "octopus",
    "owl",
    "penguin",
    "turtle",
    "snail",
    "ghost",
    "axolotl",
    "capybara",
    "cactus",
    "robot",
    "rabbit",
    "mushroom",
    "chonk",
)
EYES: tuple[str, ...] = ("dot", "bright", "star", "ring", "sleepy", "pixel")
HATS: tuple[str, ...] = (
    "none",
    "crown",
    "top_hat",
    "propeller",
    "halo",
    "wizard",
    "beanie",
    "bow",
)
STATS: tuple[str, ...] = ("debugging", "patience", "chaos", "wisdom", "snark")
STAT_LABELS: dict[str, str] = {s: s.capitalize() for s in STATS}


@dataclass(frozen=True)
class Stats:
    debugging: int
    patience: int
    chaos: int
    wisdom: int
    snark: int

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in STATS}

    @property
    def peak(self) -> str:
        return max(STATS, key=lambda s: getattr(self, s))

    @property
    def dump(self) -> str:
        return min(STATS, key=lambda s: getattr(self, s))


@dataclass(frozen=True)
class Buddy:
    """A hatched pet. ``seed`` is the hash its draws came from."""

    user_id: str
    seed: int
    rarity: str
    species: str
    eyes: str
    hat: str
    shiny: bool
    stats: Stats

    @property
    def stars(self) -> int:
        """1 (common) to 5 (legendary)."""
        return RARITIES.index(self.rarity) + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "species": self.species,
            "rarity": self.rarity,
            "stars": self.stars,
            "shiny": self.shiny,
            "eyes": self.eyes,
            "hat": self.hat,
            "stats": self.stats.as_dict(),
        }


def seed_for(user_id: str) -> int:
    return fnv1a32(user_id + SALT)


def hatch(user_id: str) -> Buddy:
    """The pet of ``user_id``; the same id gives the same pet everywhere."""
    seed = seed_for(user_id)
    rand = mulberry32(seed)
    rarity = _draw_rarity(rand)
    species = pick(rand, SPECIES)
    eyes = pick(rand, EYES)
    hat = pick(rand, HATS)
    shiny = rand() < SHINY_ODDS
    stats = _draw_stats(rand, RARITY_FLOORS[rarity])
    return Buddy(
        user_id=user_id,
        seed=seed,
        rarity=rarity,
        species=species,
        eyes=eyes,
        hat="none" if rarity == "common" else hat,
        shiny=shiny,
        stats=stats,
    )


def _draw_rarity(rand: Random) -> str:
    roll = rand() * sum(RARITY_WEIGHTS.values())
    for rarity in RARITIES:
        roll -= RARITY_WEIGHTS[rarity]
        if roll < 0:
            return rarity
    return RARITIES[-1]  # unreachable unless float rounding lands exactly on the total


def _draw_stats(rand: Random, floor: int) -> Stats:
    peak = int(rand() * len(STATS))
    # One draw over the other four keeps the number of draws fixed.
    dump = (peak + 1 + int(rand() * (len(STATS) - 1))) % len(STATS)
    values = []
    for i in range(len(STATS)):
        roll = rand()
        if i == peak:
            values.append(min(100, floor + 50 + int(roll * 30)))
        elif i == dump:
            values.append(max(1, floor - 10 + int(roll * 10)))
        else:
            values.append(floor + int(roll * 40))
    return Stats(*values)

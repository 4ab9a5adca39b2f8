from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter

import pytest

from agent.buddy.bones import (
    EYES,
    HATS,
    RARITIES,
    RARITY_FLOORS,
    RARITY_WEIGHTS,
    SHINY_ODDS,
    SPECIES,
    STATS,
    Buddy,
    hatch,
)

SIGMAS = 4.5
IDS = 100_000


@pytest.fixture(scope="module")
def herd() -> list[Buddy]:
    return [hatch(f"user-{i}") for i in range(IDS)]


def within_odds(count: int, n: int, p: float) -> bool:
    return abs(count - n * p) <= SIGMAS * math.sqrt(n * p * (1 - p))


def test_the_same_id_always_hatches_the_same_pet() -> None:
    assert hatch("alice") == hatch("alice")
    assert hatch("alice") != hatch("bob")


def test_a_known_id_hatches_its_known_pet() -> None:
    # Pinned: any change to the salt, the PRNG or the order of draws changes every pet.
    alice = hatch("alice")
    assert alice.to_dict() == {
        "user_id": "alice",
        "species": "ghost",
        "rarity": "common",
        "stars": 1,
        "shiny": False,
        "eyes": "sleepy",
        "hat": "none",
        "stats": {"debugging": 34, "patience": 58, "chaos": 27, "wisdom": 40, "snark": 4},
    }


def test_pets_are_the_same_in_another_process_with_another_hash_seed() -> None:
    ids = ["alice", "bob", "u-0123456789abcdef", "ünïcode"]
    code = (
        "import json, sys; from agent.buddy.bones import hatch; "
        "print(json.dumps([hatch(i).to_dict() for i in sys.argv[1:]]))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, *ids], capture_output=True, text=True, check=True, env=env
    )
    assert json.loads(out.stdout) == [hatch(i).to_dict() for i in ids]


def test_rarity_frequencies_match_the_stated_odds(herd: list[Buddy]) -> None:
    counts = Counter(b.rarity for b in herd)
    total = sum(RARITY_WEIGHTS.values())
    for rarity in RARITIES:
        assert within_odds(counts[rarity], IDS, RARITY_WEIGHTS[rarity] / total), (rarity, counts)


def test_every_species_is_equally_likely(herd: list[Buddy]) -> None:
    counts = Counter(b.species for b in herd)
    assert set(counts) == set(SPECIES)
    for species in SPECIES:
        assert within_odds(counts[species], IDS, 1 / len(SPECIES)), (species, counts)


def test_one_pet_in_a_hundred_is_shiny_whatever_its_rarity(herd: list[Buddy]) -> None:
    assert within_odds(sum(b.shiny for b in herd), IDS, SHINY_ODDS)
    common = [b for b in herd if b.rarity == "common"]
    assert within_odds(sum(b.shiny for b in common), len(common), SHINY_ODDS)


def test_eyes_and_hats_come_from_their_lists(herd: list[Buddy]) -> None:
    assert {b.eyes for b in herd} == set(EYES)
    assert {b.hat for b in herd} == set(HATS)
    assert len(SPECIES) == 18 and len(EYES) == 6 and len(HATS) == 8 and "none" in HATS


def test_common_pets_wear_no_hat(herd: list[Buddy]) -> None:
    assert all(b.hat == "none" for b in herd if b.rarity == "common")


def test_every_stat_is_between_1_and_100(herd: list[Buddy]) -> None:
    values = [v for b in herd for v in b.stats.as_dict().values()]
    assert min(values) >= 1 and max(values) <= 100


def test_one_peak_stat_stands_above_and_one_dump_stat_below_the_rest(herd: list[Buddy]) -> None:
    for b in herd:
        ordered = sorted(b.stats.as_dict().values())
        assert ordered[-1] > ordered[-2], b
        assert ordered[0] < ordered[1], b
        assert b.stats.peak != b.stats.dump


def test_rarer_pets_have_higher_floors(herd: list[Buddy]) -> None:
    lowest: dict[str, int] = {}
    for b in herd:
        stats = b.stats.as_dict()
        ordinary = min(v for s, v in stats.items() if s != b.stats.dump)
        lowest[b.rarity] = min(lowest.get(b.rarity, 100), ordinary)
        assert ordinary >= RARITY_FLOORS[b.rarity]
    assert [lowest[r] for r in RARITIES] == sorted(lowest[r] for r in RARITIES)
    assert [RARITY_FLOORS[r] for r in RARITIES] == sorted(set(RARITY_FLOORS.values()))


def test_stats_are_named_as_the_issue_names_them() -> None:
    assert STATS == ("debugging", "patience", "chaos", "wisdom", "snark")

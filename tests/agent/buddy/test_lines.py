from __future__ import annotations

from dataclasses import replace

import pytest

from agent.buddy.bones import STATS, Buddy, Stats, hatch
from agent.buddy.lines import LINES, MOMENTS, VOICES, line_for, moment_of, voice_of

MOMENT_NAMES = {"hello", "petted", *MOMENTS.values()}


def with_peak(stat: str) -> Buddy:
    values = dict.fromkeys(STATS, 30)
    values[stat] = 90
    values["chaos" if stat != "chaos" else "wisdom"] = 5
    return replace(hatch("alice"), stats=Stats(**values))


@pytest.mark.parametrize("stat", STATS)
def test_the_peak_stat_sets_the_voice(stat: str) -> None:
    assert voice_of(with_peak(stat)) == VOICES[stat]


def test_a_snarky_pet_is_dry_and_a_patient_one_calm() -> None:
    snarky, patient = with_peak("snark"), with_peak("patience")
    assert line_for(snarky, "done", 0) in LINES["dry"]["done"]
    assert line_for(patient, "done", 0) in LINES["calm"]["done"]
    assert line_for(snarky, "failed", 3) in LINES["dry"]["failed"]


def test_lines_are_deterministic_in_pet_moment_and_count() -> None:
    pet = hatch("alice")
    assert [line_for(pet, "working", n) for n in range(10)] == [
        line_for(pet, "working", n) for n in range(10)
    ]
    assert len({line_for(pet, "working", n) for n in range(30)}) > 1


def test_every_voice_has_short_lines_for_every_moment() -> None:
    for voice in VOICES.values():
        assert set(LINES[voice]) == MOMENT_NAMES
        for lines in LINES[voice].values():
            assert len(lines) >= 3 and all(len(line) <= 32 for line in lines)


def test_only_some_cues_are_worth_a_line() -> None:
    assert moment_of("permission_requested") == "waiting"
    assert moment_of("text_delta") is None

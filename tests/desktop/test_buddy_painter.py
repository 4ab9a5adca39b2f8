from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage, QPainter

from agent.buddy.bones import EYES, HATS, RARITIES, SPECIES
from agent.buddy.moods import STATES
from desktop.buddy.painter import render_pet
from tests.desktop.buddy_helpers import image_bytes, opaque_pixels, pet


@pytest.mark.parametrize("species", SPECIES)
def test_every_species_renders_in_every_state(species: str, qapp: object) -> None:
    for state in STATES:
        image = render_pet(pet(species), state, age=0.3, clock=1.3)
        assert image.width() == 128 and opaque_pixels(image) > 600, state
    petted = render_pet(pet(species), "idle", petting=True, hearts=[(50, 0.2), (60, 0.6)])
    assert opaque_pixels(petted) > 600


def test_no_two_species_look_the_same(qapp: object) -> None:
    for state in STATES:
        drawn = {image_bytes(render_pet(pet(s), state, age=0.3, clock=1.3)) for s in SPECIES}
        assert len(drawn) == len(SPECIES), state


@pytest.mark.parametrize("species", SPECIES)
def test_a_shiny_pet_looks_different_from_a_plain_one(species: str, qapp: object) -> None:
    plain = render_pet(pet(species), clock=2.0)
    shiny = render_pet(pet(species, shiny=True), clock=2.0)
    assert image_bytes(plain) != image_bytes(shiny)


def test_every_eye_kind_and_hat_is_drawn_differently(qapp: object) -> None:
    eyes = {image_bytes(render_pet(pet("owl", eyes=e))) for e in EYES}
    hats = {image_bytes(render_pet(pet("owl", hat=h))) for h in HATS}
    assert len(eyes) == len(EYES) and len(hats) == len(HATS)


def test_each_state_changes_the_picture(qapp: object) -> None:
    drawn = {image_bytes(render_pet(pet("rabbit"), s, age=0.3, clock=1.3)) for s in STATES}
    assert len(drawn) == len(STATES)


def test_rarity_tints_the_ground_glow(qapp: object) -> None:
    drawn = {image_bytes(render_pet(pet("cat", rarity=r))) for r in RARITIES}
    assert len(drawn) == len(RARITIES)


def test_the_pet_renders_sharp_at_twice_the_pixels(qapp: object) -> None:
    image = render_pet(pet("duck"), scale=2.0)
    assert image.width() == 256 and opaque_pixels(image) > 4 * 600


def test_a_contact_sheet_of_every_species_is_kept(qapp: object, buddy_artifacts: Path) -> None:
    size, columns = 128, 6
    states = ("idle", "listening", "happy")
    sheet = QImage(columns * size, 3 * size * len(states), QImage.Format.Format_ARGB32)
    sheet.fill(QColor("#eef1f5"))
    p = QPainter(sheet)
    for (row, state), (i, species) in itertools.product(enumerate(states), enumerate(SPECIES)):
        drawn = pet(species, hat=HATS[i % len(HATS)], eyes=EYES[i % len(EYES)], shiny=i == 4)
        x, y = (i % columns) * size, (row * 3 + i // columns) * size
        p.drawImage(x, y, render_pet(drawn, state, age=0.3, clock=1.3))
    p.end()
    assert sheet.save(str(buddy_artifacts / "species-sheet.png"))

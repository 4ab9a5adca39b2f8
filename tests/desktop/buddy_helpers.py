"""Shared bits of the buddy's desktop tests: pets to draw and a clock to set by hand."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QImage

from agent.buddy.bones import Buddy, hatch


def pet(species: str = "cat", **changes: object) -> Buddy:
    """A fixed pet of ``species`` (eyes, hat, rarity set so only what a test changes differs)."""
    fixed: dict[str, object] = {"eyes": "dot", "hat": "none", "rarity": "rare", "shiny": False}
    return replace(hatch("alice"), species=species, **{**fixed, **changes})


def image_bytes(image: QImage) -> bytes:
    return bytes(image.constBits())


def opaque_pixels(image: QImage) -> int:
    """How many pixels are not fully transparent (sampled every 2 px)."""
    return sum(
        1
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
        if image.pixelColor(x, y).alpha() > 0
    )


class Clock:
    """A clock the test moves forward."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

"""One drawing function per species, looked up by name.

Each draws its body in a 100 x 100 box (ground at y = 90) and returns a ``Face`` saying
where eyes, mouth and hat go.

    birds      duck, goose, owl, penguin
    beasts     cat, rabbit, capybara, chonk, axolotl, dragon
    oddities   blob, ghost, octopus, snail, turtle
    things     cactus, robot, mushroom
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QPainter

from desktop.buddy.palette import Palette
from desktop.buddy.pose import Pose
from desktop.buddy.species.beasts import axolotl, capybara, cat, chonk, dragon, rabbit
from desktop.buddy.species.birds import duck, goose, owl, penguin
from desktop.buddy.species.oddities import blob, ghost, octopus, snail, turtle
from desktop.buddy.species.shapes import Face
from desktop.buddy.species.things import cactus, mushroom, robot

Draw = Callable[[QPainter, Palette, Pose], Face]

DRAW: dict[str, Draw] = {
    "duck": duck,
    "goose": goose,
    "blob": blob,
    "cat": cat,
    "dragon": dragon,
    "octopus": octopus,
    "owl": owl,
    "penguin": penguin,
    "turtle": turtle,
    "snail": snail,
    "ghost": ghost,
    "axolotl": axolotl,
    "capybara": capybara,
    "cactus": cactus,
    "robot": robot,
    "rabbit": rabbit,
    "mushroom": mushroom,
    "chonk": chonk,
}

__all__ = ["DRAW", "Draw", "Face"]

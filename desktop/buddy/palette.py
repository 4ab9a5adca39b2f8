"""Colours: each species' palette, its shiny variant, and the rarity accents.

    palette_for(species, shiny) -> Palette
    RARITY_COLOURS                common grey, uncommon green, rare blue, epic violet,
                                  legendary gold (stars, card stripe, ground glow)

A shiny pet keeps its shapes and changes its colours: saturated colours turn round the
colour wheel, pale ones (a ghost, a goose) turn a soft gold, so every shiny differs.
Outlines are a deep shade of the body colour rather than black, which reads softer.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor

RARITY_COLOURS: dict[str, str] = {
    "common": "#8f99a5",
    "uncommon": "#3fae5a",
    "rare": "#3d8bfd",
    "epic": "#a259ff",
    "legendary": "#f2b300",
}

# body, belly, accent, detail
SPECIES_COLOURS: dict[str, tuple[str, str, str, str]] = {
    "duck": ("#ffd23f", "#ffe98f", "#ff9f1c", "#f2b705"),
    "goose": ("#f7f7f2", "#ffffff", "#ff8c42", "#c9ced6"),
    "blob": ("#7ed6a5", "#b5f0cd", "#4fb286", "#e8fff1"),
    "cat": ("#9aa8b8", "#e9eef3", "#f4a7b9", "#6b7a8c"),
    "dragon": ("#e4573d", "#ffd28a", "#fff1c9", "#b23a2a"),
    "octopus": ("#c77ddb", "#e3b5ee", "#a357bd", "#f3dcf9"),
    "owl": ("#a0704a", "#f1dec0", "#f5a623", "#7b5234"),
    "penguin": ("#34405a", "#ffffff", "#ff9f1c", "#1f2738"),
    "turtle": ("#a6d173", "#e8d9a8", "#4f8f4a", "#3b6e37"),
    "snail": ("#e6d7ae", "#f3ead0", "#e0914a", "#a8602b"),
    "ghost": ("#f4f6ff", "#ffffff", "#c8cff5", "#aeb7e8"),
    "axolotl": ("#f8b4cb", "#ffd9e6", "#e0548e", "#c7477a"),
    "capybara": ("#a8774f", "#c9976b", "#6e4a30", "#ff9f1c"),
    "cactus": ("#5dbb63", "#86d98b", "#d0704a", "#ff7eb6"),
    "robot": ("#aebbcb", "#d8e0ea", "#26303d", "#5ee6ff"),
    "rabbit": ("#f3ece4", "#ffffff", "#f7a1b5", "#d9cfc4"),
    "mushroom": ("#f4e9d8", "#fff8ec", "#e5484d", "#ffffff"),
    "chonk": ("#edb25e", "#fff0d6", "#f59e8b", "#c98b3c"),
}

INK = QColor("#23262e")
BLUSH = QColor(255, 120, 150, 90)
SHINY_TURN = 150  # degrees round the colour wheel


@dataclass(frozen=True)
class Palette:
    body: QColor
    belly: QColor
    accent: QColor
    detail: QColor
    line: QColor
    ink: QColor


def palette_for(species: str, shiny: bool = False) -> Palette:
    colours = [QColor(c) for c in SPECIES_COLOURS[species]]
    if shiny:
        colours = [_shiny(c) for c in colours]
    body, belly, accent, detail = colours
    return Palette(body, belly, accent, detail, outline_of(body), INK)


def outline_of(colour: QColor) -> QColor:
    """A deep shade of ``colour``: cool grey-blue for near-white bodies."""
    h, s, v, _ = colour.getHsv()
    if s < 30:
        return QColor.fromHsv(225, 40, 110)
    return QColor.fromHsv(h, min(255, s + 40), int(v * 0.42))


def rarity_colour(rarity: str) -> QColor:
    return QColor(RARITY_COLOURS[rarity])


def _shiny(colour: QColor) -> QColor:
    h, s, v, a = colour.getHsv()
    if s < 40:  # white and grey parts: a pale gold sheen
        return QColor.fromHsv(45, 90 if v > 200 else 120, v, a)
    return QColor.fromHsv((h + SHINY_TURN) % 360, s, v, a)

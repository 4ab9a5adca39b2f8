"""Draws a whole pet: shadow, body, face, hat, and what it is doing.

    paint_pet(p, size, buddy, pose, hearts=())      onto any QPainter, in a size x size box
    render_pet(buddy, state, ...) -> QImage         the same into a transparent image

Order: ground shadow (fixed to the ground), then the body moved by the pose (bob, shift,
lean about the feet, breathing that stretches up from the feet), its blush, eyes, mouth
and hat, then the props around it, a shiny pet's glints and any petting hearts.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

from agent.buddy.bones import Buddy
from desktop.buddy.effects import draw_glints, draw_hearts, draw_prop, draw_shadow
from desktop.buddy.features import draw_blush, draw_eyes, draw_mouth
from desktop.buddy.hats import draw_hat
from desktop.buddy.palette import palette_for
from desktop.buddy.pose import Pose, petted, pose_for
from desktop.buddy.species import DRAW
from desktop.buddy.species.shapes import GROUND

# The pet fills this share of its box; the rest leaves room for hats, props and hearts.
FILL = 0.86


def paint_pet(
    p: QPainter,
    size: float,
    buddy: Buddy,
    pose: Pose,
    hearts: Sequence[tuple[float, float]] = (),
) -> None:
    palette = palette_for(buddy.species, buddy.shiny)
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    p.scale(size / 100, size / 100)
    p.translate(50, 96)
    p.scale(FILL, FILL)
    p.translate(-50, -GROUND)
    draw_shadow(p, buddy.rarity, pose.bob)
    p.save()
    p.translate(50 + pose.shift, GROUND + pose.bob)
    p.rotate(pose.lean)
    p.scale(1 - 0.01 * pose.breath, 1 + 0.022 * pose.breath)
    p.translate(-50, -GROUND)
    face = DRAW[buddy.species](p, palette, pose)
    draw_blush(p, face, strong=pose.eyes == "happy")
    draw_eyes(p, face, buddy.eyes, pose.eyes, palette.ink)
    draw_mouth(p, face, pose, palette.ink)
    draw_hat(p, buddy.hat, face, pose.phase)
    p.restore()
    draw_prop(p, pose.prop, pose.phase)
    if buddy.shiny:
        draw_glints(p, pose.phase)
    draw_hearts(p, hearts)
    p.restore()


def render_pet(
    buddy: Buddy,
    state: str = "idle",
    *,
    age: float = 1.0,
    clock: float = 1.0,
    size: int = 128,
    petting: bool = False,
    hearts: Sequence[tuple[float, float]] = (),
    scale: float = 1.0,
) -> QImage:
    """The pet in ``state`` as a transparent ``size`` x ``size`` image (times ``scale``)."""
    pixels = round(size * scale)
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    pose = pose_for(state, age, clock)
    if petting:
        pose = petted(pose)
    p = QPainter(image)
    paint_pet(p, pixels, buddy, pose, hearts)
    p.end()
    return image

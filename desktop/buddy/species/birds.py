"""The birds: duck, goose, owl and penguin. Beaks open as they talk, so no drawn mouth."""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainter

from desktop.buddy.palette import Palette
from desktop.buddy.pose import Pose
from desktop.buddy.species.shapes import (
    Face,
    alpha,
    curve,
    draw,
    ellipse,
    flat,
    polygon,
    stroke,
    turned,
)


def beak_open(pose: Pose) -> float:
    """How far a beak opens (0..1) for the pose's mouth."""
    if pose.mouth == "open":
        return pose.mouth_open
    return {"grin": 0.55, "o": 0.35, "wobble": 0.15}.get(pose.mouth, 0.0)


def _feet(p: QPainter, c: Palette, xs: tuple[float, float] = (42, 58)) -> None:
    for x in xs:
        draw(p, ellipse(x, 88.5, 6.5, 2.8), c.accent, c.accent.darker(150))


def _bill(p: QPainter, c: Palette, x: float, y: float, w: float, pose: Pose) -> None:
    """A flat duck-style bill: the lower half drops as it opens."""
    gap = beak_open(pose) * 3.2
    draw(p, ellipse(x, y + 1.6 + gap, w * 0.78, 2.6 + gap * 0.4), c.accent.darker(115), c.line)
    draw(p, ellipse(x, y, w, 3.6), c.accent, c.line)
    flat(p, ellipse(x - w * 0.35, y - 1.2, w * 0.25, 0.9), alpha(c.belly, 170))


def duck(p: QPainter, c: Palette, pose: Pose) -> Face:
    _feet(p, c)
    flap = 18 + pose.ears * 14
    for x, sign in ((28, 1), (72, -1)):
        draw(p, turned(ellipse(x, 68, 7, 11.5), sign * flap, x, 62), c.detail, c.line)
    draw(p, ellipse(50, 70, 24, 19), c.body, c.line)
    flat(p, ellipse(50, 76, 15, 11), alpha(c.belly, 200))
    draw(p, turned(ellipse(48, 24, 2.4, 5.5), -22, 48, 28), c.body, c.line)
    draw(p, turned(ellipse(53, 24, 2.2, 5), 24, 53, 28), c.body, c.line)
    draw(p, ellipse(50, 42, 17), c.body, c.line)
    _bill(p, c, 50, 50.5, 9.5, pose)
    return Face(QPointF(43, 40), QPointF(57, 40), 3.2, None, hat=QPointF(50, 26), hat_w=22)


def goose(p: QPainter, c: Palette, pose: Pose) -> Face:
    _feet(p, c, (41, 59))
    neck = curve([(50, 74), (49, 55), (52, 42), (50, 31)])
    stroke(p, neck, c.line, 15.5)
    stroke(p, neck, c.body, 12)
    for x, sign in ((29, 1), (71, -1)):
        draw(
            p, turned(ellipse(x, 72, 10, 8), sign * (10 + pose.ears * 12), x, 70), c.detail, c.line
        )
    draw(p, ellipse(50, 75, 26, 14), c.body, c.line)
    stroke(p, curve([(44, 62), (49, 66), (56, 62)]), c.body, 9)  # hides the neck's seam
    draw(p, ellipse(50, 29, 12), c.body, c.line)
    gap = beak_open(pose) * 2.4
    draw(p, polygon([(44, 37), (56, 37), (50, 41 + gap)]), c.accent.darker(115), c.line)
    draw(p, ellipse(50, 35.5, 6.5, 3.2), c.accent, c.line)
    flat(p, ellipse(50, 32.5, 2.2, 1.6), c.accent.darker(130))
    return Face(QPointF(45, 27), QPointF(55, 27), 2.6, None, hat=QPointF(50, 17.5), hat_w=18)


def owl(p: QPainter, c: Palette, pose: Pose) -> Face:
    _feet(p, c)
    lift = pose.ears * 4
    draw(p, polygon([(30, 40), (24, 19 - lift), (42, 33)]), c.body, c.line)
    draw(p, polygon([(70, 40), (76, 19 - lift), (58, 33)]), c.body, c.line)
    draw(p, ellipse(50, 60, 26, 29), c.body, c.line)
    flat(p, ellipse(50, 71, 15.5, 16), c.belly)
    for row, y in enumerate((64, 70, 76)):
        for x in (44, 50, 56) if row != 1 else (47, 53):
            stroke(p, curve([(x - 2.2, y), (x, y + 1.8), (x + 2.2, y)]), c.detail, 1.2)
    for x, sign in ((26, 1), (74, -1)):
        draw(p, turned(ellipse(x, 66, 6.5, 15), sign * 10, x, 60), c.detail, c.line)
    for x in (40, 60):
        draw(p, ellipse(x, 47, 10.5), c.belly.lighter(104), alpha(c.line, 110), 1.2)
    gap = beak_open(pose) * 2.2
    draw(p, polygon([(46, 55), (54, 55), (50, 61.5 + gap)]), c.accent, c.line, 1.4)
    return Face(
        QPointF(40, 47), QPointF(60, 47), 4.3, None, hat=QPointF(50, 32), hat_w=24, blush=False
    )


def penguin(p: QPainter, c: Palette, pose: Pose) -> Face:
    _feet(p, c)
    flap = 20 + pose.ears * 16
    for x, sign in ((26, 1), (74, -1)):
        draw(p, turned(ellipse(x, 64, 5, 14), sign * flap, x, 54), c.body, c.line)
    draw(p, ellipse(50, 60, 24, 29), c.body, c.line)
    front = ellipse(50, 68, 17, 20.5).united(ellipse(43, 46, 9)).united(ellipse(57, 46, 9))
    flat(p, front, c.belly)
    gap = beak_open(pose) * 2.4
    draw(p, polygon([(46, 51), (54, 51), (50, 55 + gap)]), c.accent.darker(115), c.line, 1.4)
    draw(p, polygon([(45.5, 51), (54.5, 51), (50, 54.5)]), c.accent, c.line, 1.4)
    return Face(QPointF(43, 44), QPointF(57, 44), 3.0, None, hat=QPointF(50, 31), hat_w=24)

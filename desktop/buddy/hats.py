"""Hats: seven to wear, plus none. Common pets wear none.

    draw_hat(p, hat, face, phase)

Each hat is designed 24 units wide with its base at (0, 0), then scaled to the face's
``hat_w`` and tilted by ``hat_tilt``; it sits a little over the head so it looks worn
rather than balanced. ``phase`` spins the propeller and floats the halo.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath

from desktop.buddy.species.shapes import (
    Face,
    alpha,
    curve,
    draw,
    ellipse,
    flat,
    pen,
    polygon,
    rounded,
    star,
    stroke,
)

WHITE = QColor("#ffffff")


def draw_hat(p: QPainter, hat: str, face: Face, phase: float) -> None:
    if hat == "none":
        return
    p.save()
    p.translate(face.hat.x(), face.hat.y() + 2.2)
    p.rotate(face.hat_tilt)
    s = face.hat_w / 24
    p.scale(s, s)
    HATS[hat](p, phase)
    p.restore()


def _crown(p: QPainter, phase: float) -> None:
    gold, edge = QColor("#f7c948"), QColor("#a87400")
    pts = [(-11, 0), (-12.5, -13), (-6, -6.5), (0, -15.5), (6, -6.5), (12.5, -13), (11, 0)]
    draw(p, polygon(pts), gold, edge, 1.4)
    for x, y in ((-12.5, -13), (0, -15.5), (12.5, -13)):
        draw(p, ellipse(x, y, 1.6), gold.lighter(115), edge, 1)
    flat(p, ellipse(0, -4, 2), QColor("#e5484d"))
    for x in (-6.5, 6.5):
        flat(p, ellipse(x, -3.5, 1.4), QColor("#3d8bfd"))


def _top_hat(p: QPainter, phase: float) -> None:
    black, edge = QColor("#2d2d38"), QColor("#111118")
    draw(p, rounded(-9, -21, 18, 20, 2), black, edge, 1.3)
    flat(p, rounded(-9, -7.5, 18, 4, 0.5), QColor("#d64545"))
    draw(p, rounded(-14.5, -2.5, 29, 4, 2), black, edge, 1.3)
    flat(p, rounded(-6.5, -19, 2.2, 10, 1.1), alpha(WHITE, 50))


def _propeller(p: QPainter, phase: float) -> None:
    cap = QPainterPath(QPointF(-11, 0))
    cap.cubicTo(QPointF(-11, -14), QPointF(11, -14), QPointF(11, 0))
    cap.closeSubpath()
    draw(p, cap, QColor("#ff5a5f"), QColor("#8a1f23"), 1.3)
    p.save()
    p.setClipPath(cap)
    flat(p, polygon([(-3, -12), (3, -12), (5, 0), (-5, 0)]), QColor("#ffd166"))
    flat(p, polygon([(-11, -3), (-7, -10), (-9.5, 0)]), QColor("#3d8bfd"))
    flat(p, polygon([(11, -3), (7, -10), (9.5, 0)]), QColor("#3d8bfd"))
    p.restore()
    stroke(p, curve([(0, -10.5), (0, -14)]), QColor("#555"), 1.3)
    spin = math.cos(phase * 14)
    for sign, colour in ((-1, "#3d8bfd"), (1, "#ffd166")):
        w = 6.5 * abs(spin) + 0.8
        draw(
            p,
            ellipse(sign * w * (1 if spin >= 0 else -1), -14.5, w, 1.6),
            QColor(colour),
            QColor("#555"),
            0.8,
        )
    flat(p, ellipse(0, -14.5, 1.3), QColor("#555"))


def _halo(p: QPainter, phase: float) -> None:
    y = -8 - 1.2 * math.sin(phase * 2.5)
    gold = QColor("#ffd95e")
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(pen(alpha(gold, 70), 5.5))
    p.drawEllipse(QPointF(0, y), 11, 3)
    p.setPen(pen(gold, 2.2))
    p.drawEllipse(QPointF(0, y), 11, 3)


def _wizard(p: QPainter, phase: float) -> None:
    purple, edge = QColor("#6b4fbb"), QColor("#2e1f5e")
    cone = QPainterPath(QPointF(-11, 0))
    cone.quadTo(QPointF(-3, -15), QPointF(5, -26))
    cone.quadTo(QPointF(5, -12), QPointF(11, 0))
    cone.closeSubpath()
    draw(p, cone, purple, edge, 1.3)
    flat(p, star(-1, -8, 2.4, 1), QColor("#ffd166"))
    flat(p, star(4, -16, 1.6, 0.7), QColor("#ffd166"))
    draw(p, ellipse(0, 0, 15, 3), purple.darker(110), edge, 1.3)


def _beanie(p: QPainter, phase: float) -> None:
    teal, edge = QColor("#2ec4b6"), QColor("#126b63")
    dome = QPainterPath(QPointF(-11.5, 0))
    dome.cubicTo(QPointF(-11.5, -16), QPointF(11.5, -16), QPointF(11.5, 0))
    dome.closeSubpath()
    draw(p, dome, teal, edge, 1.3)
    draw(p, rounded(-12.5, -3.5, 25, 5.5, 2.5), teal.darker(115), edge, 1.3)
    for x in range(-9, 10, 3):
        stroke(p, curve([(x, -2.5), (x, 1)]), alpha(edge, 120), 0.8)
    draw(p, ellipse(0, -13, 3.6), QColor("#fff5e1"), QColor("#b9a98a"), 1.1)


def _bow(p: QPainter, phase: float) -> None:
    pink, edge = QColor("#ff6fa8"), QColor("#a3245a")
    p.translate(7, -1)
    p.rotate(15)
    for sign in (-1, 1):
        loop = QPainterPath(QPointF(0, 0))
        loop.quadTo(QPointF(sign * 9, -9), QPointF(sign * 10, -1))
        loop.quadTo(QPointF(sign * 9, 6), QPointF(0, 0))
        draw(p, loop, pink, edge, 1.2)
    draw(p, ellipse(0, -0.5, 2.6), pink.darker(110), edge, 1.2)


HATS = {
    "crown": _crown,
    "top_hat": _top_hat,
    "propeller": _propeller,
    "halo": _halo,
    "wizard": _wizard,
    "beanie": _beanie,
    "bow": _bow,
}

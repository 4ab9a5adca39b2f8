"""Everything drawn around the pet rather than on it, in the same 100 x 100 box.

draw_shadow(p, rarity, bob)     a soft ground shadow, tinted by rarity above common
draw_prop(p, prop, phase)       thought bubble, gear, question badge, sound waves,
                                listening waves, sparkles, sweat drop
draw_glints(p, phase)           a shiny pet's twinkles
draw_hearts(p, hearts)          petting hearts: (x, age in seconds) rising and fading
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QRadialGradient

from desktop.buddy.palette import rarity_colour
from desktop.buddy.species.shapes import alpha, draw, ellipse, flat, polygon, star, stroke

HEART_LIFE = 1.4
INK = QColor("#3a3f4b")
CLOUD = QColor("#ffffff")


def draw_shadow(p: QPainter, rarity: str, bob: float) -> None:
    shrink = 1 + bob / 28  # a hop (negative bob) shrinks the shadow
    rx, ry = 25 * shrink, 4.2 * shrink
    if rarity != "common":
        glow = QRadialGradient(QPointF(0, 0), rx + 6)
        tint = rarity_colour(rarity)
        glow.setColorAt(0.0, alpha(tint, 95))
        glow.setColorAt(1.0, alpha(tint, 0))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(glow)
        p.save()
        p.translate(50, 91)
        p.scale(1, (ry + 2.5) / (rx + 6))
        p.drawEllipse(QPointF(0, 0), rx + 6, rx + 6)
        p.restore()
    shade = QRadialGradient(QPointF(0, 0), rx)
    shade.setColorAt(0.0, QColor(0, 0, 0, 80))
    shade.setColorAt(0.7, QColor(0, 0, 0, 35))
    shade.setColorAt(1.0, QColor(0, 0, 0, 0))
    p.save()
    p.translate(50, 91)
    p.scale(1, ry / rx)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(shade)
    p.drawEllipse(QPointF(0, 0), rx, rx)
    p.restore()


def draw_prop(p: QPainter, prop: str, phase: float) -> None:
    if prop:
        PROPS[prop](p, phase)


def _thought(p: QPainter, phase: float) -> None:
    line = alpha(INK, 150)
    for x, y, r in ((72, 27, 1.6), (77, 21, 2.4)):
        draw(p, ellipse(x, y, r), CLOUD, line, 1.0)
    cloud = ellipse(88, 11, 7, 6)
    for cx, cy, r in ((82, 12, 5), (94, 12, 4.5), (86, 7, 4.5), (91, 7, 4)):
        cloud = cloud.united(ellipse(cx, cy, r))
    draw(p, cloud, CLOUD, line, 1.0)
    lit = int(phase * 3) % 3
    for i in range(3):
        flat(p, ellipse(83.5 + i * 4.2, 11, 1.2), alpha(INK, 230 if i <= lit else 70))


def _gear(p: QPainter, phase: float) -> None:
    p.save()
    p.translate(87, 14)
    p.rotate(phase * 140)
    body = ellipse(0, 0, 6.2)
    for i in range(8):
        tooth = polygon([(-1.6, -9), (1.6, -9), (2.2, -5), (-2.2, -5)])
        p.save()
        p.rotate(i * 45)
        draw(p, tooth, QColor("#8d99a8"), QColor("#4a5463"), 1.0)
        p.restore()
    draw(p, body, QColor("#8d99a8"), QColor("#4a5463"), 1.0)
    draw(p, ellipse(0, 0, 2.4), QColor("#e9edf2"), QColor("#4a5463"), 1.0)
    p.restore()


def _question(p: QPainter, phase: float) -> None:
    pulse = 1 + 0.08 * math.sin(phase * 5)
    p.save()
    p.translate(87, 13)
    p.scale(pulse, pulse)
    draw(p, ellipse(0, 0, 8), QColor("#ffd166"), QColor("#b7791f"), 1.3)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(12)
    p.setFont(font)
    p.setPen(QColor("#5c3d00"))
    p.drawText(QRectF(-8, -8.6, 16, 16), Qt.AlignmentFlag.AlignCenter, "?")
    p.restore()


def _waves(p: QPainter, phase: float, x: float, outward: bool) -> None:
    """Three arcs beside the head; they travel out (speaking) or in (listening)."""
    sign = 1 if x > 50 else -1
    for i in range(3):
        step = (phase * 1.6 + i / 3) % 1.0
        t = step if outward else 1 - step
        r = 4 + t * 9
        a = int(230 * (1 - t)) if outward else int(230 * t)
        arc = QPainterPath()
        start = -40 if sign > 0 else 140
        arc.arcMoveTo(QRectF(x - r, 40 - r, 2 * r, 2 * r), start)
        arc.arcTo(QRectF(x - r, 40 - r, 2 * r, 2 * r), start, 80)
        stroke(p, arc, alpha(QColor("#4f7cff"), a), 1.8)


def _sound(p: QPainter, phase: float) -> None:
    _waves(p, phase, 82, True)


def _listen(p: QPainter, phase: float) -> None:
    _waves(p, phase, 14, False)


def _sparkles(p: QPainter, phase: float) -> None:
    for i, (x, y) in enumerate(((14, 30), (86, 28), (10, 62), (90, 56))):
        s = 0.55 + 0.45 * math.sin(phase * 6 + i * 1.7)
        flat(p, star(x, y, 4.5 * s, 1.2 * s, 4), QColor("#ffcf33"))


def _sweat(p: QPainter, phase: float) -> None:
    y = 30 + (phase * 6) % 8
    drop = QPainterPath(QPointF(76, y - 6))
    drop.quadTo(QPointF(80.5, y), QPointF(76, y + 1.8))
    drop.quadTo(QPointF(71.5, y), QPointF(76, y - 6))
    draw(p, drop, QColor("#8fd3ff"), QColor("#2f7fb8"), 1.1)
    flat(p, ellipse(74.8, y - 0.5, 0.9, 1.4), alpha(QColor("white"), 200))


PROPS = {
    "thought": _thought,
    "gear": _gear,
    "question": _question,
    "sound": _sound,
    "listen": _listen,
    "sparkles": _sparkles,
    "sweat": _sweat,
}


def draw_glints(p: QPainter, phase: float) -> None:
    for i, (x, y) in enumerate(((20, 40), (80, 50), (66, 22), (30, 76))):
        s = max(0.0, math.sin(phase * 2.2 + i * 1.9))
        if s > 0.05:
            flat(p, star(x, y, 5 * s, 1 * s, 4), QColor(255, 255, 255, 235))
            flat(p, ellipse(x, y, 1.4 * s), QColor("#ffe38a"))


def heart(x: float, y: float, size: float) -> QPainterPath:
    path = QPainterPath(QPointF(x, y + size * 0.9))
    path.cubicTo(
        QPointF(x - size * 1.3, y),
        QPointF(x - size * 0.6, y - size * 0.9),
        QPointF(x, y - size * 0.25),
    )
    path.cubicTo(
        QPointF(x + size * 0.6, y - size * 0.9),
        QPointF(x + size * 1.3, y),
        QPointF(x, y + size * 0.9),
    )
    return path


def draw_hearts(p: QPainter, hearts: Sequence[tuple[float, float]]) -> None:
    for x, age in hearts:
        if not 0 <= age < HEART_LIFE:
            continue
        life = age / HEART_LIFE
        a = int(255 * (1 - life) ** 0.7)
        y = 30 - age * 20  # from just above the eyes up to the top edge
        drift = 3 * math.sin(age * 5 + x)
        pink, edge = alpha(QColor("#ff5d8f"), a), alpha(QColor("#b3194f"), a)
        draw(p, heart(x + drift, y, 5 + 2 * life), pink, edge, 1.1)

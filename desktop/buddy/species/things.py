"""The ones that are not quite animals: cactus, robot and mushroom."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPainter, QPainterPath

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
    rounded,
    stroke,
    turned,
)

LIGHTS = (QColor("#5be37a"), QColor("#ffd166"), QColor("#ff6b6b"))


def cactus(p: QPainter, c: Palette, pose: Pose) -> Face:
    raise_arm = max(pose.ears, 0.0) * 4 - max(-pose.ears, 0.0) * 3
    left = rounded(20, 38 - raise_arm, 10, 26 + raise_arm, 5).united(rounded(22, 56, 18, 8, 4))
    right = rounded(70, 48, 10, 18, 5).united(rounded(60, 58, 18, 8, 4))
    draw(p, left, c.body, c.line)
    draw(p, right, c.body, c.line)
    column = rounded(35, 26, 30, 52, 15)
    draw(p, column, c.body, c.line)
    for x in (43, 57):
        stroke(p, curve([(x, 34), (x, 72)]), alpha(c.belly, 170), 1.3)
    for x, y in ((39, 62), (61, 64), (47, 70), (25, 46), (75, 54), (53, 30), (60, 38)):
        stroke(p, curve([(x - 1.3, y - 1.3), (x + 1.3, y + 1.3)]), alpha(c.line, 160), 0.9)
        stroke(p, curve([(x + 1.3, y - 1.3), (x - 1.3, y + 1.3)]), alpha(c.line, 160), 0.9)
    draw(p, polygon([(31, 76), (69, 76), (65, 91), (35, 91)]), c.accent, c.accent.darker(170))
    draw(p, rounded(28, 72, 44, 7, 3), c.accent.lighter(112), c.accent.darker(170))
    for i in range(5):
        a = pose.phase * 0.4 + i * 2 * math.pi / 5
        draw(
            p,
            ellipse(63 + 3.4 * math.cos(a), 29 + 3.4 * math.sin(a), 2.8),
            c.detail,
            c.detail.darker(150),
            0.9,
        )
    flat(p, ellipse(63, 29, 1.8), QColor("#ffd84d"))
    return Face(QPointF(44, 44), QPointF(56, 44), 2.8, QPointF(50, 51.5), 5, QPointF(48, 27), 20)


def robot(p: QPainter, c: Palette, pose: Pose) -> Face:
    up = max(pose.ears, 0.0) * 4
    for x in (37, 53):
        draw(p, rounded(x, 85, 11, 5, 2.5), c.accent.lighter(130), c.line, 1.4)
    for x, sign in ((25, 1), (67, -1)):
        arm = turned(rounded(x, 63, 8, 17, 4), sign * 30 * max(pose.ears, 0.0), x + 4, 65)
        draw(p, arm, c.body.darker(108), c.line)
    draw(p, rounded(33, 62, 34, 24, 5), c.body, c.line)
    draw(p, rounded(40, 68, 20, 11, 2.5), c.accent, c.line, 1.2)
    lit = int(pose.phase * 2) % 3
    for i, colour in enumerate(LIGHTS):
        flat(p, ellipse(45 + i * 5, 73.5, 1.8), colour if i == lit else colour.darker(220))
    draw(p, rounded(45, 57, 10, 6, 1.5), c.body.darker(120), c.line, 1.2)
    stem = QPainterPath(QPointF(50, 30))
    stem.lineTo(QPointF(50, 20 - up))
    stroke(p, stem, c.line, 2.2)
    glow = c.detail if int(pose.phase * 1.2) % 2 == 0 else c.detail.darker(160)
    draw(p, ellipse(50, 19 - up, 3.2), glow, c.line, 1.4)
    for x in (21, 73):
        draw(p, rounded(x, 38, 6, 14, 2.5), c.body.darker(115), c.line, 1.4)
    draw(p, rounded(26, 29, 48, 31, 8), c.body, c.line)
    draw(p, rounded(31, 34.5, 38, 21, 5), c.accent, c.line, 1.3)
    flat(p, rounded(33.5, 36.5, 12, 3, 1.5), alpha(QColor("white"), 45))
    for x in (30, 70):
        flat(p, ellipse(x, 31.8, 1.1), c.line)
    return Face(
        QPointF(42, 44.5),
        QPointF(58, 44.5),
        3.2,
        QPointF(50, 50.5),
        7,
        QPointF(50, 29.5),
        28,
        blush=False,
        glow=c.detail,
    )


def mushroom(p: QPainter, c: Palette, pose: Pose) -> Face:
    stem = QPainterPath(QPointF(36, 54))
    stem.cubicTo(QPointF(33, 70), QPointF(31, 86), QPointF(40, 89.5))
    stem.lineTo(QPointF(60, 89.5))
    stem.cubicTo(QPointF(69, 86), QPointF(67, 70), QPointF(64, 54))
    stem.closeSubpath()
    draw(p, stem, c.body, c.line)
    tilt = 2 * pose.ears
    cap = QPainterPath(QPointF(15, 58 - tilt))
    cap.cubicTo(QPointF(13, 30), QPointF(30, 19), QPointF(50, 19))
    cap.cubicTo(QPointF(70, 19), QPointF(87, 30), QPointF(85, 58 - tilt))
    cap.quadTo(QPointF(50, 66), QPointF(15, 58 - tilt))
    draw(p, cap, c.accent, c.line)
    stroke(p, curve([(24, 58), (50, 62.5), (76, 58)]), alpha(c.accent.darker(140), 110), 1.2)
    for x, y, rx, ry in (
        (33, 37, 5.5, 4.5),
        (52, 28, 4.5, 3.2),
        (67, 40, 6, 4.6),
        (22, 49, 2.6, 2.6),
        (46, 47, 3, 2.4),
        (78, 52, 2.2, 2.2),
    ):
        flat(p, ellipse(x, y, rx, ry), c.detail)
    return Face(QPointF(44, 70), QPointF(56, 70), 2.8, QPointF(50, 77), 5, QPointF(50, 20.5), 22)

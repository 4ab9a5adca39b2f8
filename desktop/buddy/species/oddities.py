"""The soft and shelled ones: blob, ghost, octopus, snail and turtle."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter, QPainterPath

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


def blob(p: QPainter, c: Palette, pose: Pose) -> Face:
    wobble = 1.8 * math.sin(pose.phase * 2.4)
    path = QPainterPath(QPointF(14, 86))
    path.cubicTo(QPointF(10, 58), QPointF(28 + wobble, 29), QPointF(50 + wobble, 29))
    path.cubicTo(QPointF(72 + wobble, 29), QPointF(90, 58), QPointF(86, 86))
    path.quadTo(QPointF(86, 90), QPointF(80, 90))
    path.lineTo(QPointF(20, 90))
    path.quadTo(QPointF(14, 90), QPointF(14, 86))
    draw(p, path, alpha(c.body, 235), c.line)
    flat(p, ellipse(50, 80, 26, 7), alpha(c.accent, 70))
    flat(p, turned(ellipse(34, 43, 6.5, 3.6), -35, 34, 43), alpha(c.detail, 200))
    flat(p, ellipse(27, 52, 1.8), alpha(c.detail, 170))
    for x, r in ((68, 2.6), (74, 1.6), (63, 1.3)):
        stroke(p, ellipse(x, 74 - r * 3, r), alpha(c.detail, 150), 0.9)
    draw(p, ellipse(31, 91, 3.2, 2.4), alpha(c.body, 235), c.line, 1.4)
    return Face(
        QPointF(41, 57), QPointF(59, 57), 3.8, QPointF(50, 67), 7, QPointF(50 + wobble, 30), 26
    )


def ghost(p: QPainter, c: Palette, pose: Pose) -> Face:
    p.translate(0, -3 - 2 * math.sin(pose.phase * 2))  # it floats
    wave = pose.phase * 3
    for x, sign in ((22, 1), (78, -1)):
        draw(
            p,
            turned(ellipse(x, 60, 5.5, 3.6), sign * (-30 - 20 * pose.ears), x, 60),
            alpha(c.body, 235),
            c.line,
        )
    path = QPainterPath(QPointF(24, 84))
    path.lineTo(QPointF(24, 50))
    path.arcTo(QRectF(24, 24, 52, 52), 180, -180)
    path.lineTo(QPointF(76, 84))
    bumps = 4
    for i in range(bumps):
        x0 = 76 - i * 13
        lift = 2.5 * math.sin(wave + i * 1.7)
        path.quadTo(QPointF(x0 - 3.25, 92 + lift), QPointF(x0 - 6.5, 86))
        path.quadTo(QPointF(x0 - 9.75, 80 - lift), QPointF(x0 - 13, 84))
    path.closeSubpath()
    draw(p, path, alpha(c.body, 238), c.line)
    flat(p, turned(ellipse(35, 36, 5, 2.8), -40, 35, 36), alpha(c.belly, 220))
    return Face(QPointF(42, 50), QPointF(58, 50), 3.8, QPointF(50, 60), 6, QPointF(50, 25), 24)


def octopus(p: QPainter, c: Palette, pose: Pose) -> Face:
    for i in range(6):
        bx = 31 + i * 7.6
        side = -1 if i < 3 else 1
        wave = 2.2 * math.sin(pose.phase * 3 + i * 1.3)
        tip = (bx + side * (9 + abs(i - 2.5) * 1.5), 83 + wave * 0.4)
        pts = [(bx, 62), (bx + wave * 0.6, 74), (bx + side * 3, 86), tip]
        path = curve(pts)
        stroke(p, path, c.line, 8.6)
        stroke(p, path, c.body, 5.4)
        flat(p, ellipse(bx + side * 2.2 + wave * 0.3, 80, 1.2), c.detail)
    draw(p, ellipse(50, 47, 26, 24), c.body, c.line)
    for x, y, r in ((37, 33, 3.2), (59, 29, 2.2), (66, 39, 2.7), (30, 45, 1.7)):
        flat(p, ellipse(x, y, r), alpha(c.accent, 150))
    flat(p, turned(ellipse(38, 28, 5, 2.6), -35, 38, 28), alpha(c.detail, 190))
    return Face(QPointF(41, 50), QPointF(59, 50), 4.0, QPointF(50, 60), 6, QPointF(50, 24), 26)


def snail(p: QPainter, c: Palette, pose: Pose) -> Face:
    up = max(pose.ears, 0.0) * 5 - max(-pose.ears, 0.0) * 4
    tips = (QPointF(14, 33 - up), QPointF(31, 31 - up))
    for base, tip in zip((QPointF(20, 54), QPointF(27, 54)), tips, strict=True):
        stalk = curve([(base.x(), base.y()), (tip.x(), tip.y())])
        stroke(p, stalk, c.line, 4.6)
        stroke(p, stalk, c.body, 2.4)
    body = rounded(8, 76, 78, 13.5, 6.7).united(rounded(12, 50, 23, 36, 11.5))
    draw(p, body, c.body, c.line)
    flat(p, rounded(40, 83, 40, 3, 1.5), alpha(c.belly, 200))
    draw(p, ellipse(60, 60, 22), c.accent, c.line)
    spiral = QPainterPath(QPointF(60, 60))
    for step in range(1, 80):
        a = step * 0.2  # about two and a half turns, out to 17 units
        r = 1.08 * a
        spiral.lineTo(QPointF(60 + r * math.cos(a), 60 + r * math.sin(a)))
    stroke(p, spiral, c.detail, 2.0)
    flat(p, turned(ellipse(50, 46, 5, 2.6), -40, 50, 46), alpha(c.belly, 170))
    for tip in tips:
        draw(p, ellipse(tip.x(), tip.y(), 4.6), c.belly.lighter(108), c.line, 1.4)
    flat(p, ellipse(17, 66, 2.6, 1.5), alpha(c.accent, 90))
    flat(p, ellipse(30, 66, 2.6, 1.5), alpha(c.accent, 90))
    return Face(tips[0], tips[1], 3.0, QPointF(23.5, 68), 5, QPointF(60, 38.5), 20, 10, blush=False)


def turtle(p: QPainter, c: Palette, pose: Pose) -> Face:
    for x in (34, 72):
        draw(p, ellipse(x, 86, 6.5, 5), c.body, c.line)
    draw(p, polygon([(84, 78), (93, 82), (84, 84)]), c.body, c.line, 1.4)
    draw(p, ellipse(30, 70, 8, 6.5), c.body, c.line)
    shell = QPainterPath(QPointF(26, 80))
    shell.cubicTo(QPointF(26, 42), QPointF(88, 42), QPointF(88, 80))
    shell.closeSubpath()
    draw(p, shell, c.accent, c.line)
    hexagon = [
        (57 + 8 * math.cos(a * math.pi / 3), 66 + 8 * math.sin(a * math.pi / 3)) for a in range(6)
    ]
    draw(p, polygon(hexagon), c.accent.lighter(112), c.detail, 1.4)
    for x0, x1 in ((49, 38), (65, 76)):
        stroke(p, curve([(x0, 66), (x1, 70)]), c.detail, 1.4)
        stroke(
            p,
            curve([(x0 + (4 if x0 < 57 else -4), 59), (x1 + (3 if x0 < 57 else -3), 52)]),
            c.detail,
            1.4,
        )
    draw(p, rounded(22, 76, 70, 8, 4), c.belly, c.line)
    lift = max(pose.ears, 0.0) * 2  # the head stretches up to listen
    draw(p, ellipse(24, 60 - lift, 12.5, 12), c.body, c.line)
    return Face(
        QPointF(19, 58 - lift),
        QPointF(29.5, 58 - lift),
        2.8,
        QPointF(24, 65.5 - lift),
        5,
        QPointF(24, 48 - lift),
        16,
        -8,
    )

"""The furry and scaly ones: cat, rabbit, capybara, chonk, axolotl and dragon.

Ears (and gills, and wings) follow ``pose.ears``: pricked up when listening, drooping
when worried.
"""

from __future__ import annotations

import math

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
    rounded,
    stroke,
    turned,
)


def _up(pose: Pose) -> float:
    return max(pose.ears, 0.0)


def _droop(pose: Pose) -> float:
    return max(-pose.ears, 0.0)


def _tube(p: QPainter, points: list[tuple[float, float]], fill, line, width: float) -> None:
    """A round-ended tube along ``points``: an outline stroke under a fill stroke."""
    path = curve(points)
    stroke(p, path, line, width + 3.2)
    stroke(p, path, fill, width)


def cat(p: QPainter, c: Palette, pose: Pose) -> Face:
    wag = 3 * math.sin(pose.phase * 2.2)
    _tube(p, [(64, 84), (82, 82), (88, 68), (84 + wag, 56)], c.body, c.line, 5)
    draw(p, ellipse(50, 75, 21, 15), c.body, c.line)
    flat(p, ellipse(50, 79, 11, 9), c.belly)
    for x in (42, 58):
        draw(p, ellipse(x, 88, 5.5, 3), c.belly, c.line, 1.4)
    up, droop = _up(pose), _droop(pose)
    for sign in (-1, 1):
        tip = (50 + sign * (20 + 5 * droop), 20 - 6 * up + 13 * droop)
        base = [(50 + sign * 19, 46), (50 + sign * 7, 34)]
        draw(p, polygon([base[0], tip, base[1]]), c.body, c.line)
        inner = [(50 + sign * 16, 41), (tip[0] - sign * 2, tip[1] + 6), (50 + sign * 10, 36)]
        flat(p, polygon(inner), c.accent)
    draw(p, ellipse(50, 50, 22, 18), c.body, c.line)
    for x0, x1 in ((50, 50), (44.5, 45.5), (55.5, 54.5)):
        stroke(p, curve([(x0, 33.5), (x1, 38.5)]), c.detail, 1.8)
    flat(p, polygon([(47.6, 55), (52.4, 55), (50, 57.6)]), c.accent.darker(120))
    for sign in (-1, 1):
        for dy in (-2.5, 1, 4.5):
            whisker = curve([(50 + sign * 13, 56 + dy / 3), (50 + sign * 24, 55 + dy)])
            stroke(p, whisker, alpha(c.line, 150), 0.9)
    return Face(QPointF(41, 49), QPointF(59, 49), 3.4, QPointF(50, 60), 6, QPointF(50, 33))


def rabbit(p: QPainter, c: Palette, pose: Pose) -> Face:
    up, droop = _up(pose), _droop(pose)
    for sign in (-1, 1):
        angle = sign * (12 - 8 * up + 32 * droop)
        cx = 50 + sign * 8
        draw(p, turned(ellipse(cx, 22 - 3 * up, 6, 16 + 2 * up), angle, cx, 38), c.body, c.line)
        flat(p, turned(ellipse(cx, 24 - 3 * up, 3, 11.5 + 2 * up), angle, cx, 38), c.accent)
    draw(p, ellipse(71, 80, 6.5), c.belly, c.line, 1.4)
    draw(p, ellipse(50, 76, 20, 14), c.body, c.line)
    for x in (39, 61):
        draw(p, ellipse(x, 88, 7.5, 3), c.body, c.line, 1.4)
    draw(p, ellipse(50, 51, 19.5, 16.5), c.body, c.line)
    flat(p, ellipse(50, 55.2, 2.4, 1.7), c.accent.darker(115))
    for sign in (-1, 1):
        for dy in (-1.5, 1.8):
            stroke(
                p, curve([(50 + sign * 7, 57), (50 + sign * 17, 56 + dy)]), alpha(c.line, 120), 0.8
            )
    return Face(QPointF(43, 49), QPointF(57, 49), 3.2, QPointF(50, 59), 5, QPointF(50, 35), 18)


def capybara(p: QPainter, c: Palette, pose: Pose) -> Face:
    draw(p, rounded(22, 56, 56, 34, 16), c.body, c.line)
    for x in (33, 59):
        draw(p, rounded(x, 81, 8, 9, 3.5), c.body.darker(112), c.line, 1.4)
    lift = _up(pose) * 2.5 - _droop(pose) * 2
    for x in (31, 69):
        draw(p, ellipse(x, 33 - lift, 4.8, 4.2), c.body.darker(110), c.line)
        flat(p, ellipse(x, 33.5 - lift, 2.2, 1.8), c.accent)
    draw(p, rounded(26.5, 28, 47, 37, 17), c.body, c.line)
    draw(p, rounded(35, 47, 30, 17, 8.5), c.belly, alpha(c.line, 140), 1.2)
    for x in (45, 55):
        flat(p, ellipse(x, 52.5, 1.5, 2.1), c.accent)
    stroke(p, curve([(38, 36), (42, 34.5), (46, 36)]), alpha(c.accent, 120), 1.2)
    stroke(p, curve([(54, 36), (58, 34.5), (62, 36)]), alpha(c.accent, 120), 1.2)
    return Face(QPointF(39, 42), QPointF(61, 42), 2.8, QPointF(50, 58.5), 5, QPointF(50, 28.5), 26)


def chonk(p: QPainter, c: Palette, pose: Pose) -> Face:
    lift = _up(pose) * 3 - _droop(pose) * 2
    for x in (29, 71):
        draw(p, ellipse(x, 42 - lift, 6.5), c.body, c.line)
        flat(p, ellipse(x, 42.5 - lift, 3.4), c.accent)
    for x in (35, 65):
        draw(p, ellipse(x, 88.5, 7.5, 3), c.body.darker(105), c.line, 1.4)
    draw(p, ellipse(50, 64, 33, 26), c.body, c.line)
    flat(p, ellipse(50, 73, 20, 15.5), c.belly)
    flat(p, ellipse(50, 41.5, 6, 2.6), alpha(c.detail, 170))
    for x, sign in ((21, 1), (79, -1)):
        draw(p, turned(ellipse(x, 67, 4, 6.5), sign * -25, x, 67), c.body, c.line, 1.4)
    return Face(QPointF(40, 52), QPointF(60, 52), 3.0, QPointF(50, 58.5), 5, QPointF(50, 38.5), 22)


def axolotl(p: QPainter, c: Palette, pose: Pose) -> Face:
    sway = 4 * math.sin(pose.phase * 1.8)
    draw(p, turned(ellipse(73, 79, 13, 5.5), -25 + sway, 64, 82), c.belly, c.line)
    draw(p, ellipse(50, 77, 17, 12), c.body, c.line)
    for x in (38, 62):
        draw(p, ellipse(x, 88.5, 4.5, 2.6), c.body, c.line, 1.4)
    spread = 10 * pose.ears
    for sign in (-1, 1):
        for i, base in enumerate((-32, 0, 32)):
            angle = sign * (base + spread * (i - 1))
            cx, cy = 50 + sign * 27, 40 + i * 9
            frond = turned(ellipse(cx, cy, 8, 2.8), angle, 50 + sign * 21, 41 + i * 8)
            draw(p, frond, c.accent, c.line, 1.4)
    draw(p, ellipse(50, 50, 25, 17), c.body, c.line)
    flat(p, ellipse(50, 58, 13, 5), alpha(c.belly, 150))
    return Face(QPointF(38, 49), QPointF(62, 49), 3.0, QPointF(50, 56.5), 11, QPointF(50, 33.5), 22)


def dragon(p: QPainter, c: Palette, pose: Pose) -> Face:
    wag = 2.5 * math.sin(pose.phase * 2)
    _tube(p, [(62, 84), (80, 84), (89, 74), (88 + wag, 64)], c.body, c.line, 5)
    draw(
        p,
        polygon([(84 + wag, 62), (88 + wag, 55), (93 + wag, 62), (88 + wag, 66)]),
        c.detail,
        c.line,
        1.4,
    )
    flap = -8 * pose.ears
    for sign in (-1, 1):
        pts = [
            (50 + sign * x, y)
            for x, y in ((14, 62), (36, 44), (33, 54), (40, 56), (30, 64), (34, 68), (20, 72))
        ]
        draw(p, turned(polygon(pts), sign * flap, 50 + sign * 14, 62), c.detail, c.line, 1.4)
    draw(p, ellipse(50, 74, 20, 16), c.body, c.line)
    flat(p, ellipse(50, 77, 12, 11), c.belly)
    for y in (72, 77, 82):
        stroke(p, curve([(43, y), (50, y + 1.2), (57, y)]), alpha(c.detail, 110), 1.0)
    for x in (41, 59):
        draw(p, ellipse(x, 89, 6, 2.6), c.body, c.line, 1.4)
    for sign in (-1, 1):
        horn = [(50 + sign * 9, 35), (50 + sign * 16, 20 - 3 * _up(pose)), (50 + sign * 16, 37)]
        draw(p, polygon(horn), c.accent, c.line, 1.4)
    draw(p, ellipse(50, 47, 20, 16), c.body, c.line)
    draw(p, ellipse(50, 55, 10, 6), c.belly, alpha(c.line, 140), 1.2)
    for x in (47, 53):
        flat(p, ellipse(x, 53.5, 1.2, 0.9), c.line)
    return Face(QPointF(42, 45), QPointF(58, 45), 3.2, QPointF(50, 58.5), 6, QPointF(50, 31.5), 22)

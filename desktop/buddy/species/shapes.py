"""Drawing helpers shared by the species, and the Face a species hands back.

Species draw in a 100 x 100 box with the ground at y = 90. Each returns a ``Face``: where
its eyes, mouth and hat go, so eyes, mouths and hats are drawn the same way for all.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPainterPath, QPen, QTransform

OUTLINE = 1.8
GROUND = 90.0


@dataclass(frozen=True)
class Face:
    left: QPointF
    right: QPointF
    eye: float = 3.2  # eye radius
    mouth: QPointF | None = None  # None: the species draws its own (beak, screen)
    mouth_w: float = 6.0
    hat: QPointF = field(
        default_factory=lambda: QPointF(50, 30)
    )  # the middle of the top of the head
    hat_w: float = 24.0
    hat_tilt: float = 0.0
    blush: bool = True
    glow: QColor | None = None  # eyes that shine (a robot's screen) instead of ink


def pen(colour: QColor, width: float = OUTLINE) -> QPen:
    p = QPen(colour, width)
    p.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return p


def shaded(colour: QColor, rect: QRectF) -> QLinearGradient:
    """Lighter at the top, a touch darker below: a cheap sense of volume."""
    g = QLinearGradient(rect.topLeft(), rect.bottomLeft())
    g.setColorAt(0.0, colour.lighter(112))
    g.setColorAt(1.0, colour.darker(108))
    return g


def draw(
    p: QPainter, path: QPainterPath, colour: QColor, line: QColor | None, width: float = OUTLINE
) -> None:
    """Fill ``path`` with a shaded ``colour`` and outline it (no outline when ``line`` is None)."""
    p.setPen(pen(line, width) if line is not None else Qt.PenStyle.NoPen)
    p.setBrush(shaded(colour, path.boundingRect()))
    p.drawPath(path)


def flat(p: QPainter, path: QPainterPath, colour: QColor) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawPath(path)


def stroke(p: QPainter, path: QPainterPath, colour: QColor, width: float = OUTLINE) -> None:
    p.setPen(pen(colour, width))
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawPath(path)


def ellipse(cx: float, cy: float, rx: float, ry: float | None = None) -> QPainterPath:
    path = QPainterPath()
    path.addEllipse(QPointF(cx, cy), rx, rx if ry is None else ry)
    return path


def rounded(x: float, y: float, w: float, h: float, r: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(QRectF(x, y, w, h), r, r)
    return path


def polygon(points: Sequence[tuple[float, float]]) -> QPainterPath:
    path = QPainterPath(QPointF(*points[0]))
    for pt in points[1:]:
        path.lineTo(QPointF(*pt))
    path.closeSubpath()
    return path


def curve(points: Sequence[tuple[float, float]]) -> QPainterPath:
    """An open smooth line through ``points`` (quadratic curves between midpoints)."""
    path = QPainterPath(QPointF(*points[0]))
    for (x0, y0), (x1, y1) in itertools.pairwise(points[1:]):
        path.quadTo(QPointF(x0, y0), QPointF((x0 + x1) / 2, (y0 + y1) / 2))
    path.lineTo(QPointF(*points[-1]))
    return path


def turned(path: QPainterPath, degrees: float, cx: float, cy: float) -> QPainterPath:
    """``path`` rotated by ``degrees`` about (cx, cy)."""
    t = QTransform().translate(cx, cy).rotate(degrees).translate(-cx, -cy)
    return t.map(path)


def star(cx: float, cy: float, outer: float, inner: float, points: int = 5) -> QPainterPath:
    pts = []
    for i in range(points * 2):
        r = outer if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / points
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return polygon(pts)


def alpha(colour: QColor, a: int) -> QColor:
    c = QColor(colour)
    c.setAlpha(a)
    return c

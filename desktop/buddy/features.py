"""What every face shares: eyes (six kinds, several expressions), a mouth and blush.

    draw_eyes(p, face, kind, expression, ink)   dot, bright, star, ring, sleepy, pixel;
                                                open, closed, happy, wide, up, down, worried
    draw_mouth(p, face, pose, ink)              smile, grin, open, o, flat, wobble
    draw_blush(p, face, strong)

A face that glows (a robot's screen) draws eyes and mouth in light instead of ink.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPainterPath

from desktop.buddy.palette import BLUSH
from desktop.buddy.pose import Pose
from desktop.buddy.species.shapes import (
    Face,
    alpha,
    curve,
    draw,
    ellipse,
    flat,
    rounded,
    star,
    stroke,
)

WHITE = QColor("#ffffff")
MOUTH = QColor("#7a2a36")
TONGUE = QColor("#ff8fa3")

LOOK: dict[str, tuple[float, float]] = {"up": (0.35, -0.4), "down": (0.0, 0.35)}
EYE_SCALE: dict[str, float] = {"wide": 1.18, "worried": 0.92}


def draw_eyes(p: QPainter, face: Face, kind: str, expression: str, ink: QColor) -> None:
    colour = face.glow or ink
    r = face.eye
    for sign, centre in ((-1, face.left), (1, face.right)):
        x, y = centre.x(), centre.y()
        if expression == "closed":
            stroke(p, curve([(x - r, y), (x, y + r * 0.55), (x + r, y)]), colour, r * 0.5)
            continue
        if expression == "happy":
            stroke(
                p,
                curve([(x - r, y + r * 0.4), (x, y - r * 0.9), (x + r, y + r * 0.4)]),
                colour,
                r * 0.5,
            )
            continue
        dx, dy = LOOK.get(expression, (0.0, 0.0))
        _eye(p, kind, x, y, r * EYE_SCALE.get(expression, 1.0), dx * r, dy * r, colour, face)
        if expression == "worried":  # brows raised towards the middle
            inner, outer = x - sign * r * 0.9, x + sign * r * 1.1
            brow = curve([(outer, y - r * 1.55), (inner, y - r * 2.35)])
            stroke(p, brow, colour, r * 0.38)


def _eye(
    p: QPainter,
    kind: str,
    x: float,
    y: float,
    r: float,
    dx: float,
    dy: float,
    ink: QColor,
    face: Face,
) -> None:
    shine = face.glow is None
    x, y = x + dx * 0.6, y + dy * 0.6
    if kind == "bright":
        flat(p, ellipse(x, y, r * 1.05, r * 1.25), ink)
        if shine:
            flat(p, ellipse(x - r * 0.32, y - r * 0.42, r * 0.42), WHITE)
            flat(p, ellipse(x + r * 0.38, y + r * 0.45, r * 0.18), WHITE)
    elif kind == "star":
        flat(p, star(x, y, r * 1.4, r * 0.62), ink)
        if shine:
            flat(p, ellipse(x - r * 0.2, y - r * 0.25, r * 0.22), WHITE)
    elif kind == "ring":
        sclera = WHITE if shine else alpha(ink, 40)
        draw(p, ellipse(x, y, r * 1.35), sclera, ink, r * 0.3)
        flat(p, ellipse(x + dx * 0.8, y + dy * 0.8, r * 0.62), ink)
        if shine:
            flat(p, ellipse(x + dx * 0.8 - r * 0.2, y + dy * 0.8 - r * 0.25, r * 0.2), WHITE)
    elif kind == "sleepy":
        lower = QPainterPath(QPointF(x - r, y - r * 0.1))
        lower.arcTo(QRectF(x - r, y - r * 1.1, 2 * r, 2 * r), 180, 180)
        lower.closeSubpath()
        flat(p, lower, ink)
        stroke(p, curve([(x - r * 1.2, y - r * 0.2), (x + r * 1.2, y - r * 0.2)]), ink, r * 0.4)
    elif kind == "pixel":
        side = r * 1.7
        flat(p, rounded(x - side / 2, y - side / 2, side, side, r * 0.25), ink)
        if shine:
            flat(
                p,
                rounded(x - side / 2 + r * 0.25, y - side / 2 + r * 0.25, r * 0.5, r * 0.5, 0.3),
                WHITE,
            )
    else:  # dot
        flat(p, ellipse(x, y, r * 0.78, r * 0.98), ink)
        if shine:
            flat(p, ellipse(x - r * 0.25, y - r * 0.38, r * 0.3), WHITE)


def draw_mouth(p: QPainter, face: Face, pose: Pose, ink: QColor) -> None:
    if face.mouth is None:
        return
    colour = face.glow or ink
    x, y, w = face.mouth.x(), face.mouth.y(), face.mouth_w
    thin = max(1.1, w * 0.2)
    if pose.mouth == "grin":
        grin = QPainterPath(QPointF(x - w * 0.55, y - 0.6))
        grin.quadTo(QPointF(x, y + w * 0.95), QPointF(x + w * 0.55, y - 0.6))
        grin.closeSubpath()
        draw(p, grin, MOUTH if face.glow is None else alpha(colour, 90), colour, thin * 0.9)
        if face.glow is None:
            flat(p, ellipse(x, y + w * 0.3, w * 0.22, w * 0.13), TONGUE)
    elif pose.mouth == "open":
        h = 0.6 + w * 0.38 * pose.mouth_open
        draw(
            p,
            ellipse(x, y + h * 0.5, w * 0.3, h),
            MOUTH if face.glow is None else colour,
            colour,
            thin * 0.8,
        )
    elif pose.mouth == "o":
        draw(
            p,
            ellipse(x, y + 0.6, w * 0.17, w * 0.22),
            MOUTH if face.glow is None else colour,
            colour,
            thin * 0.8,
        )
    elif pose.mouth == "flat":
        stroke(p, curve([(x - w * 0.3, y + 0.8), (x + w * 0.3, y + 0.8)]), colour, thin)
    elif pose.mouth == "wobble":
        pts = [(x - w * 0.45 + i * w * 0.15, y + 0.8 + (0.7 if i % 2 else -0.3)) for i in range(7)]
        stroke(p, curve(pts), colour, thin)
    else:  # smile
        stroke(p, curve([(x - w / 2, y), (x, y + w * 0.42), (x + w / 2, y)]), colour, thin)


def draw_blush(p: QPainter, face: Face, strong: bool) -> None:
    if not face.blush:
        return
    r = face.eye
    colour = alpha(BLUSH, 150 if strong else BLUSH.alpha())
    for sign, centre in ((-1, face.left), (1, face.right)):
        flat(
            p, ellipse(centre.x() + sign * r * 0.9, centre.y() + r * 2.1, r * 1.25, r * 0.7), colour
        )

"""The speech bubble: a short line beside the pet that fades after a few seconds.

    place(size, pet, area, avoid) -> (rect, side) | None   where a bubble may go
    Bubble.say(text, pet_rect, area) -> bool                shown (False: nowhere to go)

It never covers a permission dialog: the window passes a function returning the rects
to keep clear (dialogs the app names, the active modal widget); the bubble tries above,
left, right and below the pet, and stays hidden when every place overlaps. It checks
again on every tick, so a dialog that opens after the bubble makes it vanish at once.
It takes no input and never takes focus.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget

from desktop.floating import make_floating

TAIL = 9  # room on every side for the tail that points at the pet
PAD_X, PAD_Y = 11, 7
MAX_TEXT = 180
GAP = 2
FADE = 0.6
TICK_MS = 40

BORDER = QColor("#c3cbd6")
FILL = QColor(255, 255, 255, 246)
TEXT = QColor("#2a2f3a")


def place(size: QSize, pet: QRect, area: QRect, avoid: Sequence[QRect]) -> tuple[QRect, str] | None:
    """The first of above, left, right, below that fits ``area`` and misses ``avoid``."""
    w, h = size.width(), size.height()
    cx, cy = pet.center().x(), pet.center().y()
    tries = {
        "above": QRect(cx - w // 2, pet.top() - h + GAP + 12, w, h),
        "left": QRect(pet.left() - w + GAP + 10, cy - h // 2 - 16, w, h),
        "right": QRect(pet.right() - GAP - 10, cy - h // 2 - 16, w, h),
        "below": QRect(cx - w // 2, pet.bottom() - GAP, w, h),
    }
    for side, rect in tries.items():
        if side in ("above", "below"):  # slide along the edge to stay on screen
            rect.moveLeft(max(area.left(), min(rect.left(), area.right() - w + 1)))
        else:
            rect.moveTop(max(area.top(), min(rect.top(), area.bottom() - h + 1)))
        if area.contains(rect) and not any(rect.intersects(a) for a in avoid):
            return rect, side
    return None


class Bubble(QWidget):
    def __init__(
        self,
        avoid: Callable[[], Sequence[QRect]] = list,
        *,
        hold: float = 3.2,
        clock: Callable[[], float] = time.monotonic,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        make_floating(self, click_through=True)
        self.setWindowTitle("Harken buddy says")
        self._avoid = avoid
        self._hold = hold
        self._clock = clock
        self._font = QFont()
        self._font.setPixelSize(13)
        self.text = ""
        self.side = "above"
        self._pet = QRect()
        self._shown_at = 0.0
        self._opacity = 1.0
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    def say(self, text: str, pet: QRect, area: QRect) -> bool:
        """Show ``text`` next to ``pet`` within ``area``; False when there is no room."""
        metrics = QFontMetrics(self._font)
        box = metrics.boundingRect(QRect(0, 0, MAX_TEXT, 200), Qt.TextFlag.TextWordWrap, text)
        size = QSize(box.width() + 2 * (PAD_X + TAIL), box.height() + 2 * (PAD_Y + TAIL))
        spot = place(size, pet, area, self._avoid())
        if spot is None:
            self.hide()
            return False
        rect, self.side = spot
        self.text, self._pet = text, QRect(pet)
        self.setGeometry(rect)
        self._shown_at = self._clock()
        self._opacity = 1.0
        self.show()
        self.raise_()
        self._timer.start()
        self.update()
        return True

    def _tick(self) -> None:
        shown_for = self._clock() - self._shown_at
        hold = self._hold + 0.04 * len(self.text)
        blocked = any(self.geometry().intersects(a) for a in self._avoid())
        if blocked or shown_for >= hold + FADE:
            self._timer.stop()
            self.hide()
            return
        self._opacity = 1.0 if shown_for < hold else 1.0 - (shown_for - hold) / FADE
        self.update()

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setOpacity(max(0.0, self._opacity))
        body = QRectF(self.rect()).adjusted(TAIL, TAIL, -TAIL, -TAIL)
        shape = QPainterPath()
        shape.addRoundedRect(body, 10, 10)
        shape = shape.united(self._tail(body)).simplified()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(0, 0, 0, 28))
        p.drawPath(shape.translated(0, 2))
        p.setPen(QPen(BORDER, 1.2))
        p.setBrush(FILL)
        p.drawPath(shape)
        p.setPen(TEXT)
        p.setFont(self._font)
        text_box = body.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y)
        p.drawText(text_box, Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignCenter, self.text)
        p.end()

    def _tail(self, body: QRectF) -> QPainterPath:
        """A small triangle from the body towards the pet's head."""
        target = QPointF(self.mapFromGlobal(self._pet.center()))
        if self.side in ("above", "below"):
            x = max(body.left() + 16, min(target.x(), body.right() - 16))
            edge = body.bottom() if self.side == "above" else body.top()
            tip = edge + (TAIL if self.side == "above" else -TAIL)
            pts = [QPointF(x - 6, edge - 1), QPointF(x + 2, tip), QPointF(x + 6, edge - 1)]
        else:
            y = max(body.top() + 12, min(target.y(), body.bottom() - 12))
            edge = body.right() if self.side == "left" else body.left()
            tip = edge + (TAIL if self.side == "left" else -TAIL)
            pts = [QPointF(edge, y - 6), QPointF(tip, y + 2), QPointF(edge, y + 6)]
        path = QPainterPath(pts[0])
        for pt in pts[1:]:
            path.lineTo(pt)
        path.closeSubpath()
        return path

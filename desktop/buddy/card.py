"""The pet's card, shown when it is clicked: name, species, rarity stars and stats.

    paint_card(p, width, height, buddy, name)   draw the card (used by the widget, tests)
    Card.show_beside(pet_rect, area)             pop up beside the pet; a click closes it

The rarity colour runs through it: the top stripe, the stars and the bars. The peak stat
is marked ▲ and the dump stat ▼.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QWidget

from agent.buddy.bones import STAT_LABELS, STATS, Buddy
from desktop.buddy.painter import render_pet
from desktop.buddy.palette import rarity_colour
from desktop.floating import make_floating

WIDTH, HEIGHT = 264, 250
SHADOW = 10
PORTRAIT = 72
CLOSE_AFTER_MS = 12_000

PAPER = QColor("#fdfdfe")
EDGE = QColor("#d5dbe3")
INK = QColor("#20242c")
MUTED = QColor("#6b7483")
TRACK = QColor("#e8ecf1")
LOW = QColor("#a3acb9")


def _font(px: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(px)
    font.setBold(bold)
    return font


def paint_card(p: QPainter, width: int, height: int, buddy: Buddy, name: str) -> None:
    p.save()
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    tint = rarity_colour(buddy.rarity)
    card = QRectF(SHADOW, SHADOW - 3, width - 2 * SHADOW, height - 2 * SHADOW)
    for i in range(SHADOW, 0, -2):  # a soft shadow from a few widening, fainter outlines
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(20, 30, 50, 7))
        p.drawRoundedRect(card.adjusted(-i / 2, -i / 2 + 3, i / 2, i / 2 + 3), 16, 16)
    outline = QPainterPath()
    outline.addRoundedRect(card, 14, 14)
    p.setPen(QPen(EDGE, 1))
    p.setBrush(PAPER)
    p.drawPath(outline)
    p.save()
    p.setClipPath(outline)
    p.fillRect(QRectF(card.left(), card.top(), card.width(), 6), tint)
    p.restore()

    left, top = card.left() + 14, card.top() + 16
    plate = QRectF(left, top, PORTRAIT, PORTRAIT)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(tint.red(), tint.green(), tint.blue(), 34))
    p.drawRoundedRect(plate, 12, 12)
    p.drawImage(plate.topLeft(), render_pet(buddy, "idle", size=PORTRAIT, clock=0.5))

    text_x = plate.right() + 12
    text_w = card.right() - 14 - text_x
    p.setPen(INK)
    p.setFont(_font(17, bold=True))
    p.drawText(QRectF(text_x, top, text_w, 22), Qt.AlignmentFlag.AlignLeft, _fit(p, name, text_w))
    p.setPen(MUTED)
    p.setFont(_font(12))
    kind = buddy.species.capitalize() + ("  ✦ shiny" if buddy.shiny else "")
    p.drawText(QRectF(text_x, top + 24, text_w, 16), Qt.AlignmentFlag.AlignLeft, kind)
    p.setPen(tint.darker(115))
    p.setFont(_font(16))
    stars = "★" * buddy.stars + "☆" * (5 - buddy.stars)
    p.drawText(QRectF(text_x, top + 42, text_w, 20), Qt.AlignmentFlag.AlignLeft, stars)
    p.setFont(_font(10, bold=True))
    p.drawText(
        QRectF(text_x, top + 62, text_w, 14), Qt.AlignmentFlag.AlignLeft, buddy.rarity.upper()
    )

    row_y = plate.bottom() + 14
    bar_x, bar_w = left + 78, card.right() - 14 - 36 - (left + 78)
    peak, dump = buddy.stats.peak, buddy.stats.dump
    for i, stat in enumerate(STATS):
        y = row_y + i * 21
        value = getattr(buddy.stats, stat)
        mark = " ▲" if stat == peak else " ▼" if stat == dump else ""
        p.setPen(INK)
        p.setFont(_font(12, bold=stat == peak))
        p.drawText(QRectF(left, y, 78, 16), Qt.AlignmentFlag.AlignVCenter, STAT_LABELS[stat] + mark)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(TRACK)
        p.drawRoundedRect(QRectF(bar_x, y + 4, bar_w, 8), 4, 4)
        p.setBrush(LOW if stat == dump else tint)
        p.drawRoundedRect(QRectF(bar_x, y + 4, max(8.0, bar_w * value / 100), 8), 4, 4)
        p.setPen(INK)
        p.setFont(_font(12, bold=stat == peak))
        p.drawText(
            QRectF(bar_x + bar_w, y, 36, 16),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            str(value),
        )
    p.restore()


def _fit(p: QPainter, text: str, width: float) -> str:
    return p.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, int(width))


class Card(QWidget):
    """A small card window; never takes focus, closes on a click or by itself."""

    def __init__(self, buddy: Buddy, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        make_floating(self)
        self.setWindowTitle(f"{name} the {buddy.species}")
        self.setFixedSize(WIDTH, HEIGHT)
        self.buddy, self.name = buddy, name
        self._closer = QTimer(self)
        self._closer.setSingleShot(True)
        self._closer.timeout.connect(self.hide)

    def show_beside(self, pet: QRect, area: QRect) -> None:
        """Open next to the pet: on whichever side has room, kept on screen."""
        x = pet.left() - WIDTH + 8 if pet.left() - WIDTH >= area.left() else pet.right() - 8
        y = pet.bottom() - HEIGHT + 8
        x = max(area.left(), min(x, area.right() - WIDTH + 1))
        y = max(area.top(), min(y, area.bottom() - HEIGHT + 1))
        self.move(x, y)
        self.show()
        self.raise_()
        self._closer.start(CLOSE_AFTER_MS)

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        paint_card(p, self.width(), self.height(), self.buddy, self.name)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()

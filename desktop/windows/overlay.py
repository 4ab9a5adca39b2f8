"""The recording overlay: a small pill at the bottom centre of the screen.

What the app uses (all on the GUI thread):

    RecordingOverlay()                     build it (hidden)
    show_recording()                       "Listening" with a live level meter
    set_level(level)                       the microphone level, 0..1 (any rate; decays smoothly)
    show_warning(message)                  what went wrong while recording or transcribing,
                                           in amber under the state, until the next take
    show_transcribing()                    "Transcribing…"
    show_transcript(text, grace_seconds, notice="")   the words heard; see below
    cancel() / edit()                      Esc / E during the grace period (the app's keys:
                                           the overlay never takes focus); True if it applied
    hide_overlay()                         gone at once
    confirmed(str), cancelled(), edit_requested(str)   signals

With ``grace_seconds > 0`` the transcript counts down with "Esc cancel · E edit" hints and
emits ``confirmed`` when the time is up, unless ``cancel()`` or ``edit()`` came first.
With 0 it emits ``confirmed`` at once (queued) and fades out after ``SHOW_SENT_S``.
A ``notice`` (part of what was said is missing: where and why) is shown under the words.

Frameless, translucent, always on top and never focused (a tool window shown without
activation), so speaking never takes the keyboard away from what the person is doing.
Everything is painted with QPainter; a frame timer runs only while it is visible.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QGuiApplication, QPainter, QPen
from PySide6.QtWidgets import QWidget

from desktop.floating import make_floating
from desktop.windows.style import text_font

log = logging.getLogger(__name__)

FRAME_MS = 33
BARS = 32
DECAY_S = 0.18  # time constant of the meter's fall; rises are immediate
SHOW_SENT_S = 1.5
FADE_S = 0.25
BOTTOM_GAP = 56
SIZES = {"recording": (320, 56), "transcribing": (300, 56), "transcript": (480, 104)}
WARNING_HEIGHT = 64  # added below the state for a warning or notice (three lines)

PANEL = QColor(26, 28, 34, 236)
EDGE = QColor(255, 255, 255, 34)
INK = QColor(245, 246, 248)
DIM = QColor(245, 246, 248, 150)
RED = QColor("#ff4d4f")
GREEN = QColor("#51cf66")
AMBER = QColor("#ffc078")


class RecordingOverlay(QWidget):
    confirmed = Signal(str)
    cancelled = Signal()
    edit_requested = Signal(str)

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(None)
        make_floating(self)
        self.setWindowTitle("Harken — listening")
        self._clock = clock
        self.mode = "hidden"
        self.text = ""
        self.warning = ""  # shown under the state while recording or transcribing
        self.notice = ""  # shown under the transcript: what is missing from it
        self.level = 0.0  # what the meter shows now
        self._target = 0.0
        self._history: deque[float] = deque([0.0] * BARS, maxlen=BARS)
        self._since = clock()
        self._last_tick = clock()
        self._grace = 0.0
        self._fade_at: float | None = None
        self._frames = QTimer(self)
        self._frames.setInterval(FRAME_MS)
        self._frames.timeout.connect(self._tick)

    # ---- what the app calls ----

    def show_recording(self) -> None:
        self._history.extend([0.0] * BARS)
        self.level = self._target = 0.0
        self.warning = self.notice = ""
        self._enter("recording")

    def show_warning(self, message: str) -> None:
        """Something went wrong with the take (recording stopped, sound lost): said at once."""
        self.warning = message
        if self.mode in ("recording", "transcribing"):
            self._resize()
            self.update()

    def set_level(self, level: float) -> None:
        self._target = min(1.0, max(0.0, float(level)))
        self.level = max(self.level, self._target)  # rises at once

    def show_transcribing(self) -> None:
        self._enter("transcribing")

    def show_transcript(self, text: str, grace_seconds: float, notice: str = "") -> None:
        self.text = text
        self.notice = notice
        self._grace = max(0.0, float(grace_seconds))
        self._enter("transcript")
        if self._grace == 0:
            QTimer.singleShot(0, lambda: self.confirmed.emit(text))
            self._fade_at = self._since + SHOW_SENT_S

    @property
    def in_grace(self) -> bool:
        """Counting down: ``cancel()`` and ``edit()`` apply."""
        return self.mode == "transcript" and self._grace > 0 and self._fade_at is None

    def remaining(self) -> float:
        """Seconds left in the grace period (0 when there is none)."""
        if not self.in_grace:
            return 0.0
        return max(0.0, self._grace - (self._clock() - self._since))

    def cancel(self) -> bool:
        if not self.in_grace:
            return False
        # Cancelled on purpose; the words stay findable in the log.
        log.info("transcript cancelled during the grace period: %r", self.text)
        self.hide_overlay()
        self.cancelled.emit()
        return True

    def edit(self) -> bool:
        if not self.in_grace:
            return False
        text = self.text
        self.hide_overlay()
        self.edit_requested.emit(text)
        return True

    def hide_overlay(self) -> None:
        self.mode = "hidden"
        self._fade_at = None
        self._frames.stop()
        self.hide()

    def hint_text(self) -> str:
        """The line under the transcript, as shown."""
        if self.mode != "transcript":
            return ""
        if self.in_grace:
            return f"Sending in {math.ceil(self.remaining())} s   ·   Esc cancel · E edit"
        return "Sent"

    # ---- states and time ----

    def _enter(self, mode: str) -> None:
        self.mode = mode
        self._since = self._last_tick = self._clock()
        self._fade_at = None
        self._resize()
        self._place()
        self.setWindowOpacity(1.0)
        self.show()
        self._frames.start()
        self.update()

    def _resize(self) -> None:
        width, height = SIZES[self.mode]
        said = self.notice if self.mode == "transcript" else self.warning
        if said and self.mode == "recording":
            width, height = SIZES["transcript"][0], WARNING_HEIGHT + 20  # in place of the meter
        elif said:
            width, height = max(width, SIZES["transcript"][0]), height + WARNING_HEIGHT
        self.setFixedSize(width, height)
        self._place()

    def _place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.move(area.center().x() - self.width() // 2, area.bottom() - self.height() - BOTTOM_GAP)

    def _tick(self) -> None:
        now = self._clock()
        dt, self._last_tick = now - self._last_tick, now
        if self.mode == "recording":
            fall = 1 - math.exp(-max(0.0, dt) / DECAY_S)
            self.level += (self._target - self.level) * fall
            self._history.append(self.level)
        elif self.mode == "transcript":
            if self.in_grace and self.remaining() <= 0:
                self._fade_at = now  # the words are sent; fade out
                self.confirmed.emit(self.text)
            if self._fade_at is not None and now >= self._fade_at + FADE_S:
                self.hide_overlay()
                return
        self.update()

    def _opacity(self) -> float:
        if self._fade_at is None:
            return 1.0
        return max(0.0, min(1.0, 1 - (self._clock() - self._fade_at) / FADE_S))

    # ---- painting ----

    def paintEvent(self, _event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setOpacity(self._opacity())
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        radius = 18.0 if self.mode == "transcript" else box.height() / 2
        p.setPen(QPen(EDGE, 1))
        p.setBrush(PANEL)
        p.drawRoundedRect(box, radius, radius)
        if self.mode == "recording":
            self._paint_recording(p)
        elif self.mode == "transcribing":
            self._paint_transcribing(p)
        elif self.mode == "transcript":
            self._paint_transcript(p)
        said = self.notice if self.mode == "transcript" else self.warning
        if said and self.mode != "hidden":
            self._paint_warning(p, said)
        p.end()

    def _paint_warning(self, p: QPainter, message: str) -> None:
        pad = 20.0
        top = {"transcript": 78.0, "recording": 15.0}.get(self.mode, self.height() - WARNING_HEIGHT)
        if self.mode == "recording":
            pad = 46.0  # beside the red dot
        box = QRectF(pad, top, self.width() - pad - 20.0, WARNING_HEIGHT - 10)
        font = text_font(0.85)
        p.setFont(font)
        p.setPen(AMBER)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        p.drawText(box, flags, _lines(f"⚠ {message}", font, box.width(), 3))

    def _paint_recording(self, p: QPainter) -> None:
        t = self._clock() - self._since
        mid = self.height() / 2 if self.warning else SIZES["recording"][1] / 2
        p.setPen(Qt.PenStyle.NoPen)
        glow = QColor(RED)
        glow.setAlpha(int(70 + 50 * math.sin(t * 4)))
        p.setBrush(glow)
        p.drawEllipse(QPointF(28, mid), 9, 9)
        p.setBrush(RED)
        p.drawEllipse(QPointF(28, mid), 5.5, 5.5)
        if self.warning:
            return  # what went wrong takes the place of "Listening" and the meter
        p.setPen(INK)
        p.setFont(text_font(1.15, bold=True))
        p.drawText(QRectF(46, 0, 100, 2 * mid), Qt.AlignmentFlag.AlignVCenter, "Listening")
        left, right = 140.0, self.width() - 26.0
        step = (right - left) / BARS
        tallest = 2 * mid - 22
        for i, value in enumerate(self._history):
            h = max(3.0, min(1.0, value) * tallest)
            colour = QColor(INK)
            colour.setAlpha(int(90 + 165 * (i + 1) / BARS))  # older bars fade
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawRoundedRect(QRectF(left + i * step, mid - h / 2, step * 0.55, h), 1.5, 1.5)

    def _paint_transcribing(self, p: QPainter) -> None:
        t = self._clock() - self._since
        mid = SIZES["transcribing"][1] / 2
        p.setPen(Qt.PenStyle.NoPen)
        for i in range(3):
            lift = max(0.0, math.sin(t * 6 - i * 0.7)) * 5
            colour = QColor(INK)
            colour.setAlpha(120 + int(lift * 25))
            p.setBrush(colour)
            p.drawEllipse(QPointF(24 + i * 11, mid - lift), 3.5, 3.5)
        p.setPen(INK)
        p.setFont(text_font(1.15, bold=True))
        box = QRectF(66, 0, self.width() - 80, 2 * mid)
        p.drawText(box, Qt.AlignmentFlag.AlignVCenter, "Transcribing…")

    def _paint_transcript(self, p: QPainter) -> None:
        pad = 20.0
        width = self.width() - 2 * pad
        p.setPen(DIM)
        p.setFont(text_font(0.85, bold=True))
        p.drawText(QRectF(pad, 12, width, 16), Qt.AlignmentFlag.AlignLeft, "HEARD")
        font = text_font(1.15)
        p.setFont(font)
        p.setPen(INK)
        words = _two_lines(f"“{self.text}”", font, width)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        p.drawText(QRectF(pad, 30, width, 44), flags, words)
        bottom = self.height() - 14.0
        p.setFont(text_font(0.9))
        if self.in_grace:
            share = self.remaining() / self._grace
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(255, 255, 255, 40))
            p.drawRoundedRect(QRectF(pad, bottom - 22, width, 3), 1.5, 1.5)
            p.setBrush(INK)
            p.drawRoundedRect(QRectF(pad, bottom - 22, width * share, 3), 1.5, 1.5)
            p.setPen(DIM)
            left = f"Sending in {math.ceil(self.remaining())} s"
            p.drawText(QRectF(pad, bottom - 16, width, 16), Qt.AlignmentFlag.AlignLeft, left)
            hints = "Esc cancel  ·  E edit"
            p.drawText(QRectF(pad, bottom - 16, width, 16), Qt.AlignmentFlag.AlignRight, hints)
        else:
            p.setPen(GREEN)
            p.drawText(QRectF(pad, bottom - 16, width, 16), Qt.AlignmentFlag.AlignLeft, "✓ Sent")

    # ---- visibility ----

    def hideEvent(self, event: Any) -> None:
        self._frames.stop()
        super().hideEvent(event)


def _two_lines(text: str, font: QFont, width: float) -> str:
    """``text`` cut with "…" so it fits in about two lines of ``width``."""
    return _lines(text, font, width, 2)


def _lines(text: str, font: QFont, width: float, lines: int) -> str:
    """``text`` cut with "…" so it fits in about ``lines`` lines of ``width``."""
    metrics = QFontMetrics(font)
    return metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(width * lines - 40))

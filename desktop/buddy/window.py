"""The pet's own window: small, frameless, see-through, always on top, never focused.

What the tray app uses (all on the GUI thread):

    BuddyWindow(buddy, name)            build it (hidden)
    show_pet() / hide_pet()             from the tray menu; the spot is remembered
    set_name(name)                      after the person renames it
    on_event(event)                     every agent event (through the Qt signal bridge)
    set_listening(on) / set_speaking(on)  from the voice side: mic open, summary spoken
    set_avoid(rects)                    screen rects to keep the bubble off
    state_changed(str)                  a signal, when the mood's state changes
    visibility_changed(bool)            a signal, shown or hidden (also by its own menu)

Keeping clear of the permission dialog: the bubble avoids the rects given to
``set_avoid``, the application's active modal widget, and every visible top-level widget
whose ``buddy_avoid`` property is true. The tray marks its permission dialog with
``dialog.setProperty("buddy_avoid", True)``; nothing more is needed.

Mouse: drag to move (the spot is saved per screen in ``buddy.json``); a click opens or
closes the card; press and hold to pet it (hearts); the right button offers the card and
Hide. A 25 fps timer animates it while it
is visible and stops when it is hidden.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QMouseEvent, QPainter, QScreen
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from agent.buddy.bones import Buddy
from agent.buddy.lines import line_for, moment_of
from agent.buddy.moods import Mood, cue_of, react, settle
from desktop.buddy import placement
from desktop.buddy.bubble import Bubble
from desktop.buddy.card import Card
from desktop.buddy.effects import HEART_LIFE
from desktop.buddy.painter import paint_pet
from desktop.buddy.pose import petted, pose_for
from desktop.floating import make_floating

SIZE = 128
FRAME_MS = 40
HOLD_TO_PET_MS = 450
HEART_EVERY = 0.3
# A new line waits this long after the last one, unless it matters (a question, a result).
LINE_GAP = 2.5
SAME_LINE_GAP = 12.0
URGENT = frozenset({"waiting", "denied", "done", "failed", "petted"})


class BuddyWindow(QWidget):
    state_changed = Signal(str)
    visibility_changed = Signal(bool)

    def __init__(
        self,
        buddy: Buddy,
        name: str,
        *,
        store: Path | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(None)
        make_floating(self)
        self.setWindowTitle(f"{name} the {buddy.species}")
        self.setFixedSize(SIZE, SIZE)
        self.buddy, self.name = buddy, name
        self._clock = clock
        self.mood = Mood(since=clock())
        self._store = store or placement.store_path()
        self._spots = placement.load(self._store)
        self._avoid: list[QRect] = []
        # Children so they go with the window; Qt.Tool keeps them separate windows on top.
        self.bubble = Bubble(self.avoid_rects, clock=clock, parent=self)
        self.card = Card(buddy, name, parent=self)
        self.last_line = ""
        self._lines = 0
        self._last_moment, self._last_said = "", -math.inf
        self._hearts: list[tuple[float, float]] = []  # (x, born)
        self._hearts_made = 0
        self._petting = False
        self._press: QPoint | None = None
        self._grab = QPoint()
        self._dragging = False
        self._greeted = False
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.setInterval(HOLD_TO_PET_MS)
        self._hold.timeout.connect(self._start_petting)
        self._frames = QTimer(self)
        self._frames.setInterval(FRAME_MS)
        self._frames.timeout.connect(self._tick)

    # ---- what the tray calls ----

    @property
    def state(self) -> str:
        return self.mood.state

    @property
    def petting(self) -> bool:
        return self._petting

    def on_event(self, event: Any) -> None:
        """React to an agent event (``agent.events``); unknown events are ignored."""
        cue = cue_of(event)
        if cue is not None:
            self.feel(cue)

    def set_listening(self, on: bool) -> None:
        self.feel("listening_started" if on else "listening_stopped")

    def set_speaking(self, on: bool) -> None:
        self.feel("speaking_started" if on else "speaking_stopped")

    def show_pet(self) -> None:
        if not self.isVisible():
            self._place()
            self.show()
        if not self._greeted:
            self._greeted = True
            self._say("hello")

    def hide_pet(self) -> None:
        self.bubble.hide()
        self.card.hide()
        self.hide()

    def set_name(self, name: str) -> None:
        """A new name (the person renamed the pet in the settings)."""
        self.name = self.card.name = name
        self.setWindowTitle(f"{name} the {self.buddy.species}")
        self.card.update()

    def set_avoid(self, rects: Sequence[QRect]) -> None:
        self._avoid = [QRect(r) for r in rects]

    def avoid_rects(self) -> list[QRect]:
        """Where the bubble must not go: given rects, modal and marked dialogs, our card."""
        rects = list(self._avoid)
        modal = QApplication.activeModalWidget()
        if modal is not None and modal.isVisible():
            rects.append(modal.frameGeometry())
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and widget.property("buddy_avoid"):
                rects.append(widget.frameGeometry())
        if self.card.isVisible():
            rects.append(self.card.frameGeometry())
        return rects

    # ---- moods and lines ----

    def feel(self, cue: str) -> None:
        """Apply a cue (an event kind or a voice cue) to the mood; maybe say something."""
        before = self.mood
        self.mood = react(before, cue, self._clock())
        if self.mood is before:
            return
        if self.mood.state != before.state:
            self.state_changed.emit(self.mood.state)
        moment = moment_of(cue)
        if moment is not None:
            self._say(moment)
        self.update()

    def _say(self, moment: str) -> None:
        now = self._clock()
        if moment == self._last_moment and now - self._last_said < SAME_LINE_GAP:
            return
        if moment not in URGENT and now - self._last_said < LINE_GAP:
            return
        if not self.isVisible():
            return
        text = line_for(self.buddy, moment, self._lines)
        if self.bubble.say(text, self.frameGeometry(), self._area()):
            self._lines += 1
            self.last_line = text
            self._last_moment, self._last_said = moment, now

    # ---- animation ----

    def _tick(self) -> None:
        now = self._clock()
        settled = settle(self.mood, now)
        if settled is not self.mood:
            self.mood = settled
            self.state_changed.emit(settled.state)
        self._hearts = [(x, born) for x, born in self._hearts if now - born < HEART_LIFE]
        if self._petting and (not self._hearts or now - self._hearts[-1][1] >= HEART_EVERY):
            self._add_heart(now)
        self.update()

    def _add_heart(self, now: float) -> None:
        # Spread along the head by the golden ratio, so hearts rarely stack.
        self._hearts.append((30 + 40 * ((self._hearts_made * 0.618) % 1), now))
        self._hearts_made += 1

    def paintEvent(self, _event: object) -> None:
        now = self._clock()
        pose = pose_for(self.mood.state, now - self.mood.since, now)
        if self._petting:
            pose = petted(pose)
        p = QPainter(self)
        paint_pet(p, SIZE, self.buddy, pose, [(x, now - born) for x, born in self._hearts])
        p.end()

    def showEvent(self, event: Any) -> None:
        self._frames.start()
        super().showEvent(event)
        self.visibility_changed.emit(True)

    def hideEvent(self, event: Any) -> None:
        self._frames.stop()
        self._stop_petting()
        super().hideEvent(event)
        self.visibility_changed.emit(False)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        menu.addAction("Show card", self._show_card)
        menu.addAction(f"Hide {self.name}", self.hide_pet)
        menu.exec(event.globalPos())

    # ---- mouse: drag, click, pet ----

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._press = event.globalPosition().toPoint()
        self._grab = self._press - self.pos()
        self._dragging = False
        self._hold.start()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        here = event.globalPosition().toPoint()
        if not self._dragging:
            if (here - self._press).manhattanLength() < QApplication.startDragDistance():
                return
            self._dragging = True
            self._hold.stop()
            self._stop_petting()
            self.card.hide()
            handle = self.windowHandle()
            if QGuiApplication.platformName() == "wayland" and handle is not None:
                handle.startSystemMove()  # Wayland lets only the compositor move windows
                return
        self.move(here - self._grab)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        self._press = None
        self._hold.stop()
        if self._dragging:
            self._dragging = False
            self._remember()
        elif self._petting:
            self._stop_petting()
        elif self.card.isVisible():
            self.card.hide()
        else:
            self._show_card()

    def _show_card(self) -> None:
        self.bubble.hide()
        self.card.show_beside(self.frameGeometry(), self._area())

    def _start_petting(self) -> None:
        self._petting = True
        self._add_heart(self._clock())
        self._say("petted")
        self.update()

    def _stop_petting(self) -> None:
        self._petting = False

    # ---- where it sits ----

    def _screen(self) -> QScreen:
        return QGuiApplication.screenAt(self.frameGeometry().center()) or self.screen()

    def _area(self) -> QRect:
        return self._screen().availableGeometry()

    def _place(self) -> None:
        screens = {_key(s): s for s in QGuiApplication.screens()}
        primary = QGuiApplication.primaryScreen()
        key = self._spots.last if self._spots.last in screens else _key(primary)
        area = screens.get(key, primary).availableGeometry()
        box = (area.x(), area.y(), area.width(), area.height())
        if key in self._spots.screens:
            x, y = placement.fit(*self._spots.screens[key], SIZE, SIZE, box)
        else:
            x, y = placement.corner(SIZE, SIZE, box)
        self.move(x, y)

    def _remember(self) -> None:
        pos = self.pos()
        self._spots = placement.remember(
            self._store, self._spots, _key(self._screen()), pos.x(), pos.y()
        )


def _key(screen: QScreen) -> str:
    size = screen.size()
    return placement.screen_key(screen.name(), size.width(), size.height())

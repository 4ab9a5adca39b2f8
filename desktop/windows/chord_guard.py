"""Keeps the push-to-talk chord from pressing a dialog's buttons.

The hotkey (``ctrl+alt+space`` by default) also reaches the focused window. Held while a
permission or question dialog has focus, its Space would click the focused button (and X11
auto-repeat clicks again on every repeat), so answering by voice would answer by key first.
``guard(window)`` makes the window's buttons ignore Space pressed with Ctrl, Alt or Meta;
a plain Space still clicks them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QWidget

CHORD = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


class ChordGuard(QObject):
    """An event filter that swallows Space with a modifier held."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            key = event if isinstance(event, QKeyEvent) else None
            if key is not None and key.key() == Qt.Key.Key_Space and key.modifiers() & CHORD:
                return True
        return False


def guard(window: QWidget) -> None:
    """Guard every button ``window`` holds now."""
    chord_guard = ChordGuard(window)
    for button in window.findChildren(QAbstractButton):
        button.installEventFilter(chord_guard)

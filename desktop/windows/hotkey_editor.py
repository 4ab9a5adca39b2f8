"""The push-to-talk hotkey editor: press "Record", press the chord, it is stored.

    HotkeyEdit(value, default)     the shortcut shown, a Record and a Reset button, and a
                                   line under them for what went wrong
        .value()/.set_value(text)  the canonical chord text ("ctrl+alt+space")
        changed()                  a signal when the stored chord changed
        recording_changed(bool)    a signal: True while a press is being recorded
    chord_text(key, modifiers)     a Qt key press as chord text ("ctrl+alt+space"), or None
                                   while only modifiers are down

While recording, every key goes to the editor (Tab too); the first non-modifier key ends
it. Escape alone cancels; a key that would type text (a letter alone, shift+letter) is
refused and recording goes on. Losing focus or being hidden cancels as well.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.hotkeys.chord import Chord, ChordError
from desktop.windows.style import css, text_font, theme

K = Qt.Key
M = Qt.KeyboardModifier
# Qt modifiers -> chord names, in chord.py's canonical order.
MODIFIER_FLAGS = (
    (M.ControlModifier, "ctrl"),
    (M.AltModifier, "alt"),
    (M.GroupSwitchModifier, "altgr"),
    (M.ShiftModifier, "shift"),
    (M.MetaModifier, "super"),
)
# A modifier key's own flag: the press of Ctrl may or may not report Ctrl as held yet.
MODIFIER_KEYS = {
    K.Key_Control: M.ControlModifier, K.Key_Alt: M.AltModifier,
    K.Key_AltGr: M.GroupSwitchModifier, K.Key_Shift: M.ShiftModifier,
    K.Key_Meta: M.MetaModifier, K.Key_Super_L: M.MetaModifier, K.Key_Super_R: M.MetaModifier,
    K.Key_Hyper_L: M.MetaModifier, K.Key_Hyper_R: M.MetaModifier,
    K.Key_CapsLock: M.NoModifier, K.Key_NumLock: M.NoModifier,
}  # fmt: skip
NAMED = {
    K.Key_Space: "space", K.Key_Return: "enter", K.Key_Enter: "enter", K.Key_Tab: "tab",
    K.Key_Backtab: "tab", K.Key_Escape: "esc", K.Key_Backspace: "backspace",
    K.Key_Delete: "delete", K.Key_Insert: "insert", K.Key_Home: "home", K.Key_End: "end",
    K.Key_PageUp: "page_up", K.Key_PageDown: "page_down", K.Key_Up: "up", K.Key_Down: "down",
    K.Key_Left: "left", K.Key_Right: "right", K.Key_Pause: "pause",
    K.Key_Print: "print_screen", K.Key_ScrollLock: "scroll_lock", K.Key_Menu: "menu",
    **{getattr(K, f"Key_F{n}"): f"f{n}" for n in range(1, 25)},
}  # fmt: skip
PROMPT = "Press the shortcut… (Esc cancels)"


def chord_text(key: int, modifiers: Any) -> str | None:
    """The chord a key press makes, as chord.py spells it; None for a modifier alone or a
    key chords have no name for."""
    if key in MODIFIER_KEYS:
        return None
    mods = [name for flag, name in MODIFIER_FLAGS if modifiers & flag]
    if key in NAMED:
        name = NAMED[key]
    elif 0x20 < int(key) < 0x01000000 and chr(int(key)).isprintable():
        name = chr(int(key)).lower()
    else:
        return None
    return "+".join([*mods, name])


class HotkeyEdit(QWidget):
    changed = Signal()
    recording_changed = Signal(bool)

    def __init__(self, value: str, default: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.default = default
        self.recording = False
        self._value = ""
        colours = theme()
        self.shown = QLineEdit()
        self.shown.setReadOnly(True)
        self.shown.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.record_button = QPushButton("Record")
        self.record_button.setToolTip("Click, then press the new shortcut")
        self.record_button.clicked.connect(self.start_recording)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip(f"Back to the default, {default}")
        self.reset_button.clicked.connect(lambda: self.set_value(default))
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setFont(text_font(0.9))
        self.message.setStyleSheet(f"color: {css(colours.error)};")
        self.message.hide()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.shown, 1)
        row.addWidget(self.record_button)
        row.addWidget(self.reset_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addLayout(row)
        column.addWidget(self.message)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.set_value(value)

    def value(self) -> str:
        return self._value

    def set_value(self, text: str) -> None:
        """Show and keep ``text`` (normalised when it parses; kept as is otherwise)."""
        self.cancel_recording()
        try:
            text = str(Chord.parse(str(text)))
        except ChordError as exc:
            self._say(str(exc))
        else:
            self._say("")
        self.shown.setText(text)
        if text != self._value:
            self._value = text
            self.changed.emit()

    def start_recording(self) -> None:
        if self.recording:
            return
        self.recording = True
        self._say("")
        self.shown.setText(PROMPT)
        self.record_button.setText("Recording…")
        self.record_button.setEnabled(False)
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.grabKeyboard()
        self.recording_changed.emit(True)

    def cancel_recording(self) -> None:
        if self.recording:
            self._finish()
            self.shown.setText(self._value)

    # ---- recording ----

    def event(self, event: QEvent) -> bool:
        # Tab and Backtab would move the focus before keyPressEvent sees them.
        if self.recording and event.type() == QEvent.Type.KeyPress:
            self.keyPressEvent(event)  # type: ignore[arg-type]
            return True
        if self.recording and event.type() == QEvent.Type.KeyRelease:
            key = event.key()  # type: ignore[attr-defined]
            if key in MODIFIER_KEYS:
                self._show_held(event.modifiers() & ~MODIFIER_KEYS[key])  # type: ignore[attr-defined]
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.recording:
            super().keyPressEvent(event)
            return
        key, mods = event.key(), event.modifiers()
        if key == K.Key_Escape and not mods & ~M.KeypadModifier:
            self.cancel_recording()
            return
        text = chord_text(key, mods)
        if text is None:  # modifiers so far: show them
            self._show_held(mods | MODIFIER_KEYS.get(key, M.NoModifier))
            return
        try:
            chord = Chord.parse(text)
        except ChordError as exc:
            self._say(str(exc))
            return
        if chord.is_printable_only:
            self._say(
                f"{chord} alone would type text. Hold ctrl, alt or super with it "
                "(or use a key such as F9)."
            )
            self.shown.setText(PROMPT)
            return
        self._finish()
        self.set_value(str(chord))
        self.shown.setText(str(chord))

    def focusOutEvent(self, event: Any) -> None:
        if self.recording and event.reason() != Qt.FocusReason.PopupFocusReason:
            self.cancel_recording()  # clicked elsewhere, or the window lost the keyboard
        super().focusOutEvent(event)

    def hideEvent(self, event: Any) -> None:
        self.cancel_recording()
        super().hideEvent(event)

    def _finish(self) -> None:
        self.recording = False
        self.releaseKeyboard()
        self.record_button.setText("Record")
        self.record_button.setEnabled(True)
        self.recording_changed.emit(False)

    def _show_held(self, mods: Any) -> None:
        held = [name for flag, name in MODIFIER_FLAGS if mods & flag]
        self.shown.setText("+".join([*held, "…"]) if held else PROMPT)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

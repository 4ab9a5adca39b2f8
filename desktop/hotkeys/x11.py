"""The X11 backend: pynput's keyboard listener (the X RECORD extension; no root needed).

Every key event on the display reaches ``ChordMatcher``, which reports the chord's press
and release exactly once each, whatever auto-repeat does meanwhile. Keys are not
grabbed: the chord also reaches the focused window, which is why the default hotkey has
no printable key. Under Wayland, XWayland only shows this listener the keys typed into
X11 windows, so there the portal backend is the right one.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from typing import Any

from desktop.hotkeys.base import PTT_FIX, HotkeyBackend, HotkeyError
from desktop.hotkeys.chord import Chord, key_name
from desktop.hotkeys.matcher import ChordMatcher

START_TIMEOUT = 5.0


class X11Backend(HotkeyBackend):
    name = "x11"
    label = "pynput on X11"

    def __init__(self, chord: Chord, environ: Mapping[str, str] = os.environ) -> None:
        super().__init__(chord)
        self.environ = environ
        self._listener: Any = None
        self._matcher: ChordMatcher | None = None

    def available(self) -> tuple[bool, str]:
        display = self.environ.get("DISPLAY", "")
        if not display:
            return False, f"No X11 display (DISPLAY is not set): {PTT_FIX}."
        try:
            import Xlib.display

            connection = Xlib.display.Display(display)
        except Exception as exc:  # python-xlib raises several kinds; all mean "no display"
            return False, f"Cannot open the X display {display} ({exc}): {PTT_FIX}."
        try:
            has_record = connection.has_extension("RECORD")
        finally:
            connection.close()
        if not has_record:
            return False, f"The X server on {display} lacks the RECORD extension: {PTT_FIX}."
        if self.environ.get("WAYLAND_DISPLAY"):
            return True, (
                f"listening on XWayland ({display}): only keys typed into X11 windows "
                "are seen; choose the portal backend for a global hotkey"
            )
        return True, f"listening on X display {display}"

    def start(self, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        if self._listener is not None:
            return
        try:
            from pynput import keyboard
        except ImportError as exc:  # pynput refuses to load without a display
            raise HotkeyError(f"pynput cannot listen here ({exc}).") from None
        self._matcher = ChordMatcher(self.chord, on_press, on_release)
        listener = keyboard.Listener(on_press=self._pressed, on_release=self._released)
        listener.start()
        # listener.wait() blocks for good when the listener dies before it is ready.
        ready = threading.Thread(target=listener.wait, daemon=True)
        ready.start()
        ready.join(START_TIMEOUT)
        if ready.is_alive() or not listener.is_alive():
            raise HotkeyError(
                f"pynput did not start listening on {self.environ.get('DISPLAY', '?')} "
                f"within {START_TIMEOUT:g} s."
            )
        self._listener = listener

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()
            listener.join(timeout=2)
        if self._matcher is not None:
            self._matcher.reset()

    def rebind(self, chord: Chord) -> None:
        self.chord = chord
        if self._matcher is not None:
            self._matcher.rebind(chord)

    def _pressed(self, key: Any) -> None:
        name = pynput_key_name(key)
        if name and self._matcher is not None:
            self._matcher.press(name)

    def _released(self, key: Any) -> None:
        name = pynput_key_name(key)
        if name and self._matcher is not None:
            self._matcher.release(name)


def pynput_key_name(key: Any) -> str:
    """A pynput ``Key`` or ``KeyCode`` as a chord key name; "" when it has none."""
    if key is None:
        return ""
    char = getattr(key, "char", None)
    if char:
        return key_name(char)
    name = getattr(key, "name", None)  # Key members: Key.ctrl_l.name == "ctrl_l"
    if name:
        return key_name(name)
    vk = getattr(key, "vk", None)
    return f"<{vk}>" if vk is not None else ""

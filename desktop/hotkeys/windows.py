"""The Windows backend: the ``keyboard`` package's global hook.

``keyboard`` is imported only on Windows: on Linux its latest release refuses to run
without root. Held keys repeat as further "down" events, which ``ChordMatcher`` ignores.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from desktop.hotkeys.base import PTT_FIX, HotkeyBackend, HotkeyError
from desktop.hotkeys.chord import Chord, key_name
from desktop.hotkeys.matcher import ChordMatcher


class KeyboardBackend(HotkeyBackend):
    name = "keyboard"
    label = "keyboard hook on Windows"

    def __init__(self, chord: Chord, platform: str = sys.platform) -> None:
        super().__init__(chord)
        self.platform = platform
        self._hook: Any = None
        self._matcher: ChordMatcher | None = None

    def available(self) -> tuple[bool, str]:
        if self.platform != "win32":
            return False, (
                "The keyboard backend is for Windows (on Linux it needs root): choose "
                f"auto, x11 or portal, or {PTT_FIX}."
            )
        try:
            import keyboard  # noqa: F401
        except ImportError:
            return False, "The keyboard package is missing: pip install keyboard."
        return True, "a global keyboard hook"

    def start(self, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        if self._hook is not None:
            return
        ok, reason = self.available()
        if not ok:
            raise HotkeyError(reason)
        import keyboard

        self._matcher = ChordMatcher(self.chord, on_press, on_release)
        self._hook = keyboard.hook(self._on_event)

    def stop(self) -> None:
        hook, self._hook = self._hook, None
        if hook is not None:
            import keyboard

            keyboard.unhook(hook)

    def rebind(self, chord: Chord) -> None:
        self.chord = chord
        if self._matcher is not None:
            self._matcher.rebind(chord)

    def _on_event(self, event: Any) -> None:
        name = key_name(event.name or "")
        if not name or self._matcher is None:
            return
        if event.event_type == "down":
            self._matcher.press(name)
        else:
            self._matcher.release(name)

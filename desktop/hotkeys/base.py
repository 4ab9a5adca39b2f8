"""The hotkey backend interface and the fallback without one (no backend imported here).

    HotkeyBackend     name, label; available() -> (ok, reason); start(on_press, on_release),
                      stop(), rebind(chord). Callbacks run on the backend's own thread.
    NoBackend         nothing to listen with; its reason says to bind `harken ptt toggle`

``available()`` is where a backend probes the machine, and its reason names the fix when
it cannot work. Choosing a backend for a session is ``desktop.hotkeys.choose``.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.hotkeys.chord import Chord

PTT_FIX = (
    "bind the command `harken ptt toggle` to a key in your desktop's keyboard shortcut settings"
)


class HotkeyError(RuntimeError):
    """A backend could not start listening; the message says why."""


class HotkeyBackend:
    """A global push-to-talk key: ``on_press`` when the chord goes down, ``on_release``
    when it comes up. Both are called from the backend's thread, never the GUI's."""

    name = "base"
    label = "base"

    def __init__(self, chord: Chord) -> None:
        self.chord = chord

    def available(self) -> tuple[bool, str]:
        """Whether this backend can work here, and a reason (the fix when it cannot)."""
        raise NotImplementedError

    def start(self, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        """Begin listening; raises ``HotkeyError`` when that is impossible."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop listening (idempotent); no callback runs afterwards."""

    def rebind(self, chord: Chord) -> None:
        """Listen for ``chord`` instead, at once."""
        self.chord = chord


class NoBackend(HotkeyBackend):
    """No global hotkey; push-to-talk goes through ``harken ptt`` instead."""

    name = "none"
    label = "none"

    def __init__(self, chord: Chord, reason: str = "") -> None:
        super().__init__(chord)
        self.reason = reason or f"No global hotkey is set up here: {PTT_FIX}."

    def available(self) -> tuple[bool, str]:
        return False, self.reason

    def start(self, on_press: Callable[[], None], on_release: Callable[[], None]) -> None:
        pass

"""The hotkey backend interface, the fallback without one, and choosing one for a session.

    HotkeyBackend     name, label; available() -> (ok, reason); start(on_press, on_release),
                      stop(), rebind(chord). Callbacks run on the backend's own thread.
    NoBackend         nothing to listen with; its reason says to bind `harken ptt toggle`
    choose_backend()  "auto" picks by session: Wayland -> portal, X11 -> x11, Windows ->
                      keyboard; "portal", "x11", "keyboard" or "none" force one

Choosing does no I/O: ``available()`` is where a backend probes the machine, and its
reason names the fix when it cannot work.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from desktop.hotkeys.chord import Chord

BACKENDS = ("auto", "portal", "x11", "keyboard", "none")

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


def choose_backend(
    setting: str,
    chord: Chord,
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
) -> HotkeyBackend:
    """The backend a setting ("auto" or a forced name) means in this session."""
    setting = (setting or "auto").strip().lower()
    if setting == "auto":
        setting = _session_kind(environ, platform)
        if not setting:
            return NoBackend(chord, f"No graphical session was found (no display): {PTT_FIX}.")
    if setting == "portal":
        from desktop.hotkeys.portal import PortalBackend

        return PortalBackend(chord, environ)
    if setting == "x11":
        from desktop.hotkeys.x11 import X11Backend

        return X11Backend(chord, environ)
    if setting == "keyboard":
        from desktop.hotkeys.windows import KeyboardBackend

        return KeyboardBackend(chord, platform)
    if setting == "none":
        return NoBackend(chord)
    return NoBackend(
        chord, f"Unknown hotkey backend {setting!r}: use one of {', '.join(BACKENDS)}."
    )


def _session_kind(environ: Mapping[str, str], platform: str) -> str:
    """The backend for this kind of session; "" when there is no graphical session."""
    if platform == "win32":
        return "keyboard"
    if environ.get("XDG_SESSION_TYPE", "").lower() == "wayland" or environ.get("WAYLAND_DISPLAY"):
        return "portal"
    if environ.get("DISPLAY"):
        return "x11"
    return ""

"""Choosing the hotkey backend for a session: the one module that knows every backend.

    choose_backend()  "auto" picks by session: Wayland -> portal, X11 -> x11, Windows ->
                      keyboard; "portal", "x11", "keyboard" or "none" force one

Choosing does no I/O and imports only the chosen backend (their libraries are heavy or
platform-bound); ``available()`` on the result is where the machine is probed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from desktop.hotkeys.base import PTT_FIX, HotkeyBackend, NoBackend
from desktop.hotkeys.chord import Chord

BACKENDS = ("auto", "portal", "x11", "keyboard", "none")


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

"""The global push-to-talk hotkey: chords and one backend per platform. No Qt here.

    chord.py    Chord.parse("ctrl+alt+space"), is_printable_only, key names
    matcher.py  ChordMatcher: key events -> one press and one release (exact, debounced)
    base.py     HotkeyBackend (the interface every backend implements), NoBackend
    choose.py   choose_backend(setting, chord, environ): the backend for this session
    portal.py   Wayland: the XDG GlobalShortcuts portal over D-Bus (jeepney)
    x11.py      X11: pynput's keyboard listener
    windows.py  Windows: the keyboard package

Where no backend works, ``harken ptt toggle`` bound in the desktop's own shortcut settings
does the same job (see ``desktop.instance``).
"""

from desktop.hotkeys.base import HotkeyBackend, HotkeyError, NoBackend
from desktop.hotkeys.choose import BACKENDS, choose_backend
from desktop.hotkeys.chord import DEFAULT_HOTKEY, Chord, ChordError

__all__ = [
    "BACKENDS",
    "DEFAULT_HOTKEY",
    "Chord",
    "ChordError",
    "HotkeyBackend",
    "HotkeyError",
    "NoBackend",
    "choose_backend",
]

"""Hotkey chords: "ctrl+alt+space" parsed into modifiers plus one key, and key names.

``Chord.parse(text)`` accepts the usual spellings ("Control+Alt+Space", "win+h", "F9")
and normalises them; ``str(chord)`` is the canonical form ("ctrl+alt+space"), the one to
store in settings. ``key_name(raw)`` maps the name a backend reports for a key to the
vocabulary chords use (left and right modifiers count as one).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_HOTKEY = "ctrl+alt+space"  # no printable key, and free on the common desktops

MODIFIERS = ("ctrl", "alt", "altgr", "shift", "super")  # canonical order in str(chord)

_ALIASES = {
    "control": "ctrl",
    "ctl": "ctrl",
    "option": "alt",
    "opt": "alt",
    "alt_gr": "altgr",
    "win": "super",
    "windows": "super",
    "meta": "super",
    "cmd": "super",
    "command": "super",
    "logo": "super",
    "mod4": "super",
    "return": "enter",
    "escape": "esc",
    "del": "delete",
    "ins": "insert",
    "pageup": "page_up",
    "pgup": "page_up",
    "pagedown": "page_down",
    "pgdn": "page_down",
    "print": "print_screen",
    "prtsc": "print_screen",
    "scrolllock": "scroll_lock",
    "capslock": "caps_lock",
    "numlock": "num_lock",
    "plus": "+",
    "minus": "-",
}

NAMED_KEYS = frozenset(
    {
        "space", "enter", "tab", "esc", "backspace", "delete", "insert", "home", "end",
        "page_up", "page_down", "up", "down", "left", "right", "pause", "print_screen",
        "scroll_lock", "caps_lock", "num_lock", "menu",
        *(f"f{n}" for n in range(1, 25)),
    }
)  # fmt: skip


class ChordError(ValueError):
    """A hotkey text that is not a usable chord; the message says why."""


@dataclass(frozen=True)
class Chord:
    """Modifiers held together with one key: the whole set must be down, nothing else."""

    modifiers: frozenset[str]
    key: str

    @classmethod
    def parse(cls, text: str) -> Chord:
        parts = _split(text)
        if not parts:
            raise ChordError("The hotkey is empty; try ctrl+alt+space.")
        names = [_canonical(part) for part in parts]
        keys = [n for n in names if n not in MODIFIERS]
        if not keys:
            raise ChordError(f"{text!r} has only modifiers; add a key, e.g. {text}+space.")
        if len(keys) > 1:
            raise ChordError(
                f"{text!r} has two keys ({keys[0]}, {keys[1]}): use modifiers and one key."
            )
        if len(set(names)) != len(names):
            raise ChordError(f"{text!r} names a key twice.")
        return cls(frozenset(n for n in names if n in MODIFIERS), keys[0])

    @property
    def keys(self) -> frozenset[str]:
        """Every key of the chord, modifiers included."""
        return self.modifiers | {self.key}

    @property
    def is_printable_only(self) -> bool:
        """True when the chord would also type text (a character or space, at most with
        shift): as a hotkey it gets in the way of typing, since the key still reaches the
        focused program."""
        printable = len(self.key) == 1 or self.key == "space"
        return printable and self.modifiers <= {"shift"}

    def __str__(self) -> str:
        return "+".join([m for m in MODIFIERS if m in self.modifiers] + [self.key])


def key_name(raw: str) -> str:
    """The chord vocabulary's name for a key a backend reports ("ctrl_r" -> "ctrl")."""
    if raw == " ":
        return "space"
    name = raw.strip().lower()
    if len(name) == 1:
        return name
    for side in ("_l", "_r"):
        if name.endswith(side):
            name = name[: -len(side)]
    for side in ("left ", "right "):
        name = name.removeprefix(side)
    name = name.replace(" ", "_")
    return _ALIASES.get(name, name)


def _split(text: str) -> list[str]:
    text = text.strip()
    if text.endswith("++") or text == "+":
        # "ctrl++": the last key is the plus key itself.
        head = text[:-1].rstrip("+")
        return [*_split(head), "+"] if head else ["+"]
    return [part.strip() for part in text.split("+") if part.strip()]


def _canonical(part: str) -> str:
    name = key_name(part)
    if name in MODIFIERS or name in NAMED_KEYS:
        return name
    if len(name) == 1 and name.isprintable():
        return name
    raise ChordError(f"Unknown key {part.strip()!r}; use names like space, f9, a or enter.")

"""Dictation's text: spoken punctuation written, the user's own replacements applied.

    dictated("hello comma world period new line thanks", {"harken": "Harken"})
        -> "Hello, world.\nThanks"

Whisper writes what it hears: "comma" as the word, and often its own comma next to it
("Hello, comma, world."). A spoken mark replaces the word and any punctuation Whisper put
around it; the mark sits on the word before it; a sentence after ".", "?", "!" or a new
line starts with a capital. A word Whisper set off with commas that sounds like "comma"
("commerce", "comer") is taken for it. The user's replacements ("kube control" -> "kubectl") match
whole words, case-insensitively, longest first. No audio, no Qt: text rules only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from audio.spoken_names import phonetic_key

# Spoken form -> what is typed. Longest forms are tried first ("full stop" before "stop").
MARKS = {
    "comma": ",",
    "period": ".",
    "full stop": ".",
    "question mark": "?",
    "exclamation mark": "!",
    "exclamation point": "!",
    "colon": ":",
    "semicolon": ";",
    "semi colon": ";",
    "new line": "\n",
    "newline": "\n",
    "new paragraph": "\n\n",
}
_ENDS_SENTENCE = ".?!\n"
_ORDER = sorted(MARKS, key=len, reverse=True)
# A spoken mark with the punctuation Whisper may have put before and after it.
_MARK = re.compile(
    r"[\s,.;:!?]*\b(" + "|".join(m.replace(" ", r"[\s-]+") for m in _ORDER) + r")\b[,.;:!?]*",
    re.IGNORECASE,
)

_SET_OFF = re.compile(r",\s*([A-Za-z]+),\s*")


def parse_replacements(text: str) -> dict[str, str]:
    """The personal replacement list from its setting: ``said=written`` (or ``said ->
    written``) pairs, separated by commas or new lines."""
    pairs: dict[str, str] = {}
    for item in re.split(r"[,\n]", text):
        pair = re.fullmatch(r"\s*(.+?)\s*(?:=|->|→)\s*(.+?)\s*", item)
        if pair:
            pairs[pair.group(1).lower()] = pair.group(2)
    return pairs


def replace_words(text: str, replacements: Mapping[str, str]) -> str:
    """``text`` with each said phrase (whole words, any case) replaced by its spelling."""
    for said in sorted(replacements, key=len, reverse=True):
        words = r"[\s-]+".join(re.escape(w) for w in said.split())
        text = re.sub(rf"(?<!\w){words}(?!\w)", replacements[said], text, flags=re.IGNORECASE)
    return text


def _comma_alike(match: re.Match[str]) -> str:
    """A word Whisper set off with its own commas that sounds like "comma" is the mark:
    a small model hears "comma" said between pauses as "commerce", "comer", "comment"."""
    key = phonetic_key(match.group(1))
    return ", " if key.startswith("KM") and len(key) <= 4 else match.group(0)


def spoken_marks(text: str) -> str:
    """``text`` with spoken punctuation written and sentences capitalised after it."""
    text = _SET_OFF.sub(_comma_alike, text)
    if not _MARK.search(text):
        return text

    def mark(match: re.Match[str]) -> str:
        key = re.sub(r"[\s-]+", " ", match.group(1).lower())
        return MARKS[key] + "\x00"  # where the next word starts

    text = _MARK.sub(mark, text)
    out: list[str] = []
    for piece in text.split("\x00"):
        piece_stripped = piece.lstrip(" ")
        if out and piece_stripped:
            previous = out[-1]
            if previous and previous[-1] in _ENDS_SENTENCE:
                piece_stripped = piece_stripped[:1].upper() + piece_stripped[1:]
            if previous and previous[-1] != "\n" and piece_stripped[0].isalnum():
                piece_stripped = " " + piece_stripped
        out.append(piece_stripped)
    return "".join(out).strip(" ")


def dictated(text: str, replacements: Mapping[str, str] | None = None) -> str:
    """What dictation types for ``text`` as heard: marks, then the user's replacements."""
    return replace_words(spoken_marks(text.strip()), replacements or {})

"""Pictographs for the ear: emoji are not read out by their Unicode names.

espeak-ng reads a pictograph by its character name: "⭐ Done ⏰" becomes "white medium
star done alarm clock". ``say_symbols(text)`` drops them, found by what Unicode says they
are rather than by a list: other symbols (category So), a character shown as an emoji
(followed by VARIATION SELECTOR-16), with what binds to it (skin-tone modifiers, variation
selectors, ZERO WIDTH JOINER sequences, tag sequences, pairs of regional indicators that
make a flag). A keycap ("1️⃣") is read as its digit. The few symbols that carry a meaning a
listener needs become that word: a check mark "done", a cross "failed", a warning sign
"warning", a no-entry sign "blocked" (chosen by their Unicode names, so every check mark
counts); degree signs become "degrees".
"""

from __future__ import annotations

import re
import unicodedata

VS15, VS16, ZWJ, KEYCAP = "\ufe0e", "\ufe0f", "\u200d", "\u20e3"
SHORT_WORDS = 3  # "Unit tests pass" is a clause; "Deploy to staging" an item
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])?\s*")

# Words in a symbol's Unicode name -> what it says. Source: the Unicode names of
# ✓ ✔ ☑ ✅ 🗸 (check), ✗ ✘ ❌ ❎ (cross), ⚠ (warning), ⛔ 🚫 (no entry).
_MEANINGS: tuple[tuple[str, str], ...] = (
    ("CHECK MARK", "done"),
    ("BALLOT BOX WITH CHECK", "done"),
    ("CROSS MARK", "failed"),
    ("BALLOT X", "failed"),
    ("HEAVY MULTIPLICATION X", "failed"),  # ✖, the emoji cross (× is "by")
    ("WARNING SIGN", "warning"),
    ("NO ENTRY", "blocked"),
    ("GREEN CIRCLE", "green"),  # status lights: 🟢 🟡 🟠 🔴
    ("YELLOW CIRCLE", "yellow"),
    ("ORANGE CIRCLE", "orange"),
    ("RED CIRCLE", "red"),
)
# Said wherever they stand, as the word that joins what is around them: arrows.
_JOINING: tuple[tuple[str, str], ...] = (
    ("RIGHTWARDS", "to"),
    ("LEFTWARDS", "from"),
    ("UPWARDS", "up"),
    ("NORTH EAST ARROW", "up"),
    ("DOWNWARDS", "down"),
    ("SOUTH EAST ARROW", "down"),
)
# ★ ☆ ⭐ 🌟, two or more in a row: a rating.
_STARS = re.compile(
    r"[\u2605\u2606\u2b50\U0001f31f]\ufe0f?(?:\s?[\u2605\u2606\u2b50\U0001f31f]\ufe0f?)+"
)
_SCORE_BEFORE = re.compile(r"\b\d+\s?/\s?\d+\s*[:,-]?\s*$")
_SCORE_AFTER = re.compile(r"\s*[:,-]?\s*\(?\d+\s?/\s?\d+\b")
_MATH_ARROWS = re.compile(r"\s*([\u2191\u2193\u2197\u2198])\s*")
# Before anything is dropped: the degree sign is a symbol (So) too.
_DEGREES = (
    (re.compile(r"\s?(?:°\s?C\b|℃)"), " degrees Celsius"),
    (re.compile(r"\s?(?:°\s?F\b|℉)"), " degrees Fahrenheit"),
    (re.compile(r"(?<=\d)\s?°"), " degrees"),
    (re.compile(r"№\s?(?=\d)"), "number "),
)


def say_symbols(text: str) -> str:
    """``text`` without pictographs; meaningful ones replaced by their word."""
    for pattern, words in _DEGREES:
        text = pattern.sub(words, text)
    text = "".join(map(_plain_punctuation, text))
    text = _STARS.sub(_rating, text)
    text = _MATH_ARROWS.sub(lambda m: f" {_joining(m[1])} ", text)
    out: list[str] = []
    i = 0
    while i < len(text):
        end = _cluster_end(text, i)
        if end == i:
            out.append(text[i])
            i += 1
            continue
        cluster = text[i:end]
        if cluster[-1] == KEYCAP:
            out.append(_KEYCAPS.get(cluster[0], cluster[0]))  # "1️⃣" -> "1", "#️⃣" -> "hash"
        elif _joining(cluster[0]):
            out.append(f" {_joining(cluster[0])} ")
        elif _is_heart(cluster[0]):
            out.append(" love " if _between_words(text, i, end) else " ")  # "I ❤️ it"
        else:
            word = _meaning(cluster)
            if word:
                out.append(_placed(word, text, i, end))
        i = end
    return re.sub(r"[ \t]{2,}", " ", "".join(out))


def _is_pictograph(ch: str) -> bool:
    cat = unicodedata.category(ch)
    # U+2139 INFORMATION SOURCE is the one emoji Unicode files as a letter (Ll).
    return cat == "So" or ch == "\u2139" or (cat == "Sk" and 0x1F3FB <= ord(ch) <= 0x1F3FF)


def _plain_punctuation(ch: str) -> str:
    """Punctuation espeak would name, as the ASCII it stands for (its compatibility
    form): "‼" -> "!!", "⁉" -> "!?", fullwidth "？" -> "?"; other characters unchanged."""
    if ord(ch) < 128 or unicodedata.category(ch) != "Po":
        return ch
    plain = unicodedata.normalize("NFKC", ch)
    return plain if re.fullmatch(r"[!?]+", plain) else ch


def _binds(ch: str) -> bool:
    """Characters that belong to the pictograph before them."""
    code = ord(ch)
    return (
        ch in (VS15, VS16, KEYCAP)
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xE0020 <= code <= 0xE007F  # tag characters (subdivision flags)
    )


def _cluster_end(text: str, i: int) -> int:
    """The end of the pictograph cluster starting at ``i``, or ``i`` when none starts there."""
    ch = text[i]
    after = text[i + 1] if i + 1 < len(text) else ""
    keycap = ch in "0123456789#*" and (
        after == KEYCAP or (after == VS16 and text[i + 2 : i + 3] == KEYCAP)
    )
    if not (_is_pictograph(ch) or after == VS16 or keycap or _binds(ch) or ch == ZWJ):
        return i
    if ch in "0123456789#*" and not keycap:
        return i  # "1" followed by VS16 but no keycap: text
    j = i + 1
    while j < len(text):
        if _binds(text[j]):
            j += 1
        elif text[j] == ZWJ and j + 1 < len(text):
            j += 2  # a ZWJ sequence: the joined pictograph is part of this one
        elif _is_regional(ch) and _is_regional(text[j]) and j == i + 1:
            j += 1  # the second letter of a flag
        else:
            break
    return j


_KEYCAPS = {"#": " hash ", "*": " star "}


def _joining(ch: str) -> str:
    name = unicodedata.name(ch, "")
    if "ARROW" not in name:
        return ""
    return next((word for key, word in _JOINING if key in name), "")


def _is_heart(ch: str) -> bool:
    return unicodedata.name(ch, "").endswith(" HEART") or ch == "\u2665"


def _between_words(text: str, start: int, end: int) -> bool:
    """A word right before and right after, in the same clause ("made with ❤️ in")."""
    return bool(re.search(r"\w\s*$", text[:start]) and re.match(r"\s*\w", text[end:]))


def _rating(m: re.Match[str]) -> str:
    """ "★★★★☆" -> "4 out of 5 stars", "⭐⭐⭐" -> "3 stars"."""
    stars = [c for c in m[0] if not c.isspace() and c != VS16]
    empty = stars.count("\u2606")
    # A score written beside the stars says the rating already: "5/5 ⭐⭐⭐⭐⭐" is
    # "5 out of 5 stars", not "5 out of 5 5 stars".
    if _SCORE_BEFORE.search(m.string, 0, m.start()):
        return "stars"
    if _SCORE_AFTER.match(m.string, m.end()):
        return ""
    if empty:
        return f"{len(stars) - empty} out of {len(stars)} stars"
    return f"{len(stars)} stars"


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _meaning(cluster: str) -> str:
    name = unicodedata.name(cluster[0], "")
    return next((word for key, word in _MEANINGS if key in name), "")


def _placed(word: str, text: str, start: int, end: int) -> str:
    """Where the meaning is needed, the word; where the sentence already says it, nothing.

    At the start of a line it leads a short item ("❌ Lint" -> "Failed: Lint"); after a
    label it is the label's value ("Tests: ✅", "lint ❌" -> "lint failed"). Next to a
    whole clause ("✅ All 42 tests pass", "The build passed ✅") it is decoration. A
    warning is always said.
    """
    line_before = text[:start].rsplit("\n", 1)[-1]
    leading = not _BULLET.sub("", line_before).strip()
    if leading:
        rest = text[end:].split("\n", 1)[0].strip()
        if not rest:
            return word.capitalize()
        if rest.lower().startswith(word):  # "✓ Done", "✗ Failed build": said already
            return ""
        short = len(re.findall(r"\w+", re.split(r"[.!?;]", rest)[0])) <= SHORT_WORDS
        return f"{word.capitalize()}: " if short or word == "warning" else ""
    clause = re.split(r"[,;:.!?]", line_before)[-1]
    if len(re.findall(r"\w+", clause)) <= SHORT_WORDS - 1 or word == "warning":
        return f" {word} "
    return " "

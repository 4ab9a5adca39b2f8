"""What Read shows and Edit matches: a text file as lines, each keeping its own ending.

Read shows every line without its ending, so the model sees one kind of line break
whatever the file holds (CRLF, LF, a mix, or old Mac CR). Edit matches ``old_string``
against that same view, so text copied from Read is found; it also compares under Unicode
canonical equivalence (NFC), so text the model retypes in composed form matches a file
stored decomposed (NFD) and the reverse. A match is mapped back to the file's own
characters (``TextDoc.find``), so what Edit does not change keeps its bytes (``splice``).

The rules, as editors and ``grep`` count lines:
- A line ends with ``\\r\\n`` or ``\\n``. In a file with no ``\\n`` at all, ``\\r`` ends a
  line (classic Mac); elsewhere a lone ``\\r`` is part of the line and shown as it is.
- Other Unicode line separators (U+2028, form feed...) are characters, not line ends.
- Matching is by whole characters: a match never starts or ends between a letter and the
  combining marks on it.
- A file that is UTF-8 but for a few bytes (a Latin-1 ``caf\xe9``) is text: each such
  byte is kept as a ``surrogateescape`` character, shown to the model as U+FFFD (as every
  tool result is cleaned) and matched by U+FFFD in ``old_string``; it is written back as
  the same byte wherever the text around it does not change.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property

from agent.tools.files import Codec, decode_bytes

# A file whose bytes are more than this share not UTF-8 is not taken for text.
MAX_UNDECODABLE_SHARE = 0.3
_ESCAPED = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8 (surrogateescape)


@dataclass(frozen=True)
class EscapedCodec(Codec):
    """UTF-8 with some bytes that are not: they are read as ``surrogateescape``
    characters and written back as the same bytes."""

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding, "surrogateescape")


def _decode(data: bytes) -> tuple[str, Codec]:
    """``files.decode_bytes``, but a UTF-8 file with a few bytes that are not UTF-8 is
    text too (``EscapedCodec``). Raises ``ValueError`` when ``data`` is not text."""
    try:
        return decode_bytes(data)
    except UnicodeDecodeError:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise  # UTF-16 that does not decode
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    text = data[len(bom) :].decode("utf-8", "surrogateescape")
    if len(_ESCAPED.findall(text)) > MAX_UNDECODABLE_SHARE * max(len(text), 1):
        raise ValueError("mostly not UTF-8")
    return text, EscapedCodec("utf-8", bom)


ENDINGS = ("\r\n", "\n", "\r")


@dataclass(frozen=True)
class Line:
    """One line: its characters as stored, and its ending ("" for a last line without)."""

    text: str
    ending: str


def split_endings(raw: str, cr_only: bool) -> list[Line]:
    """``raw`` as lines. ``cr_only``: a lone ``\\r`` ends a line (a file with no ``\\n``)."""
    if not raw:
        return []
    if cr_only:
        pieces = raw.split("\r")
        lines = [Line(piece, "\r") for piece in pieces[:-1]]
        return lines + ([Line(pieces[-1], "")] if pieces[-1] else [])
    pieces = raw.split("\n")
    lines = []
    for piece in pieces[:-1]:
        if piece.endswith("\r"):
            lines.append(Line(piece[:-1], "\r\n"))
        else:
            lines.append(Line(piece, "\n"))
    return lines + ([Line(pieces[-1], "")] if pieces[-1] else [])


def char_groups(text: str) -> list[str]:
    """``text`` cut where NFC cannot join what is on either side: each piece is a
    character with the combining marks on it (and any character it composes with), so
    ``"".join(nfc(g) for g in char_groups(t)) == nfc(t)``."""
    groups: list[str] = []
    for ch in text:
        if not groups or ch < "\x80":  # no ASCII character joins the one before it
            groups.append(ch)
            continue
        last = groups[-1]
        if unicodedata.combining(ch) or _nfc(last + ch) != _nfc(last) + _nfc(ch):
            groups[-1] = last + ch
        else:
            groups.append(ch)
    return groups


def _nfc(text: str) -> str:
    if text.isascii():
        return text
    # A byte that was not UTF-8 compares as U+FFFD, as the model saw it (one for one,
    # so offsets in the key and in the stored text stay in step).
    return _ESCAPED.sub("\ufffd", unicodedata.normalize("NFC", text))


@dataclass
class _Keyed:
    """A line's text as stored, its NFC form (the key), and where character boundaries
    fall in both (worked out only for lines a match starts or ends in)."""

    text: str
    key: str
    _bounds: dict[int, int] | None = None

    def raw_column(self, column: int) -> int | None:
        """The offset in ``text`` of ``column`` of ``key``; None inside a character."""
        if self.text.isascii():
            return column
        if self._bounds is None:
            self._bounds = _bounds(self.text, self.key)
        return self._bounds.get(column)


def _bounds(text: str, key: str) -> dict[int, int]:
    bounds = {0: 0}
    key_at = raw_at = 0
    parts = []
    for group in char_groups(text):
        part = _nfc(group)
        parts.append(part)
        key_at += len(part)
        raw_at += len(group)
        bounds[key_at] = raw_at
    if "".join(parts) != key:  # never seen; then only whole lines can be matched safely
        return {0: 0, len(key): len(text)}
    return bounds


def _keyed(text: str) -> _Keyed:
    return _Keyed(text, _nfc(text))


def key_of(text: str) -> str:
    """``text`` in the form Edit compares: NFC (line breaks as they are)."""
    return _nfc(text)


@dataclass
class TextDoc:
    """A decoded text file: its lines with their own endings, and its codec."""

    lines: list[Line]
    codec: Codec = field(default_factory=Codec)
    cr_only: bool = False
    # Text from the model is taken as Read showed it: a "\r" before a line break is a
    # stray CR the line holds, not half of a CRLF (see ``matching``).
    keep_cr: bool = False

    @classmethod
    def parse(cls, data: bytes) -> TextDoc:
        """Raises ``ValueError`` when ``data`` is not text (see ``files.decode_bytes``;
        a few bytes that are not UTF-8 do not make a file binary: ``EscapedCodec``)."""
        raw, codec = _decode(data)
        return cls.from_text(raw, codec)

    @classmethod
    def from_text(cls, raw: str, codec: Codec | None = None) -> TextDoc:
        cr_only = "\n" not in raw and "\r" in raw
        return cls(split_endings(raw, cr_only), codec or Codec(), cr_only)

    @cached_property
    def raw(self) -> str:
        """The file's characters exactly as stored."""
        return "".join(line.text + line.ending for line in self.lines)

    @cached_property
    def view(self) -> str:
        """The file as Read shows it: every line ending a plain ``\\n``."""
        return "".join(line.text + ("\n" if line.ending else "") for line in self.lines)

    def encode(self) -> bytes:
        return self.codec.encode(self.raw)

    def dominant_ending(self, fallback: str = "\n") -> str:
        """The most common line ending (the first seen on a tie); ``fallback`` when no
        line has one."""
        counts = Counter(line.ending for line in self.lines if line.ending)
        return counts.most_common(1)[0][0] if counts else fallback

    def describe_endings(self) -> str:
        """``CRLF``, ``LF``, ``CR``, ``mixed (CRLF, LF)`` or "" for a file without any."""
        names = {"\r\n": "CRLF", "\n": "LF", "\r": "CR"}
        kinds = list(dict.fromkeys(line.ending for line in self.lines if line.ending))
        if len(kinds) > 1:
            return "mixed (" + ", ".join(names[k] for k in kinds) + ")"
        return names[kinds[0]] if kinds else ""

    # -- matching ------------------------------------------------------------------

    @cached_property
    def _keyed(self) -> list[_Keyed]:
        return [_keyed(line.text) for line in self.lines]

    @cached_property
    def key(self) -> str:
        """The view in NFC: what ``old_string`` is searched in."""
        return "".join(
            k.key + ("\n" if line.ending else "")
            for k, line in zip(self._keyed, self.lines, strict=True)
        )

    @cached_property
    def _starts(self) -> tuple[list[int], list[int]]:
        key_starts, raw_starts = [], []
        key_at = raw_at = 0
        for keyed, line in zip(self._keyed, self.lines, strict=True):
            key_starts.append(key_at)
            raw_starts.append(raw_at)
            key_at += len(keyed.key) + (1 if line.ending else 0)
            raw_at += len(line.text) + len(line.ending)
        return key_starts, raw_starts

    def raw_offset(self, key_offset: int) -> int | None:
        """Where ``key_offset`` of ``key`` falls in ``raw``; None inside a character."""
        key_starts, raw_starts = self._starts
        if key_offset >= len(self.key):
            return len(self.raw) if key_offset == len(self.key) else None
        i = bisect.bisect_right(key_starts, key_offset) - 1
        column = key_offset - key_starts[i]
        keyed = self._keyed[i]
        if column >= len(keyed.key):  # at the line's ending
            return raw_starts[i] + len(self.lines[i].text)
        inner = keyed.raw_column(column)
        return None if inner is None else raw_starts[i] + inner

    def matching(self, old: str) -> TextDoc:
        """This file as Edit should read ``old`` in: as Read showed a line that ends in a
        stray ``\\r`` (``a\\r\\r\\n`` is shown ``a\\r``), when ``old`` copies it that
        way; otherwise ``self`` (a ``\\r\\n`` the model types is one line break)."""
        if self.cr_only or self.keep_cr or "\r\n" not in old:
            return self
        if not any(line.text.endswith("\r") for line in self.lines):
            return self
        if key_of(old) not in self.key:
            return self
        return replace(self, keep_cr=True)

    def normalise(self, text: str) -> str:
        """Text from the model in the view's terms: its line breaks as ``\\n``."""
        if self.keep_cr:
            return text
        text = text.replace("\r\n", "\n")
        return text.replace("\r", "\n") if self.cr_only else text

    def find(self, old: str) -> list[tuple[int, int, int]]:
        """Every non-overlapping match of ``old`` (as the model copied it from Read):
        ``(start, end, line)`` with ``raw[start:end]`` the matched characters as stored
        and ``line`` the 1-based line the match starts on."""
        needle = key_of(self.normalise(old))
        if not needle:
            return []
        found = []
        line, counted = 1, 0
        at = self.key.find(needle)
        while at >= 0:
            start, end = self.raw_offset(at), self.raw_offset(at + len(needle))
            if start is None or end is None:
                at = self.key.find(needle, at + 1)
                continue
            line += self.key.count("\n", counted, at)
            counted = at
            found.append((start, end, line))
            at = self.key.find(needle, at + len(needle))
        return found

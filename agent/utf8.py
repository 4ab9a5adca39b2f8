"""Text that leaves Harken is valid UTF-8; a name that had to be changed still opens.

Python strings can hold lone surrogates, which no UTF-8 file or JSON request may carry:
file names and command output with bytes that are not UTF-8 (``os`` decodes them with
``surrogateescape``: byte 0xE9 becomes U+DCE9), and JSON escapes such as ``"\\ud99c"`` in
the model's own output. Writing one to the transcript raises ``UnicodeEncodeError``;
sending one makes the API answer 400 ("no low surrogate in string").

    clean_text(text)       lone surrogates replaced by U+FFFD (split pairs joined)
    clean(value)           the same through dicts, lists and tuples (copy on write)
    needs_cleaning(value)  whether ``clean`` would change anything
    UNDECODABLE_NOTE       what a tool result with U+FFFD tells the model
    original_path(text, base)  the existing file a path with U+FFFD stands for, if one

The transcript writer, the API request and the session's events each pass everything
through ``clean``; the session also cleans what comes in (tool results, with the note).
"""

from __future__ import annotations

import os
import re
from typing import Any, TypeVar

T = TypeVar("T")

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")

UNDECODABLE_NOTE = (
    f"[Harken: {REPLACEMENT} here may stand for bytes that are not valid UTF-8, for example "
    f"in a file name. File tools accept such a path as shown if it matches one file only; in a "
    f"shell command, match each {REPLACEMENT} with the wildcard ?. In a file's text, Edit "
    f"matches {REPLACEMENT} copied from Read to such a byte and keeps the byte wherever the "
    "text around it does not change.]"
)


def clean_text(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (one per surrogate)."""
    if not _SURROGATE.search(text):
        return text
    # A pair split into two code points is one character: UTF-16 joins it; halves that
    # have no partner become U+FFFD.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def needs_cleaning(value: Any) -> bool:
    """Whether ``value`` (str, or dicts/lists/tuples of them, keys included) holds a
    lone surrogate."""
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(needs_cleaning(k) or needs_cleaning(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(needs_cleaning(item) for item in value)
    return False


def clean(value: T) -> T:
    """``value`` with every string cleaned; the same object when nothing had to change
    (requests and transcript records are cleaned on every write, almost always clean)."""
    if not needs_cleaning(value):
        return value
    return _clean(value)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_clean(item) for item in value)
    return value


def original_path(text: str, base: str | os.PathLike[str]) -> str | None:
    """The existing path that ``text`` names when each U+FFFD in it stands for bytes that
    were not UTF-8 (as ``clean`` shows such a name), as an absolute path whose undecodable
    bytes are ``surrogateescape`` characters (which ``open`` and ``os`` accept).

    None when ``text`` holds no U+FFFD, already exists as written, or a name in it with
    U+FFFD matches no entry or several (two names that differ only in those bytes stay
    unknown). Only the last name may be new (a file about to be written in a folder whose
    name was cleaned). Relative paths start at ``base``; ``~`` is expanded, as the tools do.
    """
    if REPLACEMENT not in text or "\n" in text or "\0" in text or len(text) > 4096:
        return None
    path = os.path.normpath(os.path.join(base, os.path.expanduser(text)))
    if os.path.lexists(path):
        return None
    head, *parts = path.split(os.sep)
    current, changed = head or os.sep, False
    for number, part in enumerate(parts, start=1):
        candidate = os.path.join(current, part)
        if REPLACEMENT in part and not os.path.lexists(candidate):
            try:
                names = os.listdir(current)
            except OSError:
                return None
            matches = [name for name in names if clean_text(name) == part]
            if len(matches) == 1:
                candidate, changed = os.path.join(current, matches[0]), True
            elif matches or number < len(parts):
                return None  # ambiguous, or a folder that is not there
        current = candidate
    return current if changed else None

"""Shell words: what one tree-sitter-bash word node means once the shell is done with it.

``evaluate`` removes quotes and backslashes, expands braces (``{a,b}``, ``{1..3}``) into
several words, and marks what only the run time can know (expansions, substitutions,
``$'...'``, ``~+``/``~-``) as dynamic, keeping the raw source text for those.
"""

from __future__ import annotations

import fnmatch
import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node

MAX_BRACE_WORDS = 64

_Chars = list[tuple[str, bool]]  # each character with whether it was quoted
_DQ_ESCAPES = frozenset('$`"\\\n')
_USER = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")
_SEQUENCE = re.compile(r"(-?\d+|[A-Za-z])\.\.(-?\d+|[A-Za-z])(?:\.\.(-?\d+))?")
_DYNAMIC_NODES = frozenset(
    {
        "simple_expansion",
        "expansion",
        "command_substitution",
        "process_substitution",
        "arithmetic_expansion",
        "translated_string",
    }
)


@dataclass(frozen=True)
class Word:
    """``text`` is the value, or the raw source when ``dynamic``. ``glob``: has unquoted
    ``*?[``. ``ansi_c``: uses ``$'...'``. ``braced``: came out of brace expansion."""

    text: str
    dynamic: bool = False
    glob: bool = False
    ansi_c: bool = False
    braced: bool = False


def names(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, for tables of names."""
    return frozenset(text.split())


def evaluate(node: Node) -> list[Word]:
    """The words ``node`` becomes (more than one only through brace expansion)."""
    raw = _text(node)
    chars = _chars(node)
    if chars is None:
        return [Word(raw, dynamic=True, ansi_c=_has_ansi_c(node))]
    if _dynamic_tilde(chars):
        return [Word(raw, dynamic=True)]
    expanded = _expand_braces(chars)
    if expanded is None:
        # Nested or oversized brace expansions are left to the run time.
        return [Word(raw, dynamic=True, braced=True)]
    braced = len(expanded) > 1 or expanded[0] != chars
    return [
        Word(
            "".join(c for c, _ in one),
            glob=any(c in "*?[" and not quoted for c, quoted in one),
            braced=braced,
        )
        for one in expanded
    ]


def may_match_parent(word: Word) -> bool:
    """Whether a glob in ``word`` could match ``..`` (older bash matches it with ``.*``)."""
    if not word.glob:
        return False
    for part in word.text.split("/"):
        if part.startswith(".") and any(c in part for c in "*?[") and _matches_dotdot(part):
            return True
    return False


def _matches_dotdot(pattern: str) -> bool:
    try:
        return fnmatch.fnmatchcase("..", pattern)
    except re.error:
        return True


def _text(node: Node) -> str:
    return node.text.decode("utf-8", "replace") if node.text is not None else ""


def _has_ansi_c(node: Node) -> bool:
    return node.type == "ansi_c_string" or any(_has_ansi_c(c) for c in node.children)


def _chars(node: Node) -> _Chars | None:
    """Characters after quote removal, or None when the value is known only at run time."""
    kind = node.type
    if kind in ("word", "number"):
        return _unescape_unquoted(_text(node))
    if kind == "raw_string":
        text = _text(node)
        if len(text) < 2 or text[0] != "'" or text[-1] != "'":
            return None
        return [(c, True) for c in text[1:-1]]
    if kind == "string":
        return _double_quoted(node)
    if kind == "concatenation":
        out: _Chars = []
        for child in node.children:
            part = _chars(child) if child.is_named else None
            if part is None:
                return None
            out += part
        return out
    if kind == "brace_expression":
        return [(c, False) for c in _text(node)]
    return None


def _unescape_unquoted(text: str) -> _Chars:
    out: _Chars = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append((text[i + 1], True))
            i += 2
        else:
            out.append((text[i], text[i] == "\\"))
            i += 1
    return out


def _double_quoted(node: Node) -> _Chars | None:
    out: _Chars = []
    for child in node.children:
        if child.type == '"' and not child.is_named:
            continue
        if child.type != "string_content":
            return None
        text = _text(child)
        i = 0
        while i < len(text):
            if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in _DQ_ESCAPES:
                if text[i + 1] != "\n":
                    out.append((text[i + 1], True))
                i += 2
            else:
                out.append((text[i], True))
                i += 1
    return out


def _dynamic_tilde(chars: _Chars) -> bool:
    """``~+``, ``~-`` and ``~N`` name directories only the running shell knows."""
    starts = [0] + [i + 1 for i, (c, q) in enumerate(chars) if c in "=:" and not q]
    for start in starts:
        if start >= len(chars) or chars[start] != ("~", False):
            continue
        prefix = ""
        for c, q in chars[start + 1 :]:
            if c == "/" and not q:
                break
            prefix += c
        if prefix and not _USER.fullmatch(prefix):
            return True
    return False


def _expand_braces(chars: _Chars) -> list[_Chars] | None:
    """Brace expansion as bash does it for flat braces; None when too complex or large."""
    results: list[_Chars] = []
    pending = [chars]
    while pending:
        current = pending.pop()
        found = _first_brace(current)
        if found is None:
            results.append(current)
        elif found == "complex":
            return None
        else:
            start, end, parts = found
            prefix, suffix = current[:start], current[end + 1 :]
            pending += [prefix + part + suffix for part in reversed(parts)]
        if len(results) + len(pending) > MAX_BRACE_WORDS:
            return None
    return results


def _first_brace(chars: _Chars) -> tuple[int, int, list[_Chars]] | str | None:
    for start, (c, quoted) in enumerate(chars):
        if c != "{" or quoted:
            continue
        depth, commas, end = 0, [], -1
        for j in range(start, len(chars)):
            c2, q2 = chars[j]
            if q2:
                continue
            if c2 == "{":
                depth += 1
            elif c2 == "}":
                depth -= 1
                if depth == 0:
                    end = j
                    break
            elif c2 == "," and depth == 1:
                commas.append(j)
        if end < 0:
            continue
        body = chars[start + 1 : end]
        if any(c2 in "{}" and not q2 for c2, q2 in body):
            return "complex"
        if commas:
            bounds = [start, *commas, end]
            return start, end, [chars[a + 1 : b] for a, b in itertools.pairwise(bounds)]
        sequence = _sequence("".join(c2 for c2, _ in body)) if not any(q for _, q in body) else []
        if sequence is None:
            return "complex"
        if sequence:
            return start, end, [[(c2, False) for c2 in item] for item in sequence]
    return None


def _sequence(body: str) -> list[str] | None:
    """Items of ``a..b[..step]``; [] when ``body`` is no sequence, None when too long."""
    match = _SEQUENCE.fullmatch(body)
    if not match:
        return []
    first, last, step_text = match.groups()
    step = abs(int(step_text)) if step_text else 1
    step = step or 1
    if first.isalpha() != last.isalpha():
        return []
    letters = first.isalpha()
    numbers = (
        _range(ord(first), ord(last), step) if letters else _range(int(first), int(last), step)
    )
    if len(numbers) > MAX_BRACE_WORDS:
        return None
    if letters:
        return [chr(n) for n in numbers]
    width = max(len(first), len(last)) if _zero_padded(first, last) else 0
    return [str(n).zfill(width) if n >= 0 else str(n) for n in numbers]


def _range(lo: int, hi: int, step: int) -> range:
    return range(lo, hi + 1, step) if lo <= hi else range(lo, hi - 1, -step)


def _zero_padded(first: str, last: str) -> bool:
    return any(len(x.lstrip("-")) > 1 and x.lstrip("-").startswith("0") for x in (first, last))

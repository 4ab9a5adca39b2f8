"""Text for the ear: what an answer written for the eye becomes before it is spoken.

``for_the_ear(text)`` drops code blocks, markdown and tables; reads paths as their file
names and URLs as their site (``spoken_links``); drops pictographs (``spoken_symbols``);
says dates, times, versions, phone numbers and ranges as people do (``spoken_numbers``),
units, fractions and long hashes too (``spoken_units``);
rewrites the other symbols espeak reads badly.
``spoken_summary(answer)`` turns an agent's final answer into at most two short sentences.
``read_aloud(answer)`` is the whole answer for the ear: code blocks and tables are described
("A Python code block of 12 lines, shown on screen.", "A table of 3 rows with the columns
Name and Size, shown on screen.") instead of dropped or read out symbol by symbol.
``sentences(text)`` splits text where a speaker can pause (used to speak sentence by sentence);
``spoken_pieces(text)`` splits further, a long sentence at its clauses, so that no piece a
synthesiser gets is longer than ``PIECE_CHARS`` (Piper's time grows faster than the text:
3,300 characters in one sentence took it over 36 s on two busy cores, 200 took 1.6 s).
"""

from __future__ import annotations

import re

from audio.spoken_links import name_of, say_links
from audio.spoken_numbers import say_numbers
from audio.spoken_symbols import say_symbols
from audio.spoken_units import say_identifiers, say_units

_FENCE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)", re.DOTALL)
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$", re.MULTILINE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s+|$)", re.MULTILINE)  # "#️⃣" is a keycap
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+", re.MULTILINE)
_BULLET_LINE = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+.*$", re.MULTILINE)
_QUOTE = re.compile(r"^\s*>\s?", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(?=\S)(.+?)(?<=\S)\1")
_INLINE_CODE = re.compile(r"`([^`]*)`")

# Symbol and number forms espeak reads badly or not at all, as words.
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\be\.g\.", "for example"),
        (r"\bi\.e\.", "that is"),
        (r"\betc\.(?=\s+[A-Z]|\s*$)", "and so on."),  # it also ended the sentence
        (r"\betc\.", "and so on"),
        # Abbreviations said whole; their full stop would end a sentence where none ends.
        (r"\bDr\.(?=\s)", "Doctor"),
        (r"\bMr\.(?=\s)", "Mister"),
        (r"\bMrs\.(?=\s)", "Missus"),
        (r"\bMs\.(?=\s)", "Ms"),
        (r"\bProf\.(?=\s)", "Professor"),
        (r"\bJr\.(?=\s+[a-z])", "Junior"),
        (r"\bSr\.(?=\s+[a-z])", "Senior"),
        (r"\bSt\.(?=\s)", "St"),
        (r"\bapprox\.", "approximately"),
        (r"\bcf\.", "compare"),
        (r"\bFig\.(?=\s)", "figure"),
        (r"\bvs\.?(?=\s)", "versus"),
        (r"(?<=\d)\s*[x×]\s*(?=\d)", " by "),
        (r"(?<=\d)x\b", " times"),
        (r"(?<=\d)\s?%", " percent"),
        (r"#(\d+)", r"number \1"),
        (r"\s*(?:->|=>|→|⇒|⟶)\s*", " to "),
        (r"\s*(?:<-|←|⇐|⟵)\s*", " from "),
        (r"\s*(?:<->|↔|⇔)\s*", " and "),
        (r"\s*±\s*", " plus or minus "),
        (r"\s*≈\s*", " about "),
        (r"\s*≠\s*", " is not "),
        (r"\s*≥\s*", " at least "),
        (r"\s*≤\s*", " at most "),
        (r"\s*&&?\s*", " and "),
        (r"\s*(?:==|=)\s*", " equals "),
        (r"\s*!=\s*", " is not "),
        (r"\s*>=\s*", " at least "),
        (r"\s*<=\s*", " at most "),
        (r"(?<=\s)~(?=\d)", "about "),
        (r"\s*\+\s*(?=\d)", " plus "),
        (r"[*_|<>{}\[\]^\\]", " "),
    )
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n{2,}|(?<=:)\n")


def for_the_ear(text: str) -> str:
    """Plain sentences a speech synthesiser reads well."""
    text = _FENCE.sub(" ", text)
    text = _TABLE_ROW.sub(" ", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _INLINE_CODE.sub(lambda m: name_of(say_links(m.group(1))), text)
    text = say_links(text)
    text = _HEADING.sub("", text)
    text = _QUOTE.sub("", text)
    text = say_symbols(text)  # a check mark leading a list item is read before the bullet goes
    text = _BULLET.sub("", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = say_units(say_numbers(say_identifiers(text)))
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    # A list item becomes a sentence of its own.
    lines = [ln.strip() for ln in text.splitlines()]
    ended = (".", "!", "?", ":", ",")
    text = " ".join(ln if ln.endswith(ended) else ln + "." for ln in lines if ln)
    text = re.sub(r"\s+([.,!?;:)])|(\()\s+", r"\1\2", text)
    text = re.sub(r"([.!?])[.]+", r"\1", text)
    return re.sub(r"\s{2,}", " ", text).strip()


_FENCE_INFO = re.compile(r"(```|~~~)[ \t]*([\w+#.-]*)[^\n]*\n?(.*?)(?:\1|\Z)", re.DOTALL)
_TABLE = re.compile(r"(?:^[ \t]*\|.*\|[ \t]*(?:\n|\Z))+", re.MULTILINE)
_LANGUAGES = {"py": "Python", "js": "JavaScript", "ts": "TypeScript", "sh": "shell",
              "bash": "shell", "console": "shell", "rs": "Rust", "cpp": "C++", "yml": "YAML",
              "md": "Markdown", "json": "JSON", "toml": "TOML", "yaml": "YAML", "sql": "SQL",
              "html": "HTML", "css": "CSS", "diff": "diff", "go": "Go"}  # fmt: skip


def read_aloud(answer: str) -> str:
    """The whole answer as it is read aloud: code blocks and tables described."""
    text = _FENCE_INFO.sub(lambda m: _paragraph(_describe_code(m.group(2), m.group(3))), answer)
    text = _TABLE.sub(lambda m: _paragraph(_describe_table(m.group(0))), text)
    return for_the_ear(text)


def _paragraph(sentence: str) -> str:
    return f"\n\n{sentence}\n\n"


def _describe_code(language: str, body: str) -> str:
    lines = len([ln for ln in body.splitlines() if ln.strip()])
    name = _LANGUAGES.get(language.lower(), language.capitalize() if language else "")
    kind = f"{name} code block" if name else "code block"
    article = "An" if kind[0].upper() in "AEIOU" else "A"
    size = "1 line" if lines == 1 else f"{lines} lines"
    return f"{article} {kind} of {size}, shown on screen."


def _describe_table(table: str) -> str:
    rows = [r.strip().strip("|") for r in table.strip().splitlines()]
    cells = [[c.strip() for c in r.split("|")] for r in rows]
    body = [c for c in cells if not all(re.fullmatch(r":?-+:?|", x) for x in c)]
    has_header = len(body) < len(cells)  # a |---| line follows the header
    header = body[0] if has_header and body else []
    count = len(body) - (1 if header else 0)
    rows_said = "1 row" if count == 1 else f"{count} rows"
    columns = [re.sub(r"[*_`]", "", h) for h in header if h]
    if columns:
        named = ", ".join(columns[:-1]) + (" and " if len(columns) > 1 else "") + columns[-1]
        return f"A table of {rows_said} with the columns {named}, shown on screen."
    return f"A table of {rows_said}, shown on screen."


def _ear_sentences(text: str) -> list[str]:
    found = []
    for paragraph in re.split(r"\n\s*\n|(?<=:)\s*\n", text):
        found += [s for s in sentences(for_the_ear(paragraph)) if not s.endswith(":")]
    return found


def sentences(text: str) -> list[str]:
    """Split where a speaker pauses; empty pieces dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


PIECE_CHARS = 250  # about 15 s of speech; a sentence longer than this is rare
# After a mark, or before a conjunction: "..., and" / "... | and then".
_CLAUSE_BREAK = re.compile(r"[,;:\u2013\u2014)]\s+|\s+(?=(?:and|but|or|so|then|which|because)\s)")


def spoken_pieces(text: str, limit: int = PIECE_CHARS) -> list[str]:
    """``sentences(text)`` with every sentence longer than ``limit`` cut at its last clause
    break (a comma, a semicolon, a dash, "and", ...) before ``limit``, or at a space."""
    found: list[str] = []
    for sentence in sentences(text):
        while len(sentence) > limit:
            breaks = [
                m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, limit) if m.end() > limit // 3
            ]
            cut = breaks[-1] if breaks else sentence.rfind(" ", limit // 3, limit) + 1
            if cut <= 0:
                cut = limit  # one word longer than the limit: cut it anyway
            head, sentence = sentence[:cut].strip(), sentence[cut:].strip()
            if head:
                found.append(head)
        if sentence:
            found.append(sentence)
    return found


def spoken_summary(answer: str, max_sentences: int = 2, max_words: int = 30) -> str:
    """At most ``max_sentences`` short sentences saying what the answer says."""
    # Prose says what happened; lists and the sentence introducing them ("Here is what I
    # changed:") are detail the ear cannot follow. Lists count only when there is no prose.
    prose = _BULLET_LINE.sub("", _FENCE.sub(" ", answer))
    candidates = _ear_sentences(prose) or _ear_sentences(answer)
    kept: list[str] = []
    for sentence in candidates:
        words = sentence.split()
        if len(words) > max_words:
            cut = " ".join(words[:max_words])
            cut = cut.rsplit(",", 1)[0] if "," in cut else cut
            sentence = cut.rstrip(",;: ") + "."
        kept.append(sentence)
        if len(kept) == max_sentences:
            break
    return " ".join(kept)

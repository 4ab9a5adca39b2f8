"""Word error rate, for the benchmark and the tests: edit distance over normalised words.

Normalising lowercases, spells out "." between letters as "dot" (so ``app.py`` and
"app dot py" are the same words), and drops other punctuation.
"""

from __future__ import annotations

import re

_DOT = re.compile(r"(?<=\w)\.(?=\w)")
_NOT_WORD = re.compile(r"[^\w\s']+")


def words(text: str) -> list[str]:
    text = _DOT.sub(" dot ", text.lower()).replace("-", " ")
    return _NOT_WORD.sub(" ", text).replace("'", "").split()


def errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word edits, reference words) between two texts."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1], len(ref)


def wer(reference: str, hypothesis: str) -> float:
    edits, total = errors(reference, hypothesis)
    return edits / max(1, total)

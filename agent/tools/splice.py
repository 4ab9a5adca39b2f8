"""Writing a change into a text file so that only what changes changes.

``splice(doc, start, end, new, ending)`` is what ``doc.raw[start:end]`` (a match found by
``TextDoc.find``, or the whole file for Write) becomes when the model asks for ``new``,
written with plain ``\\n`` line breaks as Read shows the file. In the file's own terms:

- Lines of ``new`` equal (under NFC) to lines of the replaced text keep their stored
  characters and ending: a line diff aligns them, so context the model repeats is not
  rewritten (its CRLF or LF stays, its NFD form stays).
- A changed line takes the ending of the line it replaces (paired in order within a
  changed block), and keeps, as stored, the characters that did not change (at its start
  and end, and between the changes).
- A line that replaces none takes ``ending``: the caller passes the file's dominant one
  (``TextDoc.dominant_ending``).

So a file's line-ending style, byte order mark and Unicode form are never converted by
Edit or Write; converting them is a job for Bash (``dos2unix``, ``uconv``).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from agent.tools.text_lines import TextDoc, char_groups, key_of, split_endings

MAX_CHAR_DIFF = 1_000_000  # characters compared in one changed line, at most (old x new)


def splice(doc: TextDoc, start: int, end: int, new: str, ending: str) -> str:
    """The characters to store in place of ``doc.raw[start:end]`` for the model's ``new``."""
    old_lines = split_endings(doc.raw[start:end], doc.cr_only)
    new_lines = _model_lines(doc.normalise(new))
    old_keys = [key_of(line.text) + ("\n" if line.ending else "") for line in old_lines]
    new_keys = [key_of(text) + ("\n" if ends else "") for text, ends in new_lines]
    out: list[str] = []
    matcher = SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.extend(line.text + line.ending for line in old_lines[i1:i2])
            continue
        for t, (text, ends) in enumerate(new_lines[j1:j2]):
            paired = old_lines[i1 + t] if i1 + t < i2 else None
            if paired is not None:
                text = keep_unchanged_ends(paired.text, text)
            if not ends:
                out.append(text)
            elif paired is not None and paired.ending:
                out.append(text + paired.ending)
            else:
                out.append(text + ending)
    return "".join(out)


def _model_lines(text: str) -> list[tuple[str, bool]]:
    """``text`` as (line, ends with a line break) pairs."""
    if not text:
        return []
    pieces = text.split("\n")
    lines = [(piece, True) for piece in pieces[:-1]]
    return lines + ([(pieces[-1], False)] if pieces[-1] else [])


def keep_unchanged_ends(stored: str, wanted: str) -> str:
    """``wanted``, but with every run of characters it shares (under NFC) with ``stored``
    taken as ``stored`` has them: at its start and end, and between two changes in one
    line (an NFD letter, or a byte that was not UTF-8, the model did not touch)."""
    old, new = char_groups(stored), char_groups(wanted)
    old_keys, new_keys = [key_of(g) for g in old], [key_of(g) for g in new]
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old_keys[prefix] == new_keys[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old_keys[-1 - suffix] == new_keys[-1 - suffix]:
        suffix += 1
    old_middle = old[prefix : len(old) - suffix]
    new_middle = new[prefix : len(new) - suffix]
    middle = new_middle
    if len(old_middle) * len(new_middle) <= MAX_CHAR_DIFF:  # a minified line stays fast
        matcher = SequenceMatcher(
            None,
            old_keys[prefix : len(old) - suffix],
            new_keys[prefix : len(new) - suffix],
            autojunk=False,
        )
        middle = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            middle.extend(old_middle[i1:i2] if tag == "equal" else new_middle[j1:j2])
    return "".join(old[:prefix] + middle + old[len(old) - suffix :])

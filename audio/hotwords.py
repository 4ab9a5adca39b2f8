"""Vocabulary from the workspace, so spoken names come back spelled as on disk.

``workspace_words(folder)`` collects the project name, file names (a shallow walk that
skips hidden, build and dependency folders) and top-level identifiers of source files.
``hotword_prompt(words)`` turns them, with the user's own word list, into the text Whisper
is primed with. ``respell(text, words)`` then fixes what priming cannot: "open the readme"
-> "open the README.md", "edit app dot py" -> "edit app.py", "load config" ->
"load_config" when that identifier exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

SKIP_DIRS = {
    "node_modules", "__pycache__", "build", "dist", "target", "venv", "env", "site-packages",
}  # fmt: skip
SOURCE_SUFFIXES = {".py", ".js", ".ts", ".tsx", ".jsx", ".go", ".rs", ".rb", ".java", ".kt"}
_TOP_LEVEL = re.compile(
    r"^(?:export\s+)?(?:pub\s+)?(?:async\s+)?(?:def|class|function|func|fn|struct|interface)"
    r"\s+([A-Za-z]\w*)",
    re.MULTILINE,
)
# Only names made of several words ("load_config", "SpeechDetector"): a one-word name is
# an ordinary word Whisper already knows, and ALL_CAPS names teach it to shout.
_COMPOUND = re.compile(r"^(?=.*[a-z])[A-Za-z]+(?:_[A-Za-z0-9]+|[A-Z][a-z0-9]+)+$")


def workspace_words(folder: Path, *, max_files: int = 200, depth: int = 2) -> list[str]:
    """Names worth hearing right in ``folder``: project name, files, top-level identifiers."""
    folder = folder.expanduser()
    if not folder.is_dir():
        return []
    words = [folder.resolve().name]
    files = _files(folder, depth, max_files)
    words += [f.name for f in files]
    for f in files:
        if f.suffix in SOURCE_SUFFIXES and f.stat().st_size < 200_000:
            text = f.read_text(encoding="utf-8", errors="replace")
            words += [name for name in _TOP_LEVEL.findall(text) if _COMPOUND.match(name)]
    return _unique(words)


def _files(folder: Path, depth: int, limit: int) -> list[Path]:
    found: list[Path] = []
    layer = [folder]
    for _ in range(depth):
        next_layer = []
        for d in layer:
            try:
                entries = sorted(d.iterdir())
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or entry.name in SKIP_DIRS:
                    continue
                if entry.is_dir():
                    next_layer.append(entry)
                elif entry.is_file():
                    found.append(entry)
                    if len(found) >= limit:
                        return found
        layer = next_layer
    return found


def hotword_prompt(words: Iterable[str], max_words: int = 24, max_chars: int = 300) -> str:
    """The hotwords text for Whisper, first words first (put the user's words first).

    Kept short: a long list of names primes a small model to recite names.
    """
    out: list[str] = []
    size = 0
    for word in _unique(words):
        if len(out) == max_words or size + len(word) + 2 > max_chars:
            break
        out.append(word)
        size += len(word) + 2
    return ", ".join(out)


def parse_word_list(text: str) -> list[str]:
    """A user word list from a setting: comma- or newline-separated."""
    return [w.strip() for w in re.split(r"[,\n]", text) if w.strip()]


def respell(text: str, words: Iterable[str]) -> str:
    """Replace spoken forms of workspace names by their spelling on disk."""
    spoken = _spoken_forms(words)
    if not spoken:
        return text
    tokens = re.findall(r"\w+|[^\w\s]+|\s+", text)
    longest = max(len(k) for k in spoken)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        match = None
        # Try the longest run of words starting here whose joined key names a file.
        for j in range(min(len(tokens), i + 2 * longest), i, -1):
            key = _key("".join(tokens[i:j]))
            if key in spoken and _is_word(tokens[j - 1]) and _is_word(tokens[i]):
                match = (j, spoken[key])
                break
        if match:
            j, name = match
            out.append(name)
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return "".join(out)


def _spoken_forms(words: Iterable[str]) -> dict[tuple[str, ...], str]:
    """Key (spoken words) -> spelling. "README.md": (readme, dot, md) and (readme,) etc."""
    forms: dict[tuple[str, ...], str] = {}
    for word in words:
        parts = _split_name(word)
        if not parts:
            continue
        stem, _, suffix = word.partition(".")
        stem_parts = _split_name(stem)
        if suffix and "." not in suffix:
            forms[(*stem_parts, "dot", *_split_name(suffix))] = word
            # The bare stem names the file only where it cannot be an ordinary word.
            if stem.isupper() and len(stem) > 3:
                forms.setdefault(tuple(stem_parts), word)
        elif len(stem_parts) > 1:  # snake_case / CamelCase identifiers
            forms.setdefault(tuple(stem_parts), word)
    # "read me" for "readme": a spoken word Whisper often splits in two.
    for key, word in list(forms.items()):
        if key and key[0] == "readme":
            forms.setdefault(("read", "me", *key[1:]), word)
    return forms


def _split_name(name: str) -> list[str]:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [p.lower() for p in re.split(r"[^A-Za-z0-9]+", name) if p]


def _key(span: str) -> tuple[str, ...]:
    span = re.sub(r"(?<=\w)\.(?=\w)", " dot ", span)
    return tuple(p.lower() for p in re.split(r"[^A-Za-z0-9]+", span) if p)


def _is_word(token: str) -> bool:
    return bool(re.match(r"\w", token))


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)

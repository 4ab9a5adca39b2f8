"""Vocabulary from the workspace, so spoken names come back spelled as on disk.

``workspace_words(folder)`` collects the project name, file names (a shallow walk that
skips hidden, build and dependency folders), folder names and top-level identifiers of
source files. ``hotword_prompt(words)`` picks from them, with the user's own word list, the
text Whisper is primed with. ``respell(text, words)`` then fixes what priming cannot:
spoken punctuation of names ("notes dot t x t" -> "notes.txt", ``audio.spoken_names``),
"open the readme" -> "open the README.md", "load config" -> "load_config" when that
identifier exists, and names heard a little wrong ("node.txt" -> "notes.txt") by sound.

Only names Whisper cannot spell by itself prime the decoder: file names with an extension
and compound identifiers. A plain word or a hyphenated name (the workspace folder's own
name, "harken-demo", or a user's ordinary word) is left to respelling after decoding:
measured with tiny.en on espeak-ng sentences that name no file, priming with a folder
name changed words and their case in those sentences ("run the tests" -> "Run the
tests", "Harken" heard where nothing like it was said), while respelling cannot change a
sentence that does not contain the name. Nor do names that are not word-like ("n2.wav",
"v1.py": short codes and digits a model cannot hear as words) or media and temporary files
(recordings, images, logs): priming with them made tiny.en recite them ("open app dot py"
came out "n2b." in a folder of recordings).

A hinted decoding is trusted only where it says what the plain one said (``hinted_agrees``):
word for word, except that a short stretch may become one hint name. Hints may change how a
name is spelled; they may not add, drop or change other words.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable
from pathlib import Path

from audio.spoken_names import match_names, phonetic_key, spell_names

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


class RespellOnly(str):
    """A workspace word that is respelled after decoding but never primes the decoder:
    the workspace folder's own name, other folder names, files without an extension
    ("LICENSE", "Makefile": ordinary words that priming would make Whisper shout)."""


def workspace_words(folder: Path, *, max_files: int = 200, depth: int = 2) -> list[str]:
    """Names worth hearing right in ``folder``: project name, files, top-level identifiers."""
    folder = folder.expanduser()
    if not folder.is_dir():
        return []
    words: list[str] = [RespellOnly(folder.resolve().name)]
    files = _files(folder, depth, max_files)
    words += [f.name if "." in f.name.strip(".") else RespellOnly(f.name) for f in files]
    words += [RespellOnly(d.name) for d in _folders(folder, depth)]
    for f in files:
        if f.suffix in SOURCE_SUFFIXES and f.stat().st_size < 200_000:
            text = f.read_text(encoding="utf-8", errors="replace")
            words += [name for name in _TOP_LEVEL.findall(text) if _COMPOUND.match(name)]
    return _unique(words)


def _folders(folder: Path, depth: int) -> list[Path]:
    """Folders ``depth`` levels down (not hidden, build or dependency folders)."""
    found: list[Path] = []
    layer = [folder]
    for _ in range(depth):
        layer = [
            entry
            for d in layer
            for entry in _entries(d)
            if entry.is_dir() and not entry.name.startswith(".") and entry.name not in SKIP_DIRS
        ]
        found += layer
    return found[:100]


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


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
    for word in _unique(w for w in words if primes(w)):
        if len(out) == max_words or size + len(word) + 2 > max_chars:
            break
        out.append(word)
        size += len(word) + 2
    return ", ".join(out)


# Files that are not things people name in speech: priming with them only adds noise.
_UNSPOKEN_SUFFIXES = {
    "wav", "mp3", "flac", "ogg", "opus", "m4a", "aac", "webm", "mp4", "mkv", "avi", "mov",
    "png", "jpg", "jpeg", "gif", "bmp", "webp", "tmp", "temp", "bak", "swp", "log", "pyc",
    "o", "so", "part", "crdownload", "lock", "orig", "rej", "out", "pid",
}  # fmt: skip


def primes(word: str) -> bool:
    """Whether ``word`` primes the decoder: the user's words and the workspace's file
    names with an extension and identifiers do, if they are word-like; folder names and
    files without an extension (``RespellOnly``), names with digits or no part of three
    letters ("n2b.wav", "x1.py"), and media or temporary files ("take.wav") do not."""
    if isinstance(word, RespellOnly):
        return False
    stem, _, suffix = word.partition(".")
    if suffix and suffix.rpartition(".")[2].lower() in _UNSPOKEN_SUFFIXES:
        return False
    # Word-like: each part has letters to say, one part a word's worth ("file2.py" does;
    # "n2b.wav", "x1.py" do not).
    runs = [max((len(r) for r in re.findall(r"[a-z]+", p)), default=0) for p in _split_name(stem)]
    return bool(runs) and min(runs) >= 2 and max(runs) >= 3


MAX_NAME_WORDS = (
    6  # the most plain words one name may replace ("deploy underscore staging dot s h")
)


def hinted_agrees(plain: str, hinted: str, hotwords: str, *, plain_unsure: bool = False) -> bool:
    """Whether the hinted decoding ``hinted`` says what the plain one ``plain`` said, apart
    from how names are written: word for word (case and punctuation aside), except where
    a stretch of one to ``MAX_NAME_WORDS`` plain words became one of ``hotwords`` (the
    prompt), the stem of one ("README" for README.md), or a name with a part that sounds
    like one. Anything else (words dropped, added or changed, a name where nothing was
    heard) means the hints were recited.

    ``plain_unsure``: the plain text is not trusted (it would be dropped as "not
    understood"), so it cannot lose the user's words; the hinted one may then change its
    words ("over that dot i" -> "open app.py") as long as it does not recite: no words
    added where none were heard, at most one name for each changed stretch, and at least
    half as many words as the plain text ("n2b." for four words heard is recited)."""
    said, written = _words(plain), _words(hinted)
    names = {n.strip().lower() for n in hotwords.split(",") if n.strip()}
    names |= {n.partition(".")[0] for n in names}  # "README" for README.md
    keys = {phonetic_key(p) for n in names for p in _split_name(n) if len(p) >= 3}
    if plain_unsure and 2 * len(written) < len(said):
        return False
    matcher = difflib.SequenceMatcher(a=said, b=written, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op != "replace" or not 1 <= i2 - i1 <= MAX_NAME_WORDS:
            return False
        found = [w for w in written[j1:j2] if w in names or _names_a_hint(w, keys)]
        if plain_unsure:  # a name may split a word it was glued to ("Overapp.py")
            if len(found) > 1 or j2 - j1 > i2 - i1 + len(found):
                return False
        elif j2 - j1 != 1 or not found:
            return False
    return True


def _words(text: str) -> list[str]:
    """Lowercase words without the punctuation around them ("App.py," -> "app.py")."""
    return [w for w in (t.strip(".,;:!?\"'()").lower() for t in text.split()) if w]


def _names_a_hint(word: str, keys: set[str]) -> bool:
    # A name-like word ("app.py", "load_config") whose parts sound like a hint's parts.
    if not re.search(r"[._/]", word):
        return False
    return any(phonetic_key(p) in keys for p in _split_name(word) if len(p) >= 3)


_SPOKEN_MARKS = re.compile(r"\b(?:dot|underscore|slash|hyphen)\b|\w[._/]\w", re.IGNORECASE)


def needs_hints(text: str, hotwords: str) -> bool:
    """Whether ``text``, decoded without hints, may name one of ``hotwords`` (the prompt
    ``hotword_prompt`` made): it says name punctuation ("dot", "underscore", "slash"),
    holds a name-like token ("app.py"), or has a word or two that sound like a hint word's
    parts. A decoder can then decode again with the hints; a sentence that names none is
    kept as decoded without them, so hints cannot change it."""
    if not text.strip() or not hotwords.strip():
        return False
    if _SPOKEN_MARKS.search(text):
        return True
    keys = {phonetic_key(p) for w in hotwords.split(",") for p in _split_name(w.strip())}
    keys |= {
        phonetic_key("".join(_split_name(w.strip().rpartition(".")[0] or w)))
        for w in hotwords.split(",")
    }
    keys = {k for k in keys if len(k) >= 3}  # short keys match too many ordinary words
    heard = re.findall(r"[A-Za-z]+", text)
    pairs = [a + b for a, b in itertools.pairwise(heard)]
    return any(phonetic_key(w) in keys for w in heard + pairs)


def parse_word_list(text: str) -> list[str]:
    """A user word list from a setting: comma- or newline-separated."""
    return [w.strip() for w in re.split(r"[,\n]", text) if w.strip()]


def respell(text: str, words: Iterable[str]) -> str:
    """Replace spoken forms of workspace names by their spelling on disk."""
    words = list(words)
    text = spell_names(text)
    spoken = _spoken_forms(words)
    if not spoken:
        return match_names(text, words)
    tokens = re.findall(r"\w+|[^\w\s]+|\s+", text)
    longest = max(len(k) for k in spoken)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        match = None
        # Try the longest run of words starting here whose joined key names a file.
        for j in range(min(len(tokens), i + 2 * longest), i, -1):
            span = "".join(tokens[i:j])
            if re.search(r"[,;!?]", span):
                # A name is not said across a comma: "the new one, run the tests" is two
                # phrases, not the workspace's ``one_run``.
                continue
            key = _key(span)
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
    return match_names("".join(out), words)


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
        # "deploy dash staging": "dash" joins a name only where a workspace name has a
        # hyphen there (as a word, "a dash of salt", it is left alone).
        pieces = stem.split("-")
        if len(pieces) > 1 and all(pieces):
            spoken = [p for piece in pieces for p in ("dash", *_split_name(piece))][1:]
            ext = (*("dot", *_split_name(suffix)),) if suffix and "." not in suffix else ()
            forms.setdefault((*spoken, *ext), word)
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

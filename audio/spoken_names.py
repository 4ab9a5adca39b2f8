"""Spoken file names and code punctuation, written as they are spelled.

People say names the way they read them: "notes dot t x t", "app dot py", "load underscore
config", "source slash app". Whisper writes those words out ("notes dot T-X-T", "load
underscore config"), or half of them ("note.txt"). Two steps put them right:

- ``spell_names(text)``: the spoken punctuation of a name becomes its character where it
  joins two parts of a name: "dot" before an extension (a known one, or letters spelled
  one by one), "underscore", "slash", "hyphen", "backslash", also as Whisper splits them
  ("under score", "back slash", "forward slash"). "dot" before an ordinary word ("connect
  the dots", "dot the i's") is left alone. Extension and spelled letters are lowercased.
- ``match_names(text, names)``: a name in the text (one with an extension, an underscore, a
  slash or inner capitals) that sounds like a workspace name (``phonetic_key``, a simple
  Metaphone-like key, and the same extension) takes the workspace's spelling; each part
  of a path is matched on its own, and a spoken word for a folder's usual abbreviation
  ("source" for ``src``) becomes that folder where the workspace has one. Plain words are
  never touched, so sentences that name no file stay as heard.

No audio, no Qt: text rules only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Extensions as Whisper writes them when they are said as a word.
SPOKEN_EXTENSIONS = {
    "pie": "py", "pi": "py", "pye": "py", "python": "py", "text": "txt", "jason": "json",
    "javascript": "js", "markdown": "md", "yammel": "yaml", "yamel": "yaml", "tommel": "toml",
    "tomel": "toml", "shell": "sh", "see": "c", "sea": "c", "h": "h", "cpp": "cpp",
}  # fmt: skip
EXTENSIONS = {
    "py", "txt", "md", "json", "toml", "yaml", "yml", "js", "ts", "tsx", "jsx", "sh", "rs",
    "go", "c", "h", "cpp", "hpp", "java", "kt", "rb", "html", "css", "csv", "xml", "sql",
    "ini", "cfg", "log", "lock", "env", "pdf", "png", "jpg", "svg", "zip", "ipynb", "lua",
    "php", "swift", "vue", "scss", "conf", "rst", "tex", "mk", "bat", "ps1", "wav", "mp3",
}  # fmt: skip
# Folder abbreviations and the words people say for them.
ABBREVIATIONS = {
    "source": "src", "library": "lib", "documentation": "docs", "binary": "bin",
    "binaries": "bin", "package": "pkg", "packages": "pkg", "command": "cmd",
    "utilities": "utils", "configuration": "config", "temp": "tmp", "images": "img",
    "scripts": "scripts", "tests": "tests",
}  # fmt: skip
JOINERS = {"underscore": "_", "slash": "/", "hyphen": "-", "backslash": "\\"}
# Joiners Whisper writes as two words ("under score", "back slash", "forward slash"):
# first word -> (second word, joiner).
SPLIT_JOINERS = {"under": ("score", "underscore"), "back": ("slash", "backslash"),
                 "forward": ("slash", "slash")}  # fmt: skip
MAX_SPELLED = 5  # letters of a spelled extension ("t x t", "i p y n b")
_TOKEN = re.compile(r"[A-Za-z0-9]+|[^A-Za-z0-9]+")
_SHOUTED_EXT = re.compile(r"\b(\w+)\.(" + "|".join(e.upper() for e in EXTENSIONS) + r")\b")
# "notes. T-X-T": Whisper wrote the "dot" itself and spelled the letters.
_DOTTED_LETTERS = re.compile(r"\b(\w+)\. ?((?:[A-Za-z][ .\-]){1,4}[A-Za-z])\b")
_NAME = re.compile(r"[A-Za-z0-9][\w.\-/]*[A-Za-z0-9]|[A-Za-z0-9]")


def spell_names(text: str) -> str:
    """``text`` with spoken name punctuation written: "app dot py" -> "app.py"."""
    text = _DOTTED_LETTERS.sub(_dotted, text)
    tokens = _TOKEN.findall(text)
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        low = token.lower()
        joined = _join(out, tokens, i, low)
        if joined is not None:
            i = joined
            continue
        out.append(token)
        i += 1
    return _SHOUTED_EXT.sub(lambda m: m.group(1) + "." + m.group(2).lower(), "".join(out))


def _dotted(match: re.Match[str]) -> str:
    letters = re.sub(r"[^A-Za-z]", "", match.group(2)).lower()
    return f"{match.group(1)}.{letters}" if letters in EXTENSIONS else match.group(0)


def _join(out: list[str], tokens: list[str], i: int, low: str) -> int | None:
    """Where ``tokens[i]`` is a spoken joiner between two name parts, write the joined
    name into ``out`` and return the index after it; else None."""
    if low not in JOINERS and low not in SPLIT_JOINERS and low != "dot":
        return None
    if len(out) < 2 or not _is_word(out[-2]) or not _gap(out[-1]):
        return None
    if low in SPLIT_JOINERS:  # "under score", "under-score", "back slash", "forward slash"
        second, joiner = SPLIT_JOINERS[low]
        if i + 2 < len(tokens) and tokens[i + 2].lower() == second and _gap(tokens[i + 1]):
            i += 2
            low = joiner
        else:
            return None
    if low == "dot":
        found = _extension(tokens, i + 1)
        if found is None:
            return None
        ext, end = found
        out.pop()
        out[-1] = _stem(out[-1]) + "." + ext
        return end
    if i + 2 >= len(tokens) or not _gap(tokens[i + 1]) or not _is_word(tokens[i + 2]):
        return None
    out.pop()
    out[-1] = out[-1] + JOINERS[low] + tokens[i + 2]
    return i + 3


def _extension(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The extension spoken from ``tokens[i]`` on (a gap first): ``(ext, end)``."""
    if i >= len(tokens) or not _gap(tokens[i]) or i + 1 >= len(tokens):
        return None
    first = tokens[i + 1]
    letters: list[str] = []
    j = i + 1
    # Letters spelled one by one: "t x t", "T-X-T", "T.X.T".
    while j < len(tokens) and len(tokens[j]) == 1 and tokens[j].isalpha():
        letters.append(tokens[j].lower())
        if len(letters) == MAX_SPELLED or j + 2 >= len(tokens):
            j += 1
            break
        sep = tokens[j + 1]
        if not re.fullmatch(r"[\s.\-]+", sep) or len(tokens[j + 2]) != 1:
            j += 1
            break
        j += 2
    if len(letters) >= 2 or (letters and letters[0] in EXTENSIONS):
        return "".join(letters), j
    low = first.lower()
    ext = SPOKEN_EXTENSIONS.get(low) or (low if low in EXTENSIONS else "")
    return (ext, i + 2) if ext else None


def _stem(word: str) -> str:
    # "Notes dot txt" at the start of a sentence is "notes.txt"; README and CamelCase stay.
    return word.lower() if word[:1].isupper() and word[1:].islower() else word


def _gap(token: str) -> bool:
    # Whisper puts a comma, a full stop or a hyphen where the speaker paused in a name:
    # "notes. T-X-T", "load-underscore config".
    return bool(re.fullmatch(r"[\s,.\-]{1,3}", token))


def _is_word(token: str) -> bool:
    return bool(token) and token[0].isalnum()


# -- matching workspace names ---------------------------------------------------------------


def match_names(text: str, names: Iterable[str]) -> str:
    """Names in ``text`` that sound like one of ``names`` take its spelling."""
    table = _Names(names)
    if not table.names:
        return text

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if not _looks_like_name(word):
            return word
        return table.spelled(word)

    return _NAME.sub(fix, text)


def _looks_like_name(word: str) -> bool:
    return bool(re.search(r"[._/]", word) or re.search(r"[a-z][A-Z]", word))


class _Names:
    """Workspace names by extension and phonetic key of their stem."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = [n for n in dict.fromkeys(names) if n and not n.startswith(".")]
        self.by_key: dict[tuple[str, str], list[str]] = {}
        self.exact: dict[str, str] = {}
        for name in self.names:
            for part in name.split("/"):
                self.exact.setdefault(part.lower(), part)
                stem, ext = _split_ext(part)
                self.by_key.setdefault((ext.lower(), _plural_less(phonetic_key(stem))), [])
                if part not in self.by_key[(ext.lower(), _plural_less(phonetic_key(stem)))]:
                    self.by_key[(ext.lower(), _plural_less(phonetic_key(stem)))].append(part)

    def spelled(self, word: str) -> str:
        trail = ""
        if word.endswith("."):  # a sentence's full stop after the name
            word, trail = word[:-1], "."
        parts = [self._part(p) for p in word.split("/")]
        return "/".join(parts) + trail

    def _part(self, part: str) -> str:
        if not part:
            return part
        if part.lower() in self.exact:
            return self.exact[part.lower()]
        stem, ext = _split_ext(part)
        if not stem or not re.search(r"[A-Za-z]", stem):
            return part
        found = self.by_key.get((ext.lower(), _plural_less(phonetic_key(stem))), [])
        if len(found) == 1:
            return found[0]
        abbreviation = ABBREVIATIONS.get(part.lower())
        if abbreviation and abbreviation in self.exact:
            return self.exact[abbreviation]
        return part


def _split_ext(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return name, ""
    return stem, ext


def _plural_less(key: str) -> str:
    # Whisper drops and adds a final "s" freely ("notes" -> "note"): it does not tell names apart.
    return key[:-1] if len(key) > 1 and key.endswith("S") else key


# -- the phonetic key -----------------------------------------------------------------------

_RULES = (
    (r"^kn|^gn|^pn", "n"),
    (r"^wr", "r"),
    (r"^x", "s"),
    (r"^wh", "w"),
    (r"ph", "f"),
    (r"ck", "k"),
    (r"sch", "sk"),
    (r"tch", "ch"),
    (r"th", "0"),
    (r"sh|ch", "x"),
    (r"c(?=[eiy])", "s"),
    (r"dg(?=[eiy])", "j"),
    (r"g(?=[eiy])", "j"),
    (r"gh(?![aeiou])", ""),
    (r"mb$", "m"),
    (r"x", "ks"),
    (r"q", "k"),
    (r"c", "k"),
)
# Voiced and voiceless pairs sound alike to a small model: one letter for each pair.
_MERGE = str.maketrans({"b": "P", "p": "P", "d": "T", "t": "T", "g": "K", "k": "K", "z": "S",
                        "s": "S", "v": "F", "f": "F", "j": "J", "x": "X", "0": "0", "l": "L",
                        "m": "M", "n": "N", "r": "R", "w": "W", "h": "H", "y": "Y"})  # fmt: skip


def phonetic_key(word: str) -> str:
    """A key that is equal for words that sound alike ("load_config" and "lode config":
    both "LTKNFK"). Consonants after simple Metaphone-like rules, voicing pairs merged,
    vowels dropped except a leading one, repeats collapsed; digits kept."""
    word = re.sub(r"[^a-z0-9]", "", word.lower())
    if not word:
        return ""
    for pattern, repl in _RULES:
        word = re.sub(pattern, repl, word)
    # w, h and y are heard only before a vowel; elsewhere they are silent.
    word = re.sub(r"[why](?![aeiou])", "", word)
    if not word:
        return ""
    head = "A" if word[0] in "aeiou" else ""
    key = head + re.sub(r"[aeiou]", "", word).translate(_MERGE)
    return re.sub(r"(.)\1+", r"\1", key)

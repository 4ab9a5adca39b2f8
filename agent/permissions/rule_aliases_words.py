"""How ``rule_aliases`` reads a command's words: which programs copy files, what kind of
name a copy makes, a program word that names the working or home folder by a variable,
and the program the dynamic loader runs."""

from __future__ import annotations

import os
import re
from pathlib import Path

# Programs whose output file is a copy of (or another name for) the file they read.
COPIERS = frozenset({"ln", "link", "cp", "install", "rsync", "mv", "dd", "cat", "tee"})
# Writers that keep a file's content as it was: what they touch stays what it was.
KEEPERS = frozenset({"chmod", "chown", "chgrp", "touch", "mkdir", "setfacl", "utime"})
# ld-linux-x86-64.so.2, ld-linux-aarch64.so.1, ld-musl-x86_64.so.1, ld.so
_LOADER = re.compile(r"ld(-linux|-musl)?[\w.-]*\.so(\.\d+)*")
# Loader options that take a value (glibc's ld.so --help).
_LOADER_VALUES = frozenset(
    {
        "--library-path",
        "--preload",
        "--argv0",
        "--audit",
        "--inhibit-rpath",
        "--glibc-hwcaps-prepend",
        "--glibc-hwcaps-mask",
    }
)
_SHEBANG_MAX = 256  # Linux reads at most this much of a #! line
# A program word known only at run time that is still a plain path: $PWD/x, ${HOME}/x.
_FOLDER_VARIABLE = re.compile(r"\$(\{)?(?P<var>PWD|HOME)(?(1)\})(?P<rest>/[^$`'\"*?\[\\]*)?")


def operands(argv: tuple[str, ...]) -> list[str]:
    """The words after the program that are not options (all of them after ``--``)."""
    found: list[str] = []
    options = True
    for word in argv[1:]:
        if options and word == "--":
            options = False
        elif not (options and word.startswith("-")):
            found.append(word)
    return found


def source_words(argv: tuple[str, ...]) -> list[str]:
    """The words naming what a program of ``COPIERS`` copies (its destination left out);
    none when it copies its input (``tee f``, ``cat > f``, ``dd of=f``)."""
    program = os.path.basename(argv[0])
    if program == "dd":
        return [w for w in argv[1:] if w.startswith("if=")]
    if program == "tee":
        return []
    found = operands(argv)
    if program == "cat" or len(found) < 2 or _targets_folder(argv):
        return found
    return found[:-1]


def _targets_folder(argv: tuple[str, ...]) -> bool:
    """Whether ``-t DIR`` / ``--target-directory`` names the destination first."""
    for word in argv[1:]:
        if word == "--":
            return False
        if word.startswith("--target-directory") or (
            word.startswith("-") and not word.startswith("--") and "t" in word
        ):
            return True
    return False


def copy_kind(argv: tuple[str, ...]) -> str:
    """What ``argv`` (a program of ``COPIERS``) makes of its source: "a link to", "a hard
    link to", "another name for" (mv) or "a copy of"."""
    program = os.path.basename(argv[0])
    longs = {w for w in argv[1:] if w.startswith("--")}
    shorts = "".join(w[1:] for w in argv[1:] if w.startswith("-") and not w.startswith("--"))
    if program == "ln":
        return "a link to" if "--symbolic" in longs or "s" in shorts else "a hard link to"
    if program == "link":
        return "a hard link to"
    if program == "cp":
        if "--symbolic-link" in longs or "s" in shorts:
            return "a link to"
        if "--link" in longs or "l" in shorts:
            return "a hard link to"
    if program == "mv":
        return "another name for"
    return "a copy of"


def expand_program(word: str, base: Path, home: Path) -> str | None:
    """The program word as a path to look at: ``~/`` and, for a word known only at run
    time, ``$PWD`` and ``$HOME`` in front of a plain path; None when it stays unknown."""
    if word == "~" or word.startswith("~/"):
        return str(home) + word[1:]
    if "$" not in word:
        return word
    match = _FOLDER_VARIABLE.fullmatch(word.replace('"', ""))
    if match is None:
        return None
    folder = base if match["var"] == "PWD" else home
    return str(folder) + (match["rest"] or "")


def loaded_program(word: str, rest: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    """(program, its arguments) when ``word`` is the dynamic loader running a program
    (``/lib64/ld-linux-x86-64.so.2 /bin/rm x``); None otherwise."""
    if not _LOADER.fullmatch(os.path.basename(word)):
        return None
    i = 0
    while i < len(rest) and rest[i].startswith("--"):
        i += 2 if rest[i] in _LOADER_VALUES else 1
    return (rest[i], rest[i + 1 :]) if i < len(rest) else None


def shebang(path: Path) -> tuple[str, ...]:
    """The ``#!`` line of an executable file as the kernel runs it: the interpreter and, if
    any, its one argument (``env`` and ``env -S`` unwrapped); () for any other file."""
    try:
        if not os.access(path, os.X_OK) or not os.path.isfile(path):
            return ()
        with open(path, "rb") as f:
            head = f.read(_SHEBANG_MAX)
    except OSError:
        return ()
    if not head.startswith(b"#!"):
        return ()
    line = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    interpreter, _, argument = line.partition(" ")
    words = (interpreter, argument.strip()) if argument.strip() else (interpreter,)
    if os.path.basename(interpreter) != "env" or len(words) == 1:
        return words
    rest = words[1].split() if words[1].startswith("-S") else [words[1]]
    if rest and rest[0].startswith("-S"):
        rest = ([rest[0][2:]] if rest[0][2:] else []) + rest[1:]
    return tuple(rest)

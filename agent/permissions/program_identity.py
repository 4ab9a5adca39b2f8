"""Whether a file is a given program: the same file (where a symbolic link points), the
same inode (a hard link), or the same bytes (a copy: compared by hash, only when the
sizes agree). ``rule_aliases`` uses it to find other names of the programs Bash deny
and ask rules name."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

# Programs that pick what to do by the name they are called by (argv[0]).
MULTI_CALL = frozenset({"busybox", "toybox", "coreutils"})


@dataclass(frozen=True)
class Binary:
    """A program a rule names, as installed: its resolved path and identity."""

    name: str
    path: str
    dev: int
    ino: int
    size: int


@dataclass(frozen=True)
class Alias:
    """``word`` reaches the program ``name`` ("./d is a link to rm")."""

    word: str
    name: str
    how: str  # "is a link to", "is a hard link to", "is a copy of", ...
    via: str = ""  # ", run by the dynamic loader"
    # Words the program gets before the command's own arguments (a #! line's).
    args: tuple[str, ...] = ()

    def says(self) -> str:
        return f"{self.word} {self.how} {self.name}{self.via}"


def installed(names: list[str]) -> list[Binary]:
    """The binaries of ``names`` on PATH, except multi-call ones."""
    found: list[Binary] = []
    for name in names:
        where = shutil.which(name)
        if where is None:
            continue
        real = os.path.realpath(where)
        if os.path.basename(real) in MULTI_CALL:
            continue
        try:
            st = os.stat(real)
        except OSError:
            continue
        found.append(Binary(name, real, st.st_dev, st.st_ino, st.st_size))
    return found


def identify(word: str, path: Path, binaries: list[Binary]) -> list[Alias]:
    """Which of ``binaries`` the existing file ``path`` (spelled ``word``) is."""
    try:
        st = os.stat(path)
    except OSError:
        return []
    if not stat.S_ISREG(st.st_mode):
        return []
    real = os.path.realpath(path)
    found: list[Alias] = []
    for b in binaries:
        if real == b.path:
            found.append(Alias(word, b.name, "is a link to"))
        elif (st.st_dev, st.st_ino) == (b.dev, b.ino):
            found.append(Alias(word, b.name, "is a hard link to"))
        elif st.st_size == b.size and _digest(real, st) == _digest(b.path, os.stat(b.path)):
            found.append(Alias(word, b.name, "is a copy of"))
    return found


def _digest(path: str, st: os.stat_result) -> str:
    """SHA-256 of a file, remembered while it is unchanged (same inode, size and time)."""
    return _hash(path, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)  # thread-safe; the key changes when the file does
def _hash(path: str, dev: int, ino: int, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 16), b""):
                h.update(block)
    except OSError:
        return f"unreadable:{path}"  # equal to no program's digest
    return h.hexdigest()

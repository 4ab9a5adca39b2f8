"""Other names for the programs Bash deny and ask rules name.

``Bash(rm *)`` names rm, and rm stays rm under another name: a symbolic or hard link to
its binary, a byte-identical copy, the dynamic loader running it, or a link or copy made
earlier in the very command line (``ln -s /bin/rm d; ./d x``). So, when such rules name
programs:

- a command whose program is one of those, under any name, is judged by the rules as if
  it were spelled with the rule's name (``./d x`` is ``rm x``);
- a command that makes a link or copy of one of them (``ln``, ``cp``, ``install``,
  ``rsync``, ``mv``, ``dd``, ``cat > f``) is asked about, naming the rule;
- a program made by another command of the same command line, whose content Harken
  cannot know before it runs (``gzip -dc x > d; ./d``), is asked about.

It stays cheap: only the programs the rules name are looked up (``shutil.which``); a
program spelled as a path is compared with them by where it points, by inode, and only
when its size is the same by a hash of its bytes. Workspace executables that are not
copies of such a program (``./gradlew``, ``.venv/bin/pytest``) are left as they were.
Multi-call binaries (busybox) choose what to run by the name they are called by, which
the rules already read (``rule_touch``); their other names are not aliases.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from agent.permissions.paths import resolve
from agent.permissions.program_args import TMP, UNKNOWN
from agent.permissions.program_names import program_of
from agent.permissions.rule_aliases_words import (
    COPIERS,
    KEEPERS,
    copy_kind,
    expand_program,
    loaded_program,
    operands,
    shebang,
)
from agent.permissions.rule_cover import commands
from agent.permissions.rules import Rule, command_matches

if TYPE_CHECKING:
    from agent.permissions.programs import CommandEffect

# Programs that pick what to do by the name they are called by (argv[0]).
MULTI_CALL = frozenset({"busybox", "toybox", "coreutils"})
_HASH_CACHE_SIZE = 64
_hashes: dict[tuple[str, int, int, int, int], str] = {}


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


@dataclass(frozen=True)
class Hit:
    """What a deny or ask rule makes of a command reaching a program it names."""

    reason: str
    rule: Rule | None


def named_programs(rules: list[Rule]) -> dict[str, list[Rule]]:
    """Program name -> the Bash rules naming it (only literal names: ``Bash(rm *)``,
    ``Bash(/bin/rm:*)``; a wildcard in the program's place names no one program)."""
    named: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.tool != "Bash" or not rule.specifier:
            continue
        first = rule.specifier.split(None, 1)[0].removesuffix(":*")
        if not first or any(ch in first for ch in "*?[\\'\"$`"):
            continue
        name = first.rsplit("/", 1)[-1]
        if name:
            named.setdefault(name, []).append(rule)
    return named


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
    key = (path, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _hashes:
        if len(_hashes) >= _HASH_CACHE_SIZE:
            _hashes.pop(next(iter(_hashes)))
        h = hashlib.sha256()
        try:
            with open(path, "rb") as f:
                for block in iter(lambda: f.read(1 << 16), b""):
                    h.update(block)
        except OSError:
            return f"unreadable:{path}"
        _hashes[key] = h.hexdigest()
    return _hashes[key]


@dataclass
class _Made:
    """Files a command line makes: each as an alias, or None when its content is unknown."""

    files: dict[Path, tuple[list[Alias], str]]

    def lookup(self, path: Path) -> tuple[list[Alias], str] | None:
        return self.files.get(path)


def _label(rule: Rule) -> str:
    return f"{rule.text} ({rule.source})"


class AliasCheck:
    """Deny and ask rules applied to other names of the programs they name, for one shell
    command line run in ``cwd``."""

    def __init__(self, deny: list[Rule], ask: list[Rule], home: Path) -> None:
        self.deny = named_programs(deny)
        self.ask = named_programs(ask)
        self.home = home
        self.binaries = installed(list(dict.fromkeys([*self.deny, *self.ask])))

    def judge(self, script: str, cwd: Path) -> tuple[Hit | None, Hit | None]:
        """(why a deny rule refuses the command, why the command must be asked about)."""
        if not (self.deny or self.ask):
            return None, None
        from agent.permissions.programs import effects
        from agent.permissions.shell import analyze

        judged = effects(analyze(script))
        made = _Made({})
        copied: Hit | None = None
        # What the line makes, before what it runs: a loop may run it after making it.
        for eff in judged:
            base = self._base(eff.command.cwd, cwd)
            if base is None or not eff.command.argv:
                continue
            hit = self._record(eff, base, made)
            copied = copied or hit
        asked: Hit | None = None  # running another name says more than making it
        for eff in judged:
            base = self._base(eff.command.cwd, cwd)
            if base is None or eff.invocation is None:
                continue
            for inner in commands(eff.invocation):
                denied, hit = self._run(inner.argv, base, made)
                if denied:
                    return denied, None
                asked = asked or hit
        return None, asked or copied

    # -- making names --------------------------------------------------------------

    def _record(self, eff: CommandEffect, base: Path, made: _Made) -> Hit | None:
        """Note the files a command makes; a hit when it copies a program a rule names."""
        argv, text = eff.command.argv, eff.command.text
        program = program_of(argv[0]) or os.path.basename(argv[0])
        if program in KEEPERS or not eff.writes:
            return None
        targets = [resolve(w, base) for w in eff.writes if w not in (UNKNOWN, TMP)]
        words = [*operands(argv), *eff.reads, *eff.writes] if program in COPIERS else []
        sources: list[Alias] = []
        source_paths: set[Path] = set()
        unknown = program not in COPIERS
        for word in words:
            found = self._program_at(word, base, made)
            if found:
                sources += found
                source_paths.add(resolve(word, base))
            elif word not in (UNKNOWN, TMP) and not word.startswith("-"):
                # A copy of a file this line made unseen is unseen too.
                what = made.lookup(resolve(word.removeprefix("if="), base))
                unknown = unknown or (what is not None and not what[0])
        if not sources:
            for target in targets if unknown else ():
                made.files.setdefault(target, ([], text))
            return None  # otherwise a copy of files known not to be such programs
        kind = copy_kind(argv)
        for target in targets:
            if target not in source_paths:
                made.files[target] = ([Alias("", s.name, kind) for s in sources], text)
        first = sources[0]
        rule, verdict = self._naming(first.name)
        return Hit(
            f"`{text}` makes {kind} {first.name}, which the {verdict} rule {_label(rule)} names",
            rule,
        )

    def _naming(self, name: str) -> tuple[Rule, str]:
        """The rule naming ``name`` (a deny rule first) and its kind."""
        if name in self.deny:
            return self.deny[name][0], "deny"
        return self.ask[name][0], "ask"

    def _program_at(self, word: str, base: Path, made: _Made) -> list[Alias]:
        """Which named programs the path ``word`` is (a system path: by its name)."""
        if word.startswith(("if=", "of=")):  # dd
            word = word[3:]
        if not word or word in (UNKNOWN, TMP) or word.startswith("-"):
            return []
        name = program_of(word)
        if "/" in word and name in self.deny.keys() | self.ask.keys():
            return [Alias(word, name, "is")]
        path = resolve(word, base)
        return identify(word, path, self.binaries) or self._made_alias(word, path, made)

    def _made_alias(self, word: str, path: Path, made: _Made) -> list[Alias]:
        what = made.lookup(path)
        if not what or not what[0]:
            return []
        return [Alias(word, a.name, f"becomes {a.how}") for a in what[0]]

    # -- running names -------------------------------------------------------------

    def _run(self, argv: tuple[str, ...], base: Path, made: _Made) -> tuple[Hit | None, Hit | None]:
        """(deny hit, ask hit) for running ``argv``."""
        word = expand_program(argv[0], base, self.home) if argv else None
        if word is None:
            return None, None
        shown, rest = argv[0], argv[1:]
        loaded = loaded_program(word, rest)
        if loaded is None:
            aliases = self._aliases(word, shown, base, made)
        else:
            loader, (shown, rest) = word, loaded
            word = expand_program(shown, base, self.home) or ""
            name = program_of(word)
            if "/" in word and name in self.deny.keys() | self.ask.keys():
                aliases = [Alias(loader, name, "runs")]
            else:
                via = ", run by the dynamic loader"
                found = self._aliases(word, shown, base, made)
                aliases = [Alias(a.word, a.name, a.how, via) for a in found]
        for kind, named in (("deny", self.deny), ("ask", self.ask)):
            for alias in aliases:
                for rule in named.get(alias.name, []):
                    first = str(rule.specifier).split(None, 1)[0].removesuffix(":*")
                    words = " ".join((first, *alias.args, *rest))
                    if command_matches(str(rule.specifier), words):
                        hit = Hit(
                            f"{alias.says()}, which the {kind} rule {_label(rule)} names", rule
                        )
                        return (hit, None) if kind == "deny" else (None, hit)
        what = made.lookup(resolve(word, base)) if "/" in word and not aliases else None
        if what is not None and not what[0]:
            return None, Hit(
                f"{shown} is made by `{what[1]}` in the same command, and a deny or ask rule "
                "names programs: Harken cannot tell which program it will be",
                None,
            )
        return None, None

    def _aliases(self, word: str, shown: str, base: Path, made: _Made) -> list[Alias]:
        """Which named programs running ``word`` (written ``shown``) runs under another
        name, or as the interpreter of its ``#!`` line."""
        if "/" not in word:
            if word in self.deny or word in self.ask:
                return []  # its own name: the rules read it directly
            where = shutil.which(word)
            if where is None:
                return []
            path = Path(where)
            found = identify(shown, path, self.binaries)
        else:
            path = resolve(word, base)
            found = identify(shown, path, self.binaries) or self._made_alias(shown, path, made)
        return found or self._interpreted(shown, path, base)

    def _interpreted(self, shown: str, path: Path, base: Path) -> list[Alias]:
        """A script whose ``#!`` line runs a named program (``#!/bin/rm``) reaches it:
        the kernel runs ``rm ./d ARGS``."""
        line = shebang(path)
        if not line:
            return []
        interpreter, args = line[0], (*line[1:], shown)
        how, via = "runs", " by its #! line"
        if "/" not in interpreter:  # after env: looked up on PATH
            if interpreter in self.deny or interpreter in self.ask:
                return [Alias(shown, interpreter, how, via, args)]
            where = shutil.which(interpreter)
            found = identify(interpreter, Path(where), self.binaries) if where else []
        else:
            name = program_of(interpreter)
            if name in self.deny or name in self.ask:
                return [Alias(shown, str(name), how, via, args)]
            found = identify(interpreter, resolve(interpreter, base), self.binaries)
        return [Alias(shown, a.name, how, via, args) for a in found]

    @staticmethod
    def _base(cwd: str | None, start: Path) -> Path | None:
        if cwd == "?":
            return None
        return resolve(cwd, start) if cwd else start

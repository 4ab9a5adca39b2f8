"""Other names for the programs Bash deny and ask rules name.

``Bash(rm *)`` names rm, and rm stays rm under another name: a symbolic or hard link to
its binary, a byte-identical copy, the dynamic loader running it, a script whose ``#!``
line runs it, or a link or copy made earlier in the very command line (``ln -s /bin/rm
d; ./d x``). So, while such rules name programs:

- a command whose program is one of those under another name (a path, ``$PWD/``, ``~/``,
  or a bare name found on PATH) is judged by the rules as if it were spelled with the
  rule's name (``./d x`` is ``rm x``; a ``#!/bin/rm -f`` script is ``rm -f ./d x``);
- a command that makes a link or copy of one of them (``ln``, ``cp``, ``install``,
  ``rsync``, ``mv``, ``dd``, ``cat``, ``tee``) is asked about, naming the rule;
- a program spelled as a path that another command of the line writes unseen (``gzip
  -dc x > d; ./d``, a copy of its input), or that does not exist when the command is
  judged (``python3 make_it.py; ./d``), is asked about: Harken cannot tell what it is.

It stays cheap: only the programs the rules name are looked up (``shutil.which``), plus
the one a bare command name runs; a program is compared with them by where it points,
by inode, and only when its size is the same by a hash of its bytes. Workspace programs
that are not such a program (``./gradlew``, ``.venv/bin/pytest``) are left as they were.
Multi-call binaries (busybox) choose what to run by the name they are called by, which
the rules already read (``rule_touch``); their other names are not aliases.
"""

from __future__ import annotations

import glob
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from agent.permissions.paths import resolve
from agent.permissions.program_args import TMP, UNKNOWN
from agent.permissions.program_identity import Alias, identify, installed
from agent.permissions.program_names import program_of
from agent.permissions.rule_aliases_words import (
    COPIERS,
    KEEPERS,
    copy_kind,
    expand_program,
    loaded_program,
    operands,
    shebang,
    source_words,
)
from agent.permissions.rule_cover import commands
from agent.permissions.rules import Rule, command_matches

if TYPE_CHECKING:
    from agent.permissions.programs import CommandEffect


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


@dataclass(frozen=True)
class _Making:
    """A file a command line makes: the named programs it becomes (``aliases``), the
    command making it (``by``), and whether its content is known (a copy of files known
    not to be such programs: no aliases, known)."""

    aliases: tuple[Alias, ...]
    by: str
    known: bool = True


@dataclass
class _Made:
    """What a command line makes: ``files`` by path, and the folders it copies,
    ``dirs`` (target, source, command)."""

    files: dict[Path, _Making] = field(default_factory=dict)
    dirs: list[tuple[Path, Path, str]] = field(default_factory=list)


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
        made = _Made()
        copied: Hit | None = None
        # What the line makes, before what it runs: a loop may run it after making it.
        for eff in judged:
            base = self._base(eff.command.cwd, cwd)
            if base is None:
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
        targets = [resolve(w, base) for w in eff.writes if w not in (UNKNOWN, TMP)]
        program = (program_of(argv[0]) or os.path.basename(argv[0])) if argv else ""
        if program in KEEPERS or not targets:
            return None
        if program not in COPIERS:  # a compiler, a download, `{ ...; } > f`: unseen
            for target in targets:
                made.files.setdefault(target, _Making((), text, known=False))
            # What it writes from a named program's file is that program, or near enough
            # to run as it (`tail -c +1 /bin/rm > q`, `strip -o q /bin/rm`, `tar -c rm`).
            for word in [*operands(argv), *eff.reads]:
                if found := self._program_at(word, base, made):
                    rule, verdict = self._naming(found[0].name)
                    return Hit(
                        f"`{text}` writes from the program file of {found[0].name}, which "
                        f"the {verdict} rule {_label(rule)} names",
                        rule,
                    )
            return None
        named: list[Alias] = []
        source_paths: set[Path] = set()
        known = unseen = False
        for word in [*source_words(argv), *eff.reads]:
            found = self._program_at(word, base, made)
            path = resolve(word.removeprefix("if="), base)
            if found:
                named += found
                source_paths.add(path)
                continue
            what = self._made_at(word, path, made)
            unseen = unseen or (what is not None and not what.known)
            if os.path.isdir(path):
                made.dirs += [(t, path, text) for t in targets if t != path]
            known = known or os.path.exists(path)
        if not named:
            # A copy of what this line made unseen, or of its input, is unseen too;
            # otherwise it copies files known not to be such programs.
            for target in targets:
                made.files.setdefault(target, _Making((), text, known and not unseen))
            return None
        kind = copy_kind(argv)
        for target in targets:
            if target not in source_paths:
                made.files[target] = _Making(tuple(Alias("", a.name, kind) for a in named), text)
        first = named[0]
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
        if any(ch in word for ch in "*?["):  # a pattern the shell expands (`/bin/r?`)
            hits = sorted(glob.glob(str(resolve(word, base))))
            return [alias for hit in hits for alias in self._path_is(hit, base, made)]
        return self._path_is(word, base, made)

    def _path_is(self, word: str, base: Path, made: _Made) -> list[Alias]:
        name = program_of(word)
        if "/" in word and name in self.deny.keys() | self.ask.keys():
            return [Alias(word, name, "is")]
        path = resolve(word, base)
        return identify(word, path, self.binaries) or self._made_alias(word, path, made)

    def _made_alias(self, word: str, path: Path, made: _Made) -> list[Alias]:
        what = self._made_at(word, path, made)
        aliases = what.aliases if what else ()
        return [Alias(word, a.name, f"becomes {a.how}") for a in aliases]

    def _made_at(self, word: str, path: Path, made: _Made) -> _Making | None:
        """What this line makes at ``path`` (None: nothing)."""
        what = made.files.get(path)
        if what is not None:
            return what
        for target, source, text in made.dirs:
            if target not in path.parents:
                continue
            # `cp -r src dst`: dst/x is src/x, or src/... when dst was a folder already.
            rel = path.relative_to(target)
            candidates = [source / rel]
            if rel.parts[0] == source.name:
                candidates.append(source.parent / rel)
            existing = [c for c in candidates if os.path.lexists(c)]
            found = [a for c in existing for a in identify(word, c, self.binaries)]
            aliases = tuple(Alias("", a.name, a.how.removeprefix("is ")) for a in found)
            return _Making(aliases, text, known=bool(existing))
        return None

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
        if "/" not in word or aliases:
            return None, None
        path = resolve(word, base)
        what = self._made_at(shown, path, made)
        if what is not None and not what.known:
            made_by = f"is made by `{what.by}` in the same command"
        elif what is None and not os.path.lexists(path):
            # Something this line runs may make it (a script, a compiler), or a job
            # still running in the background: whatever it will be, it is not seen now.
            made_by = "does not exist when the command is judged"
        else:
            return None, None
        return None, Hit(
            f"{shown} {made_by}, and a deny or ask rule names programs: Harken cannot tell "
            "which program it will be",
            None,
        )

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

"""Whether a deny or ask rule touches a tool call: any part of the call is enough.

Allow rules must cover every part of a call (``rule_cover`` and the engine); deny and ask
rules only have to reach one, looking through wrappers, into what a command starts, and
below folders a call reads recursively.
"""

from __future__ import annotations

import os
from pathlib import Path

from agent.permissions.classify import Classification, ShellPart
from agent.permissions.decision import ToolCall
from agent.permissions.git_setup import VALUED_GLOBALS
from agent.permissions.paths import is_inside
from agent.permissions.program_args import Effect, Invocation
from agent.permissions.rule_cover import commands
from agent.permissions.rules import (
    PATH_TOOLS,
    Rule,
    command_matches,
    domain_matches,
    mcp_matches,
    path_matches,
)


def first_touching(
    rules: list[Rule], call: ToolCall, c: Classification, workspace: Path, home: Path
) -> Rule | None:
    """The first of ``rules`` that touches any part of the call."""
    for rule in rules:
        if touches(rule, call, c, workspace, home):
            return rule
    return None


def touches(rule: Rule, call: ToolCall, c: Classification, workspace: Path, home: Path) -> bool:
    """Whether ``rule`` reaches any part of the call classified as ``c``."""
    tool, spec = rule.tool, rule.specifier
    if tool.startswith("mcp__"):
        return mcp_matches(tool, call.name)
    if tool in PATH_TOOLS:
        if spec is None:
            return call.name == tool
        targets = c.reads if tool == "Read" else c.writes
        deep = c.deep_reads if tool == "Read" else ()
        return any(_path_hit(spec, p, p in deep, workspace, home) for p in targets)
    if tool == "WebFetch":
        if spec is None:
            return call.name == "WebFetch"
        return any(domain_matches(spec, h) for h in c.hosts)
    if tool != call.name:
        return False
    if spec is None:
        return True
    if tool == "Bash":
        # Deny and ask look through wrappers (`sudo rm x` is an `rm x`) and into what a
        # command starts (`find . -exec rm {} +`, `xargs rm`).
        return any(
            _command_hit(spec, p.words)
            or any(_command_hit(spec, inner.text) for inner in commands(shell_invocation(p)))
            for p in c.parts
        )
    return False


def _command_hit(spec: str, words: str) -> bool:
    """Whether a deny or ask rule matches a command however its program is spelled:
    `/bin/rm x`, `/usr/bin/../bin/rm x` and `./rm x` are all `rm x` to them (fail closed:
    a rule naming a program must not be dodged by writing a path to it)."""
    if command_matches(spec, words):
        return True
    program, sep, rest = words.partition(" ")
    name = program_name(program)
    if name != program and command_matches(spec, name + sep + rest):
        return True
    plain = _without_global_options(name, rest)
    return plain != rest and command_matches(spec, f"{name} {plain}")


# Options a program takes before its subcommand that take the next word as their value:
# `git -C . push` is a `git push` to a rule.
_GLOBAL_OPTIONS = {"git": VALUED_GLOBALS}


def _without_global_options(name: str, rest: str) -> str:
    """``rest`` (the words after program ``name``) from its subcommand on."""
    valued = _GLOBAL_OPTIONS.get(name)
    if valued is None:
        return rest
    words = rest.split(" ")
    i = 0
    while i < len(words) and words[i].startswith("-") and words[i] != "--":
        i += 2 if words[i] in valued else 1
    return " ".join(words[i:])


def program_name(program: str) -> str:
    """The name a program is known by, whatever path it is spelled with (`/usr/bin/../bin/rm`
    is `rm`)."""
    if "/" not in program:
        return program
    return os.path.basename(os.path.normpath(program)) or program


def shell_invocation(part: ShellPart) -> Invocation:
    """The part as rules see it (a part made without one: its words, no more)."""
    if part.invocation is not None:
        return part.invocation
    return Invocation(tuple(part.full.split(" ")), Effect(part.effect))


def _path_hit(spec: str, path: Path, recursive: bool, workspace: Path, home: Path) -> bool:
    if path_matches(spec, path, workspace, home):
        return True
    if not recursive:
        return False
    # A folder read recursively reaches everything below it: deny Read(~/.ssh/**)
    # must stop `grep -r key ~` as well as `cat ~/.ssh/id_rsa`.
    region = _static_prefix(spec, workspace, home)
    return region is not None and is_inside(region, path)


def _static_prefix(spec: str, workspace: Path, home: Path) -> Path | None:
    """The folder a path pattern lives in, before its first wildcard."""
    if spec.startswith("~/") or spec == "~":
        text = str(home) + spec[1:]
    elif spec.startswith("/"):
        text = spec
    else:
        text = f"{workspace}/{spec}"
    cut = min((i for i in (text.find("*"), text.find("?")) if i >= 0), default=len(text))
    prefix = text[:cut].rsplit("/", 1)[0] if cut < len(text) else text
    return Path(os.path.normpath(prefix)) if prefix else None

"""Permission rules in the widely used ``Tool`` / ``Tool(specifier)`` syntax.

    Bash                      every Bash call
    Bash(npm run test:*)      a command that is ``npm run test`` or starts with it and a
                              space (a trailing ``:*`` is the same as `` *``)
    Bash(git log *)           ``*`` matches any text, ``?`` one character; shell quotes
                              are removed and make them literal (``-name '*.py'``)
    Read(~/.ssh/**)           paths: ``~/`` anchors at home, a relative path at the
    Edit(src/**)              workspace, ``/`` at the root; ``**`` crosses folders, ``*``
                              does not
    WebFetch(domain:python.org)  that host or any subdomain of it
    mcp__server__tool         one MCP tool; ``mcp__server`` or ``mcp__server__*`` all of
                              a server's tools

A Bash rule approves a command's own behaviour. What the command does beyond it (starts
another program, destroys what the program otherwise only reads, uses an option Harken
does not know on a program that can start others) it approves only when it spells the
words out: ``Bash(find *)`` does not approve ``find . -delete``, ``Bash(find * -delete)``
does (``spells``).

``Read`` rules cover every tool that reads files (Read, Glob, Grep) and what shell
commands read; ``Edit`` and ``Write`` rules cover every tool that writes files and what
shell commands write.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from agent.errors import ConfigError


class Source(StrEnum):
    """Where a rule came from (shown to people; project rules need trust to allow)."""

    USER = "user settings"
    WORKSPACE = "your settings for this folder"
    CLI = "command line"
    PROJECT = "project settings"
    SESSION = "this session"


_RULE = re.compile(r"^(?P<tool>[A-Za-z0-9_\-]+(?:__\*)?)(?:\((?P<spec>.*)\))?$", re.DOTALL)

PATH_TOOLS = {"Read", "Edit", "Write"}


@dataclass(frozen=True)
class Rule:
    tool: str
    specifier: str | None
    source: Source = Source.USER

    @property
    def text(self) -> str:
        return self.tool if self.specifier is None else f"{self.tool}({self.specifier})"

    def __str__(self) -> str:
        return self.text


def parse_rule(text: str, source: Source = Source.USER) -> Rule:
    """Parse one rule; raises ``ConfigError`` naming what is wrong."""
    match = _RULE.match(text.strip())
    if not match:
        raise ConfigError(f"Not a permission rule: {text!r} (expected Tool or Tool(specifier))")
    tool, spec = match["tool"], match["spec"]
    if spec is not None:
        spec = spec.strip()
        if not spec:
            raise ConfigError(f"Empty specifier in rule {text!r}")
        if tool == "WebFetch" and not spec.startswith("domain:"):
            raise ConfigError(f"WebFetch rules take domain:HOST, not {spec!r}")
    return Rule(tool, spec, source)


def command_matches(pattern: str, command: str) -> bool:
    """Whether a Bash rule's specifier matches one simple command (words joined by spaces)."""
    return _command_regex(pattern).fullmatch(command) is not None


def spells(pattern: str, words: tuple[str, ...], indices: tuple[int, ...]) -> bool:
    """Whether a Bash rule's specifier matches the command ``words`` (joined by spaces)
    with the words at ``indices`` matched by its literal text, not by a wildcard.

    ``find * -delete`` spells out ``-delete`` in ``find . -delete``; ``find *`` does not.
    An index outside ``words`` (such as -1) can never be spelled out."""
    if any(i < 0 or i >= len(words) for i in indices):
        return False
    marked = []
    for k, word in enumerate(words):
        if k in indices:
            if any(ord(ch) >= _MARK_SPAN for ch in word):
                return False
            word = "".join(chr(_MARK + ord(ch)) for ch in word)
        marked.append(word)
    return _command_regex(pattern, spelled=True).fullmatch(" ".join(marked)) is not None


# Characters of words that must be spelled out are moved to a private-use plane, where a
# literal of the pattern matches them and a wildcard does not.
_MARK = 0xF0000
_MARK_SPAN = 0xFFFE


@functools.lru_cache(maxsize=512)
def _command_regex(pattern: str, spelled: bool = False) -> re.Pattern[str]:
    tokens = _tokens(pattern)
    if tokens[-2:] == [(":", False), ("*", False)]:
        tokens[-2:] = [(" ", False), ("*", False)]
    any_char = "[^\U000f0000-\U000ffffd]" if spelled else "."
    tail = ""
    if tokens[-2:] == [(" ", False), ("*", False)]:
        # "X *" is X alone or X followed by a space: never "X-evil" or "Xfoo".
        tokens, tail = tokens[:-2], f"(?: {any_char}*)?"

    def literal(ch: str) -> str:
        if not spelled or ord(ch) >= _MARK_SPAN:
            return re.escape(ch)
        return f"[{re.escape(ch)}{re.escape(chr(_MARK + ord(ch)))}]"

    body = "".join(
        literal(ch) if quoted or ch not in "*?" else f"{any_char}*" if ch == "*" else any_char
        for ch, quoted in tokens
    )
    return re.compile(body + tail, re.DOTALL)


def _tokens(pattern: str) -> list[tuple[str, bool]]:
    """The pattern's characters, each with whether it was quoted. Shell quoting ('...',
    "...", a backslash) is removed and makes ``*`` and ``?`` literal, so a rule written
    as the command was typed (``find . -name '*.pyc' -delete``, ``-exec rm {} \\;``)
    matches it. Unquoted runs of whitespace become one space. With unbalanced quotes the
    pattern is taken as written."""
    out: list[tuple[str, bool]] = []
    quote = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        nxt = pattern[i + 1] if i + 1 < len(pattern) else ""
        if quote == "'":
            quote, added = ("", None) if ch == "'" else (quote, (ch, True))
        elif quote == '"':
            if ch == "\\" and nxt and nxt in '"\\$`':
                added, i = (nxt, True), i + 1
            else:
                quote, added = ("", None) if ch == '"' else (quote, (ch, True))
        elif ch in "'\"":
            quote, added = ch, None
        elif ch == "\\" and nxt:
            added, i = (nxt, True), i + 1
        elif ch.isspace():
            added = None if not out or out[-1] == (" ", False) else (" ", False)
        else:
            added = (ch, False)
        if added is not None:
            out.append(added)
        i += 1
    if quote:
        return [(ch, False) for ch in " ".join(pattern.split())]
    while out and out[-1] == (" ", False):
        out.pop()
    return out


def path_matches(pattern: str, path: Path, workspace: Path, home: Path | None = None) -> bool:
    """Whether a path rule's specifier matches an absolute, resolved ``path``."""
    return (
        _path_regex(_anchor(pattern, workspace, home or Path.home())).fullmatch(str(path))
        is not None
    )


def _anchor(pattern: str, workspace: Path, home: Path) -> str:
    if pattern.startswith("~/") or pattern == "~":
        base = str(home) + pattern[1:]
    elif pattern.startswith("/"):
        base = pattern
    else:
        base = str(workspace) + "/" + pattern.removeprefix("./")
    # Keep "**" intact while collapsing "a/../b" style noise in the literal part.
    return base if "*" in base else os.path.normpath(base)


@functools.lru_cache(maxsize=512)
def _path_regex(pattern: str) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("/**", i) and (i + 3 == len(pattern) or pattern[i + 3] == "/"):
            out.append(r"(?:/.*)?")  # "/**" also matches the folder itself
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def domain_matches(specifier: str, host: str) -> bool:
    """``domain:python.org`` matches python.org and docs.python.org, never evilpython.org
    or python.org.evil.com."""
    domain = specifier.removeprefix("domain:").strip().lower().rstrip(".")
    host = host.lower().rstrip(".")
    if domain.startswith("*."):
        domain = domain[2:]
    return host == domain or host.endswith("." + domain)


def mcp_matches(rule_tool: str, tool: str) -> bool:
    """``mcp__srv__tool`` matches itself; ``mcp__srv`` and ``mcp__srv__*`` every srv tool."""
    if rule_tool == tool:
        return True
    server = rule_tool.removesuffix("__*")
    whole_server = rule_tool.endswith("__*") or rule_tool.count("__") == 1
    return whole_server and tool.startswith(server + "__")

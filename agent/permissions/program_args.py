"""Pieces every program rule uses: the effect scale, a judgement being built, option
splitting, hosts in URLs, and paths too sweeping to touch.

Effects rank execute > network > write > read: running unknown code can do all of the
others, and reaching the network can leak what a write would only change locally.

A judgement also records *escalations*: what a command does beyond its program's own
behaviour (it starts another program, destroys what the program otherwise only reads, or
uses an option Harken does not know on a program that can start others). An allow rule
for the program does not approve them by itself (see ``rule_cover``).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from agent.permissions.shell_words import names

UNKNOWN = "<unknown>"
TMP = "<tmp>"


class Effect(StrEnum):
    READ = "read"
    WRITE = "write"
    NETWORK = "network"
    EXECUTE = "execute"


RANK = {Effect.READ: 0, Effect.WRITE: 1, Effect.NETWORK: 2, Effect.EXECUTE: 3}


@dataclass(frozen=True)
class Arg:
    """One argument; ``dynamic``: known only at run time (``text`` is its source).
    ``index``: its position in the command's words (the program is 0; -1: not a word of
    the command, such as a placeholder)."""

    text: str
    dynamic: bool = False
    index: int = -1


@dataclass(frozen=True)
class Invocation:
    """One command as allow rules see it: its words, what it does, and what it does
    beyond its program's own behaviour."""

    argv: tuple[str, ...]
    effect: Effect
    escalations: tuple[Escalation, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(self.argv)


@dataclass(frozen=True)
class Escalation:
    """Something a command does beyond its program's own behaviour.

    An allow rule approves it only by spelling out the command's words at ``spell``
    (``Bash(find * -delete)``); an index of -1 can never be spelled out. ``launches`` are
    the commands it starts, as far as they are known (deny and ask rules look into them).
    When ``separate``, their reads, writes and hosts were judged into the command, so
    rules of their own may approve them instead (``Bash(rm *)`` for ``find -exec rm``);
    ``offset`` is where ``launches[0]`` starts among the command's words, if it is a
    slice of them, so a rule spelling the launch out reaches what it does in turn."""

    reason: str
    spell: tuple[int, ...]
    launches: tuple[Invocation, ...] = ()
    separate: bool = False
    offset: int | None = None


@dataclass
class Judgement:
    """What one command does, built up by the rules."""

    cwd: str | None = None
    effect: Effect = Effect.READ
    reason: str = ""
    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    catastrophic: bool = False
    escalations: list[Escalation] = field(default_factory=list)

    def raise_to(self, effect: Effect, reason: str) -> None:
        """Record ``effect`` if it is worse than what is known; its reason goes with it."""
        if RANK[effect] > RANK[self.effect] or not self.reason:
            self.effect = max(self.effect, effect, key=RANK.__getitem__)
            self.reason = reason

    def read(self, *args: Arg | str) -> None:
        self.reads += [_path(a) for a in args if _path(a) not in ("-", "")]

    def write(self, *args: Arg | str) -> None:
        self.writes += [_path(a) for a in args if _path(a) not in ("-", "")]

    def contact(self, *hosts: str) -> None:
        self.hosts += hosts

    def escalate(
        self,
        effect: Effect,
        reason: str,
        *words: Arg | None,
        launches: tuple[Invocation, ...] = (),
        separate: bool = False,
        offset: int | None = None,
    ) -> None:
        """Record an escalation caused by ``words`` (the words a rule must spell out) and
        raise the effect to ``effect``. With no word it can never be spelled out."""
        if RANK[effect] >= RANK[self.effect]:
            self.effect, self.reason = effect, reason  # the escalation is the news
        spell = tuple(sorted({w.index for w in words if w is not None})) or (-1,)
        self.escalations.append(Escalation(reason, spell, launches, separate, offset))


def _path(arg: Arg | str) -> str:
    if isinstance(arg, str):
        return arg
    return UNKNOWN if arg.dynamic else arg.text


def splits(arg: Arg) -> bool:
    """Whether a run-time word may become several words (an unquoted expansion or
    pattern), so that it could smuggle in options: ``$X`` may, ``"$X"`` may not."""
    if not arg.dynamic:
        return False
    quote = ""
    i = 0
    text = arg.text
    while i < len(text):
        c = text[i]
        if c == "\\" and quote != "'":
            i += 2
            continue
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "$`{*?[":
            return True
        i += 1
    return False


def may_be_option(arg: Arg) -> bool:
    """Whether the shell may turn ``arg`` into an option: a run-time word, or a pattern
    like ``*`` that matches a file named ``--pre=evil``."""
    return arg.dynamic or arg.text[:1] in ("*", "?", "[")


@dataclass(frozen=True)
class Options:
    """A command line split into options (name, value) and operands."""

    options: tuple[tuple[str, Arg | None], ...]
    operands: tuple[Arg, ...]
    dynamic: bool  # a word known only at run time may be (or smuggle in) any option
    sources: tuple[Arg, ...] = ()  # the word each option was written in
    moving: tuple[Arg, ...] = ()  # the words that made it ``dynamic``

    def found(self, *names: str) -> list[tuple[Arg, Arg | None]]:
        """(the word it was written in, its value) for each use of the named options."""
        return [
            (source, value)
            for (given, value), source in zip(self.options, self.sources, strict=True)
            if any(_matches(given, name) for name in names)
        ]

    def has(self, *names: str) -> bool:
        return any(_matches(given, name) for given, _ in self.options for name in names)

    def values(self, *names: str) -> list[Arg]:
        """Values of the named options (an abbreviation with no value counts as unknown)."""
        out = []
        for given, value in self.options:
            if any(_matches(given, name) for name in names):
                out.append(value if value is not None else Arg(UNKNOWN, dynamic=True))
        return out


def _matches(given: str, name: str) -> bool:
    """GNU tools accept any unambiguous prefix of a long option (``--in`` for
    ``--in-place``); a prefix of a listed option is taken to mean it."""
    if given == name:
        return True
    return (
        name.startswith("--")
        and given.startswith("--")
        and len(given) > 3
        and (name.startswith(given))
    )


def split(
    args: Iterable[Arg],
    short_args: str = "",
    long_args: Iterable[str] = (),
    optional: str = "",
    posix: bool = False,
) -> Options:
    """Split like getopt: ``short_args`` take a value (attached or next word), ``optional``
    only an attached one; ``posix`` stops at the first operand."""
    longs = frozenset(long_args)
    words = list(args)
    options: list[tuple[str, Arg | None]] = []
    sources: list[Arg] = []
    operands: list[Arg] = []
    moving: list[Arg] = []

    def done() -> Options:
        return Options(tuple(options), tuple(operands), bool(moving), tuple(sources), tuple(moving))

    def value(word: Arg) -> Arg:
        if splits(word) or may_be_option(Arg(word.text)):
            moving.append(word)
        return word

    i = 0
    while i < len(words):
        word = words[i]
        text = word.text
        i += 1
        if may_be_option(word):
            moving.append(word)
            operands.append(word)
            continue
        if text == "--":
            operands += words[i:]  # after "--" nothing is an option
            return done()
        if text.startswith("--") and len(text) > 2:
            name, eq, rest = text.partition("=")
            sources.append(word)
            if eq:
                options.append((name, Arg(rest, index=word.index)))
            elif name in longs and i < len(words):
                options.append((name, value(words[i])))
                i += 1
            else:
                options.append((name, None))
            continue
        if text.startswith("-") and len(text) > 1:
            for pos, letter in enumerate(text[1:], start=1):
                rest = text[pos + 1 :]
                sources.append(word)
                if letter in short_args:
                    if rest:
                        options.append(("-" + letter, Arg(rest, index=word.index)))
                    elif i < len(words):
                        options.append(("-" + letter, value(words[i])))
                        i += 1
                    else:
                        options.append(("-" + letter, None))
                    break
                if letter in optional:
                    options.append(("-" + letter, Arg(rest, index=word.index) if rest else None))
                    break
                options.append(("-" + letter, None))
            continue
        operands.append(word)
        if posix:
            operands += words[i:]
            moving.extend(w for w in words[i:] if may_be_option(w))
            break
    return done()


def unknown_options(opts: Options, known: frozenset[str]) -> list[Arg]:
    """The words holding options not in ``known`` (short ones as "-x", long ones as
    "--name"; a long option may be abbreviated, and "--no-NAME" negates a known one)."""
    out: list[Arg] = []
    for (given, _), source in zip(opts.options, opts.sources, strict=True):
        if given in known:
            continue
        if given.startswith("--"):
            negated = "--" + given[5:] if given.startswith("--no-") else ""
            if negated in known or any(
                _matches(given, name) for name in known if name.startswith("--")
            ):
                continue
        out.append(source)
    return out


_AUTHORITY = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)")
_HOSTNAME = re.compile(r"[A-Za-z0-9_.-]+")


def url_host(url: str, default_scheme: str = "http") -> str | None:
    """The host a URL names (lower case); None for ``file:`` URLs; UNKNOWN when the
    URL is unusual enough that tools may read it differently."""
    if "://" not in url:
        url = f"{default_scheme}://{url}"
    match = _AUTHORITY.match(url)
    if not match:
        return UNKNOWN
    if match.group(1).lower() == "file":
        return None
    authority = match.group(2)
    if authority.count("@") > 1 or "\\" in authority:
        return UNKNOWN
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):
        inner = host[1:].split("]", 1)[0]
        return inner.lower() if re.fullmatch(r"[0-9A-Fa-f:.]+", inner) else UNKNOWN
    host = host.split(":", 1)[0]
    if not host or not _HOSTNAME.fullmatch(host):
        return UNKNOWN
    return host.lower().rstrip(".")


def remote_host(operand: str) -> str | None:
    """The host of an scp/rsync/git style remote (``user@host:path``, ``host::module``,
    ``scheme://host/``), or None for a local path."""
    if "://" in operand:
        return url_host(operand)
    if operand.startswith(("/", "./", "../", "~")):
        return None
    head, colon, _ = operand.partition(":")
    if not colon or "/" in head or not head:
        return None
    host = head.rsplit("@", 1)[-1].strip("[]")
    return host.lower() if _HOSTNAME.fullmatch(host) or ":" in host else UNKNOWN


_SYSTEM_DIRS = names(
    "/bin /boot /dev /etc /home /lib /lib32 /lib64 /opt /proc /root /sbin /srv /sys /usr /var"
)
_HOME = "/home/~"  # stands for any home folder in the checks below
_RAW_DISK = re.compile(
    r"/dev/(sd[a-z]+\d*|hd[a-z]+\d*|vd[a-z]+\d*|xvd[a-z]+\d*|nvme\d+n\d+(p\d+)?|"
    r"mmcblk\d+(p\d+)?|md\d+|dm-\d+|loop\d+|r?disk\d+(s\d+)?|mapper/.+|disk/.+)"
)


def is_raw_disk(path: str) -> bool:
    return bool(_RAW_DISK.fullmatch(posixpath.normpath(path)))


def sweeping(path: str, cwd: str | None) -> bool:
    """Whether ``path`` (from ``cwd``) is the root, a home folder, a system folder, or
    everything inside one of them."""
    if path == UNKNOWN:
        return False
    if not path.startswith(("/", "~")):
        if cwd == "?":
            return path in (".", "*", "./*", "..", "../*")
        if cwd is None:
            return False
        path = posixpath.join(cwd, path)
    if path.startswith("~"):
        rest = path[1:].partition("/")[2]
        path = f"{_HOME}/{rest}"
    norm = posixpath.normpath(path)
    while norm.endswith(("/*", "/.*")):
        norm = posixpath.dirname(norm)
    norm = "/" if norm == "//" else norm
    return norm in ("/", _HOME) or norm in _SYSTEM_DIRS


_EXPANSION = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$\w+|\$[@*#?$!0-9-]")


def may_sweep(arg: Arg, cwd: str | None) -> bool:
    """``sweeping`` for an argument known only at run time: ``"$HOME"``, ``$X/*`` and the
    like could be the root or a home folder."""
    if not arg.dynamic:
        return sweeping(arg.text, cwd)
    text = re.sub(r"\$\{HOME\}|\$HOME\b", "~", arg.text).replace('"', "").replace("'", "")
    skeleton = _EXPANSION.sub("", text)
    if skeleton == text:
        return sweeping(text, cwd)  # $HOME was the only expansion
    return skeleton in ("", "/", "/*", "*", "/.", ".") or sweeping(skeleton, cwd)


# A program's rule: given the program's name and its arguments, fills in the judgement.
Rule = Callable[[str, list[Arg], Judgement], None]

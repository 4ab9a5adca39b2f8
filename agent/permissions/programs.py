"""What each shell command does: reads, writes, runs code or reaches the network.

``effect_of`` judges one ``Command`` from ``shell.analyze``: its program by the rules in
``program_files``, ``program_search``, ``program_scripts``, ``program_git`` and
``program_net`` or the table in ``program_table``, then its redirections and wrappers.
Unknown programs run code. Effects rank execute > network > write > read.

Paths are as written, relative to the command's ``cwd``; a written directory may have
anything below it written (``cp -r``, ``tar x``, ``git checkout``). Paths may be glob
patterns (``*.py``), which a symbolic link matching them could lead elsewhere.
``"<unknown>"`` stands for paths or hosts known only at run time, ``"<tmp>"`` for a new
temporary file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.permissions import (
    program_archives,
    program_consoles,
    program_files,
    program_git,
    program_launchers,
    program_net,
    program_readers,
    program_remote,
    program_runners,
    program_search,
    program_web,
)
from agent.permissions.program_args import (
    TMP,
    UNKNOWN,
    Arg,
    Effect,
    Escalation,
    Invocation,
    Judgement,
    is_raw_disk,
)
from agent.permissions.program_awk import judge_awk
from agent.permissions.program_names import program_of
from agent.permissions.program_sed import judge_sed
from agent.permissions.program_table import SPECS, apply
from agent.permissions.shell_commands import Command, ShellAnalysis
from agent.permissions.shell_words import names
from agent.permissions.shell_wrappers import PRIVILEGED

__all__ = [
    "TMP",
    "UNKNOWN",
    "CommandEffect",
    "Effect",
    "Escalation",
    "Invocation",
    "effect_of",
    "effects",
]


@dataclass(frozen=True)
class CommandEffect:
    """``effect`` is the worst of what the command does; ``reason`` says why, for people.
    ``catastrophic``: wipes the root or a home folder, or writes a raw disk.
    ``invocation``: the command as allow rules see it (its wrappers' names first), with
    what it does beyond its program's own behaviour."""

    command: Command
    effect: Effect
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    hosts: tuple[str, ...]
    reason: str
    catastrophic: bool
    invocation: Invocation | None = None


def effects(analysis: ShellAnalysis) -> tuple[CommandEffect, ...]:
    """The effect of every command in ``analysis``."""
    return tuple(effect_of(command) for command in analysis.commands)


def effect_of(command: Command) -> CommandEffect:
    """What ``command`` reads, writes, runs and contacts."""
    j = Judgement(cwd=command.cwd)
    if command.argv:
        judge_argv(list(command.argv), set(command.dynamic), j)
    else:
        j.raise_to(Effect.READ, "only redirects")
    own = Invocation(command.argv, j.effect, tuple(j.escalations))
    _redirects(command, j)
    privileged = PRIVILEGED.intersection(command.wrappers)
    if privileged:
        j.raise_to(Effect.EXECUTE, f"runs as root ({', '.join(sorted(privileged))}): {j.reason}")
    writes = [w for w in dict.fromkeys(j.writes) if not _HARMLESS.fullmatch(w)]
    if any(is_raw_disk(w) for w in writes):
        j.catastrophic = True
        j.reason = "writes a raw disk"
    return CommandEffect(
        command=command,
        effect=j.effect,
        reads=tuple(dict.fromkeys(j.reads)),
        writes=tuple(writes),
        hosts=tuple(dict.fromkeys(j.hosts)),
        reason=j.reason,
        catastrophic=j.catastrophic,
        invocation=_invocation(command, own, j.effect),
    )


def _invocation(command: Command, own: Invocation, effect: Effect) -> Invocation:
    """The command with its wrappers: a wrapper (``timeout``, ``sudo``, ``xargs``, ``bash
    -c``) starts the command inside it, which a rule for the wrapper does not approve."""
    wrappers = command.wrappers
    if not wrappers:
        return Invocation(own.argv, effect, own.escalations)
    if not own.argv:
        return Invocation(wrappers, effect)
    launch = Escalation(
        f"{wrappers[-1]} runs {own.argv[0]}",
        (len(wrappers),),
        (own,),
        separate=True,
        offset=len(wrappers),
    )
    return Invocation((*wrappers, *own.argv), effect, (launch,))


_RULES = {
    **program_files.RULES,
    **program_readers.RULES,
    **program_archives.RULES,
    **program_search.RULES,
    **program_net.RULES,
    **program_web.RULES,
    **program_remote.RULES,
    **program_runners.RULES,
    **program_launchers.RULES,
    **program_git.RULES,
    **program_consoles.RULES,
    "sed": judge_sed,
    "gsed": judge_sed,
    **dict.fromkeys(["awk", "gawk", "mawk", "nawk", "busybox-awk"], judge_awk),
}
_HARMLESS = re.compile(r"/dev/(null|stdout|stderr|tty|zero|fd/\d+)")
# Interpreters and tools that only print their version when given just these arguments.
_VERSION_FLAGS = {
    "python": {"--version", "-V", "-VV"},
    "node": {"--version", "-v"},
    "npm": {"--version", "-v"},
    "go": {"version"},
    "java": {"--version", "-version"},
    "ruby": {"--version", "-v"},
    "perl": {"--version", "-v"},
}
_VERSIONED = names(
    """python pypy node nodejs npm npx yarn pnpm bun deno ruby perl php lua go cargo rustc rustup
    java javac gcc g++ cc clang make cmake pip uv poetry docker kubectl terraform tsc pytest
    ruff mypy black"""
)
_PYTHON = re.compile(r"python[0-9.]*|pypy[0-9.]*")


def judge_argv(argv: list[str], dynamic: set[int], j: Judgement) -> None:
    """Judge ``argv`` (``dynamic``: indices known only at run time) into ``j``."""
    if 0 in dynamic:
        j.raise_to(Effect.EXECUTE, "runs a program known only at run time")
        j.read(UNKNOWN)
        j.write(UNKNOWN)
        return
    name = program_of(argv[0])
    args = [Arg(text, k + 1 in dynamic, k + 1) for k, text in enumerate(argv[1:])]
    if name is None:
        j.raise_to(Effect.EXECUTE, f"runs {argv[0]}")
        return
    base = "python" if _PYTHON.fullmatch(name) else name
    only = args[0].text if len(args) == 1 and not args[0].dynamic else ""
    if base in _VERSIONED and only in _VERSION_FLAGS.get(base, {"--version"}):
        j.raise_to(Effect.READ, f"{name} prints its version")
        return
    if base == "python" and [a.text for a in args[:3]] in (["-m", "pip", "install"],):
        program_net.judge_packages("pip", args[2:], j)
        return
    rule = _RULES.get(name) or (program_files.judge_disk if name.startswith("mkfs.") else None)
    if rule is not None:
        rule(name, args, j)
    elif name in SPECS:
        apply(SPECS[name], name, args, j)
    else:
        j.raise_to(Effect.EXECUTE, f"runs {name}")


def _redirects(command: Command, j: Judgement) -> None:
    for redirect in command.redirects:
        target = redirect.target
        if redirect.dynamic:
            j.raise_to(
                Effect.WRITE if redirect.writes else Effect.READ,
                f"redirects to {target}, known only at run time",
            )
            (j.write if redirect.writes else j.read)(UNKNOWN)
            j.contact(UNKNOWN)
        elif target.startswith(("/dev/tcp/", "/dev/udp/")):
            host = target.split("/")[3] if len(target.split("/")) > 3 else UNKNOWN
            j.raise_to(Effect.NETWORK, f"opens a network connection to {host}")
            j.contact(host.lower() or UNKNOWN)
        elif redirect.writes:
            j.raise_to(Effect.WRITE, f"writes {target}")
            j.write(target)
        elif redirect.operator in ("<", "<&"):
            j.read(target)

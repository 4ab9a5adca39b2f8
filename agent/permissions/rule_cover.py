"""Which allow rule approves one shell command, and every command deny and ask rules see.

A Bash allow rule approves what its program does by itself. An escalation of the command
(``program_args.Escalation``: it starts another program, destroys what the program
otherwise only reads, or uses an option Harken does not know on a program that can start
others) is approved only when

- the rule spells out the words that cause it, for example ``Bash(find * -delete)`` or
  ``Bash(find * -exec rm *)``; what a spelled-out launch does in turn must be spelled out
  too, or approved on its own; or
- it starts commands whose reads, writes and hosts were judged into the command (``find
  -exec rm {}``, ``timeout 5 rm x``, ``rg --pre PROG``), and each of those is approved on
  its own: by an allow rule of its own (``Bash(rm *)``) or because it only reads.

So ``Bash(find *)`` plus ``Bash(rm *)`` approve ``find . -exec rm {} +``: together they
grant no more than each grants alone (rm may remove files; the engine still checks that
every path it writes is inside the workspace). A command started through a shell string
(``tar --to-command='sh -c ...'``, ``git -c core.pager=...``) is not judged that closely,
so only a rule spelling the string out approves it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from agent.permissions.program_args import Effect, Escalation, Invocation
from agent.permissions.program_names import system_program
from agent.permissions.rules import Rule, command_matches, spells

MAX_DEPTH = 8  # launches inside launches; deeper is never approved


def needs_no_rule(command: Invocation) -> bool:
    """A command that only reads and does nothing beyond its program needs no rule."""
    return command.effect == Effect.READ and not command.escalations


def covering_rule(command: Invocation, rules: Sequence[Rule], depth: int = 0) -> Rule | None:
    """The first Bash allow rule in ``rules`` that approves ``command`` with everything it
    does beyond its own program, or None. A rule without a specifier (``Bash``) approves
    every command."""
    if depth > MAX_DEPTH:
        return None
    for rule in rules:
        if rule.tool != "Bash":
            continue
        if rule.specifier is None:
            return rule
        for argv in _spellings(command.argv):
            if command_matches(rule.specifier, " ".join(argv)) and all(
                _approved(rule.specifier, argv, 0, e, rules, depth) for e in command.escalations
            ):
                return rule
    return None


def _spellings(argv: tuple[str, ...]) -> list[tuple[str, ...]]:
    """``argv`` as written and, for a system program named by its path (``/bin/rm x``), by
    its name (``rm x``). A path elsewhere (``./rm``) is another program: no rule for rm
    approves it."""
    name = system_program(argv[0]) if argv else None
    return [argv] if name is None else [argv, (name, *argv[1:])]


def _approved(
    spec: str,
    words: tuple[str, ...],
    shift: int | None,
    escalation: Escalation,
    rules: Sequence[Rule],
    depth: int,
) -> bool:
    """Whether ``escalation`` (its word indices shifted by ``shift`` into ``words``, the
    command the rule ``spec`` matched) is approved."""
    if depth > MAX_DEPTH:
        return False
    if shift is not None:
        at = tuple(i + shift if i >= 0 else -1 for i in escalation.spell)
        if spells(spec, words, at):
            if not escalation.separate:
                return True  # the rule spelled out everything that is known about it
            inner = None if escalation.offset is None else shift + escalation.offset
            if all(
                _approved(spec, words, inner, e, rules, depth + 1)
                for launch in escalation.launches
                for e in launch.escalations
            ):
                return True
    return escalation.separate and all(
        needs_no_rule(launch) or covering_rule(launch, rules, depth + 1) is not None
        for launch in escalation.launches
    )


def commands(command: Invocation, depth: int = 0) -> Iterator[Invocation]:
    """``command`` and every command it starts, as far as they are known (for deny and ask
    rules: ``Bash(rm *)`` touches ``find . -exec rm {} +``)."""
    yield command
    if depth >= MAX_DEPTH:
        return
    for escalation in command.escalations:
        for launch in escalation.launches:
            yield from commands(launch, depth + 1)

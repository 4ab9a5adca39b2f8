"""Where a deny or ask rule for Bash cannot see: parts of a command Harken cannot read
statically (a program named by a variable, `eval`, a shell reading commands from a pipe,
an alias, a launcher's shell string or session: `script -c`, `su -c`, `tmux new`).
With such a rule in force these fail closed: they are asked about in every
mode, bypass included, since the rule might be what they do (`x=rm; $x f`)."""

from __future__ import annotations

from agent.permissions.classify import Classification, ShellPart
from agent.permissions.program_launchers import RULES as LAUNCHERS
from agent.permissions.rule_touch import program_name
from agent.permissions.rules import Rule

# Shells that run commands read from their input when given no script or -c.
_SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "fish", "busybox"})
# Builtins that make later words mean other commands.
_REDEFINE = frozenset({"alias", "function"})


def guards_bash(rules: list[Rule]) -> bool:
    """Whether any of ``rules`` names a Bash command (a bare ``Bash`` rule needs no reading)."""
    return any(r.tool == "Bash" and r.specifier is not None for r in rules)


def unreadable(c: Classification) -> str:
    """Why some part of a shell call is hidden from command rules ("" when none is)."""
    if c.tool != "Bash":
        return ""
    if c.problems:
        return c.problems[0]
    for part in c.parts:
        words = part.words.split(" ")
        name = program_name(words[0])
        if name in _REDEFINE:
            return f"`{part.words}` defines names that run other commands"
        operands = [w for w in words[1:] if w and w not in ("-s", "-i", "-l", "--login")]
        if name in _SHELLS and not operands:
            return f"`{part.words}` runs commands it reads from its input"
        if name in LAUNCHERS and _hidden_launch(part):
            return f"`{part.words}` starts commands written in its arguments"
    return ""


def _hidden_launch(part: ShellPart) -> bool:
    # A launcher's escalation without the commands it starts: a shell string, a session,
    # another user's shell (`script -c`, `su -c`, `tmux new`, `gdb --args`). Commands
    # given as separate words (`parallel rm ::: x`) are launches the rules already see.
    invocation = part.invocation
    return invocation is not None and any(not e.launches for e in invocation.escalations)

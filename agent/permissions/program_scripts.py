"""sed and awk: programs whose first argument is itself a program. What their scripts do.

``program_sed`` and ``program_awk`` read a script closely enough to find what writes files
(``sed -i``, ``w FILE``, awk's ``print > "f"``), runs commands (sed ``e``, awk ``system()``
and pipes) or reaches the network (gawk's ``/inet/`` files) and say so in a
``ScriptEffects``; ``apply_effects`` turns it into a judgement. A script that cannot be
read is judged as running code. All of these are escalations: an allow rule for sed or awk
approves them only by spelling the script out, and an option Harken does not know is
judged as running code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.permissions.program_args import UNKNOWN, Arg, Effect, Judgement
from agent.permissions.program_launch import shell_commands

STD_FILES = frozenset({"/dev/stdout", "/dev/stderr", "-", "/dev/null"})


@dataclass
class ScriptEffects:
    """What a sed or awk program does by itself. ``ok`` is False when it could not be read."""

    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    executes: str = ""  # why it runs commands, if it does
    commands: list[str] = field(default_factory=list)  # the shell commands it runs, if known
    network: bool = False
    ok: bool = True


def apply_effects(effects: ScriptEffects, j: Judgement, name: str, scripts: list[Arg]) -> None:
    """What the script does beyond reading its input are escalations: a rule approves them
    only by spelling the script out."""
    if not effects.ok:
        j.escalate(Effect.EXECUTE, f"{name} script cannot be read", *scripts)
    j.read(*effects.reads)
    if effects.writes:
        j.escalate(Effect.WRITE, f"{name} script writes files", *scripts)
        j.write(*effects.writes)
    if effects.network:
        j.escalate(Effect.NETWORK, f"{name} opens a network connection", *scripts)
        j.contact(UNKNOWN)
    if effects.executes:
        launches = tuple(i for c in effects.commands for i in shell_commands(c))
        j.escalate(Effect.EXECUTE, effects.executes, *scripts, launches=launches)

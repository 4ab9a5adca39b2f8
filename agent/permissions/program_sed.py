"""sed: its script read command by command (GNU syntax) for the files it reads and
writes and the commands it runs; see ``program_scripts``."""

from __future__ import annotations

import re

from agent.permissions import program_known
from agent.permissions.program_args import (
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    split,
    unknown_options,
)
from agent.permissions.program_scripts import STD_FILES, ScriptEffects, apply_effects

_SED_SIMPLE = set("dDgGhHnNpPxz=F")
_SED_NUMBER_ARG = set("lqQL")


def sed_script(script: str) -> ScriptEffects:
    """Read a GNU sed script command by command."""
    out = ScriptEffects()
    n = len(script)
    i = 0

    def rest_of_line(start: int) -> tuple[str, int]:
        end = script.find("\n", start)
        end = n if end < 0 else end
        return script[start:end], end

    def delimited(start: int, delim: str) -> int:
        """Index just past the unescaped ``delim`` closing a part that starts at ``start``."""
        j = start
        while j < n:
            if script[j] == "\\":
                j += 2
                continue
            if script[j] == delim:
                return j + 1
            j += 1
        return -1

    while i < n:
        c = script[i]
        if c in " \t\n;{}!":
            i += 1
            continue
        if c == "#":
            i = rest_of_line(i)[1]
            continue
        i = _sed_address(script, i)
        if i < 0:
            out.ok = False
            return out
        while i < n and script[i] in " \t!":
            i += 1
        if i >= n:
            break
        c = script[i]
        i += 1
        if c in "{}":
            continue
        if c in _SED_SIMPLE:
            continue
        if c in _SED_NUMBER_ARG:
            while i < n and script[i] in " \t0123456789":
                i += 1
        elif c in "aic":
            text, i = rest_of_line(i)
            while text.endswith("\\") and i < n:
                text, i = rest_of_line(i + 1)
        elif c in "rRwW":
            name, i = rest_of_line(i)
            name = name.strip()
            if c in "rR":
                out.reads.append(name or UNKNOWN)
            elif name not in STD_FILES:
                out.writes.append(name or UNKNOWN)
        elif c == "e":
            out.executes = "sed e runs a command"
            command, i = rest_of_line(i)
            out.commands.append(command.strip())
        elif c in "btT:v":
            while i < n and script[i] not in ";\n":
                i += 1
        elif c in "sy":
            if i >= n or script[i] in "\n\\":
                out.ok = False
                return out
            delim = script[i]
            i = delimited(i + 1, delim)
            i = delimited(i, delim) if i > 0 else -1
            if i < 0:
                out.ok = False
                return out
            if c == "s":
                i = _sed_flags(script, i, out)
        else:
            out.ok = False
            return out
        while i < n and script[i] in " \t":
            i += 1
        if i < n and script[i] not in ";\n}#":
            out.ok = False
            return out
    return out


_SED_ADDRESS = re.compile(r"\d+(~\d+)?|\$|0")


def _sed_address(script: str, i: int) -> int:
    """Skip up to two addresses (``1,/re/``); -1 when malformed."""
    for part in range(2):
        if part == 1:
            if i >= len(script) or script[i] != ",":
                return i
            i += 1
            if i < len(script) and script[i] in "+~":
                i += 1
        match = _SED_ADDRESS.match(script, i)
        if match:
            i = match.end()
        elif i < len(script) and script[i] in "/\\":
            delim = script[i]
            if delim == "\\":
                i += 1
                if i >= len(script):
                    return -1
                delim = script[i]
            i += 1
            while i < len(script) and script[i] != delim:
                i += 2 if script[i] == "\\" else 1
            if i >= len(script):
                return -1
            i += 1
            while i < len(script) and script[i] in "IM":
                i += 1
        elif part == 1:
            return -1
        else:
            return i
    return i


def _sed_flags(script: str, i: int, out: ScriptEffects) -> int:
    while i < len(script):
        c = script[i]
        if c in "gpiImM0123456789":
            i += 1
        elif c == "e":
            out.executes = "sed s///e runs the result as a command"
            i += 1
        elif c == "w":
            end = script.find("\n", i)
            end = len(script) if end < 0 else end
            name = script[i + 1 : end].strip()
            if name not in STD_FILES:
                out.writes.append(name or UNKNOWN)
            return end
        else:
            return i
    return i


def judge_sed(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(
        args,
        short_args="efl",
        long_args=("--expression", "--file", "--line-length"),
        optional="i",
    )
    j.raise_to(Effect.READ, "reads files")
    scripts = opts.values("-e", "--expression")
    operands = list(opts.operands)
    files = opts.found("-f", "--file")
    for word, value in files:
        j.escalate(Effect.EXECUTE, "sed -f runs a script file", word, value)
        j.read(value if value is not None else UNKNOWN)
    if not files and not scripts and operands:
        scripts.append(operands.pop(0))
    unknown = [s for s in scripts if s.dynamic]
    if opts.dynamic or unknown:
        j.escalate(Effect.EXECUTE, "sed script known only at run time", *opts.moving, *unknown)
    j.read(*operands)
    for word, _ in opts.found("-i", "--in-place"):
        j.escalate(Effect.WRITE, "sed -i edits files in place", word)
        j.write(*operands)
    for word in unknown_options(opts, program_known.SED):
        j.escalate(Effect.EXECUTE, f"sed {word.text} is an option Harken does not know", word)
    if opts.has("--sandbox"):
        return  # sed itself refuses e, r and w
    effects = sed_script("\n".join(s.text for s in scripts))
    apply_effects(effects, j, "sed", scripts)

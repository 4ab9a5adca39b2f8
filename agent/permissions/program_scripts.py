"""sed and awk: programs whose first argument is itself a program.

Their scripts are read closely enough to find what writes files (``sed -i``, ``w FILE``,
awk's ``print > "f"``), runs commands (sed ``e``, awk ``system()`` and pipes) or reaches
the network (gawk's ``/inet/`` files). A script that cannot be read is judged as running
code. All of these are escalations: an allow rule for sed or awk approves them only by
spelling the script out, and an option Harken does not know is judged as running code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.permissions import program_known
from agent.permissions.program_args import (
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    split,
    unknown_options,
)
from agent.permissions.program_launch import shell_commands
from agent.permissions.shell_words import names

_STD_FILES = frozenset({"/dev/stdout", "/dev/stderr", "-", "/dev/null"})


@dataclass
class ScriptEffects:
    """What a sed or awk program does by itself. ``ok`` is False when it could not be read."""

    reads: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    executes: str = ""  # why it runs commands, if it does
    commands: list[str] = field(default_factory=list)  # the shell commands it runs, if known
    network: bool = False
    ok: bool = True


# -- sed -------------------------------------------------------------------------------

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
            elif name not in _STD_FILES:
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
            if name not in _STD_FILES:
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
    _apply(effects, j, "sed", scripts)


# -- awk -------------------------------------------------------------------------------

_AWK_TOKEN = re.compile(
    r"""(?P<space>[ \t\r]+|\\\n)|(?P<comment>\#[^\n]*)|(?P<newline>\n)
    |(?P<string>"(?:[^"\\\n]|\\.)*")|(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<number>\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)
    |(?P<op>\|\||\|&|>>|&&|[<>!=]=|\+\+|--|[-+*/%^]=|[|><(){}\[\];,!~?:$+\-*/%^=@.&])""",
    re.VERBOSE,
)
_REGEX_AFTER = frozenset(
    {
        "",
        "(",
        ",",
        "{",
        "}",
        ";",
        "!",
        "~",
        "&&",
        "||",
        "\n",
        "?",
        ":",
        "=",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "*",
        "%",
        "^",
        "print",
        "printf",
        "return",
        "in",
        "case",
    }
)


def _awk_tokens(program: str) -> list[str] | None:
    """Tokens with strings kept quoted and regex literals replaced by "/re/"; None when
    the program cannot be split."""
    tokens: list[str] = []
    i = 0
    while i < len(program):
        if program[i] == "/" and (tokens[-1] if tokens else "") in _REGEX_AFTER:
            j = i + 1
            in_bracket = False
            while j < len(program) and (program[j] != "/" or in_bracket):
                if program[j] == "\\":
                    j += 1
                elif program[j] == "[":
                    in_bracket = True
                elif program[j] == "]":
                    in_bracket = False
                elif program[j] == "\n":
                    return None
                j += 1
            if j >= len(program):
                return None
            tokens.append("/re/")
            i = j + 1
            continue
        match = _AWK_TOKEN.match(program, i)
        if not match:
            return None
        kind = match.lastgroup
        if kind == "newline":
            tokens.append("\n")
        elif kind not in ("space", "comment"):
            tokens.append(match.group())
        i = match.end()
    return tokens


def awk_program(program: str) -> ScriptEffects:
    """What an awk program does besides reading its input."""
    out = ScriptEffects()
    tokens = _awk_tokens(program)
    if tokens is None:
        out.ok = False
        return out
    depth = 0
    printing: list[int] = []  # paren depths of print statements still open
    for k, token in enumerate(tokens):
        after = tokens[k + 1] if k + 1 < len(tokens) else ""
        if token.startswith('"') and "/inet" in token:
            out.network = True
        if token == "system" and after == "(":
            out.executes = "awk system() runs a command"
            argument = tokens[k + 2] if k + 2 < len(tokens) else ""
            if argument.startswith('"') and tokens[k + 3 : k + 4] == [")"]:
                out.commands.append(argument[1:-1].replace('\\"', '"'))
        elif token in ("|", "|&"):
            out.executes = "awk pipes to or from a command"
        elif token == "@" and after != "namespace":
            out.executes = "gawk @load, @include or an indirect call"
        elif token in ("print", "printf"):
            printing.append(depth)
        elif token in ("(", "["):
            depth += 1
        elif token in (")", "]"):
            depth -= 1
        elif token in (";", "\n", "{", "}"):
            printing.clear()
        elif token in (">", ">>") and printing and printing[-1] == depth:
            target = after[1:-1] if after.startswith('"') and after.endswith('"') else UNKNOWN
            if "/inet" in target:
                out.network = True
            elif target not in _STD_FILES and not target.startswith("/dev/fd/"):
                out.writes.append(target)
        elif token == "getline" and (after == "<" or tokens[k + 2 : k + 3] == ["<"]):
            source = tokens[k + 2] if after == "<" else tokens[k + 3] if k + 3 < len(tokens) else ""
            out.reads.append(source[1:-1] if source.startswith('"') else UNKNOWN)
    return out


def judge_awk(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(
        args,
        short_args="FvfeEilW",
        long_args=names("--field-separator --assign --file --source --exec --include --load"),
        optional="dDLop",
    )
    j.raise_to(Effect.READ, "reads files")
    operands = list(opts.operands)
    sources = opts.values("-e", "--source")
    files = opts.found("-f", "--file", "-E", "--exec")
    for word, value in files + opts.found("-l", "--load"):
        j.escalate(Effect.EXECUTE, f"{name} runs a program file", word, value)
    j.read(*[v for w, v in files if v is not None])
    inplace = []
    for word, value in opts.found("-i", "--include"):
        if value is not None and value.text in ("inplace", "inplace.awk"):
            inplace.append(word)
        else:
            j.escalate(Effect.EXECUTE, f"{name} runs a program file", word, value)
    if not files and not sources and operands:
        sources.append(operands.pop(0))
    for word, _ in opts.found("-D", "--debug"):
        j.escalate(Effect.EXECUTE, f"{name} -D runs the debugger, which can run code", word)
    for word, value in opts.found("-W"):
        if value is None or value.text[:1] not in "vs":  # -W version, -W sprintf=...
            j.escalate(Effect.EXECUTE, f"{name} option can run code", word)
    unknown = [s for s in sources if s.dynamic]
    if opts.dynamic or unknown:
        j.escalate(Effect.EXECUTE, f"{name} program known only at run time", *opts.moving, *unknown)
    files_read = [a for a in operands if a.dynamic or not re.match(r"[A-Za-z_]\w*=", a.text)]
    j.read(*files_read)
    if inplace:
        j.escalate(Effect.WRITE, f"{name} -i inplace edits files in place", *inplace)
        j.write(*files_read)
    for option, default in (("-d", "awkvars.out"), ("-o", "awkprof.out"), ("-p", "awkprof.out")):
        long = {"-d": "--dump-variables", "-o": "--pretty-print", "-p": "--profile"}[option]
        for (given, value), word in zip(opts.options, opts.sources, strict=True):
            if (
                given == option
                or given.split("=")[0] == long
                or (given.startswith("--") and long.startswith(given) and len(given) > 3)
            ):
                j.escalate(Effect.WRITE, f"{name} {given} writes a file", word)
                j.write(value.text if value is not None else default)
    for word in unknown_options(opts, program_known.AWK):
        j.escalate(Effect.EXECUTE, f"{name} {word.text} is an option Harken does not know", word)
    if opts.has("-S", "--sandbox"):
        return  # gawk refuses system(), redirections and pipes
    _apply(awk_program("\n".join(s.text for s in sources)), j, name, sources)


def _apply(effects: ScriptEffects, j: Judgement, name: str, scripts: list[Arg]) -> None:
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

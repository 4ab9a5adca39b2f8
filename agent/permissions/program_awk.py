"""awk (gawk, mawk): its program split into tokens and read for what it writes, runs and
contacts besides its input; see ``program_scripts``."""

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
from agent.permissions.shell_words import names

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
            elif target not in STD_FILES and not target.startswith("/dev/fd/"):
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
    apply_effects(awk_program("\n".join(s.text for s in sources)), j, name, sources)

"""Rules for programs that mostly read or print (uniq, xxd, jq, yq, less, test, date,
hostname, ``command -v``) but which their arguments can turn into something else: uniq
and xxd writing their second operand, ``yq -i``, ``less +!cmd``, ``date -s``. What a
program does beyond its own behaviour is an escalation, which an allow rule for the
program alone does not approve.

Each rule is ``rule(name, args, judgement)``; ``RULES`` maps program names to them.
"""

from __future__ import annotations

import re

from agent.permissions.program_args import (
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    Rule,
    split,
)
from agent.permissions.program_table import SPECS, apply
from agent.permissions.shell_words import names

R, W, X = Effect.READ, Effect.WRITE, Effect.EXECUTE


def judge_uniq(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, "fsw", ("--skip-fields", "--skip-chars", "--check-chars"))
    j.raise_to(R, "filters lines")
    j.read(*opts.operands[:1])
    if len(opts.operands) > 1:
        j.escalate(W, "uniq writes its second operand", opts.operands[1])
        j.write(*opts.operands[1:2])
    if opts.dynamic:
        j.escalate(W, "uniq has arguments known only at run time", *opts.moving)
        j.write(UNKNOWN)


_XXD_ARGS = re.compile(r"-(c|cols|g|groupsize|l|len|s|seek|o|offset|n|name)")


def judge_xxd(name: str, args: list[Arg], j: Judgement) -> None:
    operands: list[Arg] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.dynamic or not arg.text.startswith("-") or arg.text == "-":
            operands.append(arg)
        elif _XXD_ARGS.fullmatch(arg.text):
            i += 1
        i += 1
    j.raise_to(R, "dumps files")
    j.read(*operands[:1])
    if len(operands) > 1 or any(a.dynamic for a in operands):
        j.escalate(W, "xxd writes its second operand", *operands[1:2], *_dynamic(operands))
        j.write(*operands[1:2])


def judge_date(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, "dfrs", ("--date", "--file", "--reference", "--set"), optional="I")
    j.raise_to(R, "prints the date")
    j.read(*opts.values("-f", "--file", "-r", "--reference"))
    setting = [w for w, _ in opts.found("-s", "--set")]
    setting += [a for a in opts.operands if a.dynamic or not a.text.startswith("+")]
    if setting:
        j.escalate(X, "sets the system clock", *setting)


def _dynamic(args: list[Arg]) -> list[Arg]:
    return [a for a in args if a.dynamic]


def judge_hostname(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, "F", ("--file",))
    j.raise_to(R, "prints the host name")
    setting = [w for w, _ in opts.found("-F", "--file", "-b", "--boot")]
    if opts.operands or setting:
        j.escalate(X, "sets the host name", *opts.operands, *setting)


_FILE_TESTS = names("-e -f -d -r -w -x -s -L -h -b -c -p -S -g -u -k -O -G -N -a")


def judge_test(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(R, "tests a condition")
    for i, arg in enumerate(args):
        if arg.text in _FILE_TESTS and i + 1 < len(args):
            j.read(args[i + 1])
        elif arg.text in ("-nt", "-ot", "-ef") and 0 < i < len(args) - 1:
            j.read(args[i - 1], args[i + 1])


def judge_jq(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(R, "processes JSON")
    has_filter = positional = False
    i = 0
    while i < len(args):
        arg = args[i]
        text = arg.text
        if arg.dynamic:
            j.read(UNKNOWN)
        elif positional and has_filter:
            pass  # --args: strings, not files
        elif text in ("--arg", "--argjson"):
            i += 2
        elif text in ("--slurpfile", "--rawfile"):
            j.read(*args[i + 2 : i + 3])
            i += 2
        elif text in ("-f", "--from-file", "-L"):
            j.read(*args[i + 1 : i + 2])
            has_filter = has_filter or text != "-L"
            i += 1
        elif text == "--indent":
            i += 1
        elif text in ("--args", "--jsonargs"):
            positional = True
        elif text.startswith("-L"):
            j.read(text[2:])
        elif text.startswith("-") and text != "-":
            pass
        elif not has_filter:
            has_filter = True
        else:
            j.read(arg)
        i += 1


def judge_yq(name: str, args: list[Arg], j: Judgement) -> None:
    if args and args[0].text in ("eval", "e", "eval-all", "ea"):
        args = args[1:]
    opts = split(
        args,
        "opIsw",
        (
            "--output-format",
            "--input-format",
            "--indent",
            "--split-exp",
            "--from-file",
            "--expression",
            "--front-matter",
        ),
    )
    j.raise_to(R, "processes YAML")
    operands = list(opts.operands)
    expressions = opts.values("--expression")
    if opts.has("--from-file"):
        j.read(*opts.values("--from-file"))
    elif not expressions and operands:
        expressions.append(operands.pop(0))
    if any("load" in e.text or e.dynamic for e in expressions):
        j.read(UNKNOWN)
    j.read(*operands)
    for word, _ in opts.found("-i", "--inplace", "--in-place"):
        j.escalate(W, "yq -i edits files in place", word)
        j.write(*operands)
    if opts.has("-s", "--split-exp") or opts.dynamic:
        words = [w for w, _ in opts.found("-s", "--split-exp")]
        j.escalate(W, "yq writes files it names at run time", *words, *opts.moving)
        j.write(UNKNOWN)


def judge_less(name: str, args: list[Arg], j: Judgement) -> None:
    apply(SPECS["less"], name, args, j)
    for arg in args:
        if arg.text.startswith("+"):
            j.escalate(X, "less +commands can run programs", arg)


def judge_command(name: str, args: list[Arg], j: Judgement) -> None:
    """``command -v`` and ``command -V`` (what remains of ``command`` after unwrapping)."""
    j.raise_to(R, "finds programs")


RULES: dict[str, Rule] = {
    "uniq": judge_uniq,
    "xxd": judge_xxd,
    "date": judge_date,
    "hostname": judge_hostname,
    "test": judge_test,
    "[": judge_test,
    "[[": judge_test,
    "jq": judge_jq,
    "yq": judge_yq,
    "less": judge_less,
    "command": judge_command,
}

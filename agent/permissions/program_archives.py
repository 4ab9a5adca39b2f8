"""Archivers and splitters: tar, zip, unzip, split and csplit.

Writing archives and extracting them is what they are for. The options that run a
program (``tar -I``, ``--to-command``, ``--checkpoint-action=exec``, ``zip -TT``, ``split
--filter``) or remove the files they read (``tar --remove-files``, ``zip -m``) are
escalations, which an allow rule for the program alone does not approve; tar, zip and
split can run programs, so an option Harken does not know is judged as running one.
"""

from __future__ import annotations

from agent.permissions import program_known
from agent.permissions.program_args import (
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    Rule,
    split,
    unknown_options,
)
from agent.permissions.program_launch import run_string
from agent.permissions.shell_words import names

R, W, X = Effect.READ, Effect.WRITE, Effect.EXECUTE

_TAR_ARGS = "fCTXbHIFKLNVg"
_TAR_LONG = names(
    """--file --directory --files-from --exclude-from --use-compress-program --to-command
    --info-script --new-volume-script --rsh-command --rmt-command --checkpoint-action
    --transform --xform --exclude --owner --group --mode --format --blocking-factor
    --listed-incremental --label --strip-components --suffix --newer --after-date --tape-length
    --index-file --volno-file"""
)
_TAR_EXECUTES = names(
    """-I --use-compress-program --to-command --info-script -F --new-volume-script --rsh-command
    --rmt-command --checkpoint-action"""
)
# Checkpoint actions that only print, wait or ring: every other one may run a command.
_QUIET_CHECKPOINTS = ("bell", "dot", ".", "echo", "sleep", "totals", "ttyout", "wait")


def judge_tar(name: str, args: list[Arg], j: Judgement) -> None:
    words = list(args)
    if words and not words[0].dynamic and words[0].text[:1] not in ("-", ""):
        # Old style "tar xzf ARCHIVE": letters that take a value use the next words in turn.
        first, rest, words = words[0], words[1:], []
        for letter in first.text:
            words.append(Arg("-" + letter, index=first.index))
            if letter in _TAR_ARGS and rest:
                words.append(rest.pop(0))
        words += rest
    opts = split(words, _TAR_ARGS, _TAR_LONG)
    archives = opts.values("-f", "--file") or [Arg("-")]
    base = (opts.values("-C", "--directory") or [Arg(".")])[-1]
    for word, value in opts.found(*_TAR_EXECUTES):
        option = word.text.partition("=")[0]
        action = value.text if value is not None and not value.dynamic else "exec"
        if option.startswith("--check") and action.startswith(_QUIET_CHECKPOINTS):
            continue
        run_string(j, [word], value, f"tar {option} runs a program")
    for word, value in opts.found("-f", "--file"):
        remote = value is not None and ":" in value.text.split("/", 1)[0]
        if remote and not opts.has("--force-local"):
            j.escalate(X, "tar reaches a remote archive through rsh", word, value)
    for word in unknown_options(opts, program_known.TAR):
        j.escalate(X, f"tar {word.text} is an option Harken does not know", word)
    if opts.dynamic:
        j.escalate(X, "tar has arguments known only at run time", *opts.moving)
    j.read(*opts.values("-T", "--files-from", "-X", "--exclude-from"))
    if opts.has("-T", "--files-from"):
        j.read(UNKNOWN)
    j.write(*opts.values("-g", "--listed-incremental", "--index-file", "--volno-file"))
    if opts.has("-x", "--extract", "--get"):
        j.raise_to(W, "extracts an archive")
        j.read(*archives)
        j.write(base)
        if opts.has("-P", "--absolute-names"):
            j.write(UNKNOWN)
    elif opts.has(
        "-c",
        "--create",
        "-r",
        "--append",
        "-u",
        "--update",
        "-A",
        "--catenate",
        "--concatenate",
        "--delete",
    ):
        j.raise_to(W, "writes an archive")
        j.write(*archives)
        j.read(*opts.operands)
        for word, _ in opts.found("--remove-files"):
            j.escalate(W, "tar --remove-files removes the files it archives", word)
            j.write(*opts.operands)
    elif opts.has("-t", "--list", "-d", "--diff", "--compare"):
        j.raise_to(R, "lists an archive")
        j.read(*archives)
    else:
        j.raise_to(X, "tar mode not understood")


def judge_unzip(name: str, args: list[Arg], j: Judgement) -> None:
    target: Arg = Arg(".")
    archive: Arg | None = None
    listing = excluding = False
    i = 0
    while i < len(args):
        arg = args[i]
        text = arg.text
        if arg.dynamic:
            j.read(UNKNOWN)
            j.write(UNKNOWN)
        elif text.startswith("-") and len(text) > 1:
            excluding = "x" in text
            if "d" in text and i + 1 < len(args):
                i += 1
                target = args[i]
            elif "P" in text:
                i += 1
            listing = listing or any(c in text for c in "lvtzZpc")
        elif archive is None:
            archive = arg
        elif not excluding:
            pass  # a member name inside the archive
        i += 1
    j.read(*([archive] if archive else []))
    if listing:
        j.raise_to(R, "lists an archive")
    else:
        j.raise_to(W, "extracts an archive")
        j.write(target)


_ZIP_VALUE = names("-b -n -O -t -tt -P -s -sp -ds -Z -TT --unzip-command --temp-path --output-file")


def judge_zip(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(W, "writes an archive")
    rest: list[Arg] = []  # without -TT and its command, which getopt-style splitting misreads
    i = 0
    while i < len(args):
        arg = args[i]
        option, eq, attached = arg.text.partition("=")
        value = Arg(attached, index=arg.index) if eq else None
        if not arg.dynamic and option in _ZIP_VALUE and not eq and i + 1 < len(args):
            i += 1
            value = args[i]
        if not arg.dynamic and option in ("-TT", "--unzip-command"):
            run_string(j, [arg], value, "zip -TT runs a command")
        else:
            if not arg.dynamic and option.startswith("-") and not _zip_knows(option):
                j.escalate(X, f"zip {arg.text} is an option Harken does not know", arg)
            rest += [arg] if value is None or eq else [arg, value]
        i += 1
    opts = split(rest, "bnOtPs", ("--output-file", "--temp-path"))
    operands = list(opts.operands)
    j.write(*operands[:1], *opts.values("-O", "--output-file", "-b", "--temp-path"))
    j.read(*operands[1:])
    for word, _ in opts.found("-m", "--move"):
        j.escalate(W, "zip -m removes the files it adds", word)
        j.write(*operands[1:])
    if opts.has("-@") or opts.dynamic:
        j.read(UNKNOWN)
    if opts.dynamic:
        j.escalate(X, "zip has arguments known only at run time", *opts.moving)


def _zip_knows(option: str) -> bool:
    if option in program_known.ZIP_WORDS or option == "-":
        return True
    return not option.startswith("--") and all(c in program_known.ZIP_LETTERS for c in option[1:])


def judge_split(name: str, args: list[Arg], j: Judgement) -> None:
    if name == "csplit":
        opts = split(args, "bfn", ("--suffix-format", "--prefix", "--digits"))
        prefix = (opts.values("-f", "--prefix") or [Arg("xx")])[-1]
        j.read(*opts.operands[:1])
    else:
        opts = split(
            args,
            "abClnt",
            (
                "--suffix-length",
                "--bytes",
                "--line-bytes",
                "--lines",
                "--number",
                "--separator",
                "--additional-suffix",
                "--filter",
            ),
        )
        prefix = opts.operands[1] if len(opts.operands) > 1 else Arg("x")
        j.read(*opts.operands[:1])
        for word, value in opts.found("--filter"):
            run_string(j, [word], value, "split --filter runs a command")
        for word in unknown_options(opts, program_known.SPLIT):
            j.escalate(X, f"split {word.text} is an option Harken does not know", word)
    j.raise_to(W, f"{name} writes pieces of a file")
    j.write(UNKNOWN if prefix.dynamic or opts.dynamic else prefix.text + "*")


RULES: dict[str, Rule] = {
    "tar": judge_tar,
    "unzip": judge_unzip,
    "zip": judge_zip,
    "split": judge_split,
    "csplit": judge_split,
}

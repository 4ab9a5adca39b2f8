"""Search programs: grep, rg, ag, find and fd. They read, except for the options that run
programs (``rg --pre``, ``find -exec``, ``fd -x``) or delete and write (``find -delete``,
``-fprint``)."""

from __future__ import annotations

from collections.abc import Callable

from agent.permissions.program_args import (
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    may_be_option,
    may_sweep,
    split,
    splits,
)
from agent.permissions.shell_words import names

R, W, N, X = Effect.READ, Effect.WRITE, Effect.NETWORK, Effect.EXECUTE
Rule = Callable[[str, list[Arg], Judgement], None]

_GREP_SHORT = "efmABCdD"
_GREP_LONG = names(
    """--regexp --file --max-count --after-context --before-context --context --directories
    --devices --include --exclude --exclude-dir --exclude-from --label --binary-files
    --group-separator"""
)
_RG_SHORT = "ABCEefgjMmrTtd"
_RG_LONG = names(
    """--after-context --before-context --context --colors --color --context-separator
    --dfa-size-limit --encoding --engine --field-context-separator --field-match-separator
    --file --glob --iglob --ignore-file --max-columns --max-count --max-depth --max-filesize
    --path-separator --pre --pre-glob --regex-size-limit --regexp --replace --sort --sortr
    --threads --type --type-add --type-clear --type-not --hostname-bin --hyperlink-format
    --generate"""
)
_AG_SHORT = "ABCGgmpW"
_AG_LONG = names(
    """--after --before --context --file-search-regex --ignore --ignore-dir --depth
    --path-to-ignore --pager --workers --max-count"""
)


def judge_grep(name: str, args: list[Arg], j: Judgement) -> None:
    if name == "rg":
        opts = split(args, _RG_SHORT, _RG_LONG)
        risky = (
            ("--pre", "rg --pre runs a program on every file"),
            ("--hostname-bin", "rg --hostname-bin runs a program"),
        )
    elif name == "ag":
        opts = split(args, _AG_SHORT, _AG_LONG)
        risky = (("--pager", "ag --pager runs a program"),)
    else:
        opts = split(args, _GREP_SHORT, _GREP_LONG)
        risky = ()
    j.raise_to(R, "searches files")
    for option, reason in risky:
        if opts.has(option):
            j.raise_to(X, reason)
    if opts.dynamic and risky:
        j.raise_to(X, f"{name} has arguments known only at run time")
    j.read(
        *opts.values("-f", "--file", "--exclude-from", "--ignore-file", "-p", "--path-to-ignore")
    )
    operands = list(opts.operands)
    listing = name == "rg" and opts.has("--files")
    if operands and not listing and not opts.has("-e", "--regexp", "-f", "--file"):
        operands.pop(0)  # the pattern
    recursive = name in ("rg", "ag") or opts.has(
        "-r", "-R", "--recursive", "--dereference-recursive"
    )
    if not operands and recursive:
        operands = [Arg(".")]
    j.read(*operands)
    if opts.dynamic:
        j.read(UNKNOWN)


# find primaries that take one argument, and those that take a command up to ";" or "+".
_FIND_ARG = names(
    """-name -iname -path -ipath -regex -iregex -wholename -iwholename -lname -ilname -newer
    -anewer -cnewer -perm -type -xtype -user -group -uid -gid -size -mtime -atime -ctime -mmin
    -amin -cmin -used -inum -samefile -links -maxdepth -mindepth -printf -context -fstype
    -regextype"""
)
_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})
_FIND_WRITE = frozenset({"-fprint", "-fprint0", "-fls", "-fprintf"})


def judge_find(name: str, args: list[Arg], j: Judgement) -> None:
    i = 0
    while (i < len(args) and args[i].text in ("-H", "-L", "-P", "-D")) or (
        i < len(args) and args[i].text.startswith("-O")
    ):
        i += 2 if args[i].text == "-D" else 1
    follows = any(a.text == "-L" for a in args[:i])
    roots: list[Arg] = []
    while i < len(args) and not _expression_start(args[i]):
        roots.append(args[i])
        i += 1
    roots = roots or [Arg(".")]
    j.raise_to(R, "finds files")
    j.read(*roots)
    if any(may_be_option(r) for r in roots):
        j.raise_to(X, "find has arguments known only at run time")
    sweeps = any(may_sweep(r, j.cwd) for r in roots)
    under = [UNKNOWN] if follows else [r.text if not r.dynamic else UNKNOWN for r in roots]
    while i < len(args):
        arg = args[i]
        text = arg.text
        i += 1
        if arg.dynamic:
            j.raise_to(X, "find has arguments known only at run time")
        elif text in _FIND_ARG or text.startswith("-newer"):
            if i < len(args) and splits(args[i]):
                j.raise_to(X, "find has arguments known only at run time")
            if text in ("-newer", "-anewer", "-cnewer", "-samefile") or text.startswith("-newer"):
                j.read(*args[i : i + 1])
            i += 1
        elif text in _FIND_EXEC:
            end = i
            while end < len(args) and args[end].text not in (";", "+"):
                end += 1
            _find_exec(text, args[i:end], under, sweeps, j)
            i = end + 1
        elif text == "-delete":
            j.raise_to(W, "find -delete removes files")
            j.write(*under)
            j.catastrophic = j.catastrophic or sweeps
        elif text in _FIND_WRITE:
            j.raise_to(W, f"find {text} writes a file")
            j.write(*args[i : i + 1])
            i += 2 if text == "-fprintf" else 1
        elif text == "-files0-from":
            j.read(*args[i : i + 1], UNKNOWN)
            i += 1


def _expression_start(arg: Arg) -> bool:
    return not arg.dynamic and (arg.text[:1] == "-" or arg.text in ("(", "!", ")", ","))


def _find_exec(option: str, inner: list[Arg], under: list[str], sweeps: bool, j: Judgement):
    """``find -exec CMD {} ;``: CMD runs on files under the roots."""
    # Imported here: programs imports this module to build its rule table.
    from agent.permissions.programs import judge_argv

    program = inner[0].text if inner else "?"
    j.raise_to(X, f"find {option} runs {program}")
    if not inner:
        return
    inner_j = Judgement(cwd=j.cwd)
    marked = [Arg(UNKNOWN, dynamic=True) if "{}" in a.text else a for a in inner]
    judge_argv([a.text for a in marked], {k for k, a in enumerate(marked) if a.dynamic}, inner_j)
    if inner_j.writes:
        j.write(*[w for w in inner_j.writes if w != UNKNOWN], *under)
        j.catastrophic = j.catastrophic or sweeps or inner_j.catastrophic
    j.read(*inner_j.reads)
    j.contact(*inner_j.hosts)


def judge_fd(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(
        args,
        "edtEcjSoxX",
        (
            "--extension",
            "--type",
            "--exclude",
            "--color",
            "--threads",
            "--size",
            "--owner",
            "--changed-within",
            "--changed-before",
            "--max-results",
            "--ignore-file",
            "--path-separator",
            "--format",
            "--base-directory",
            "--search-path",
            "--exact-depth",
            "--min-depth",
            "--max-depth",
            "--batch-size",
            "--exec",
            "--exec-batch",
        ),
    )
    j.raise_to(R, "finds files")
    if opts.has("-x", "--exec", "-X", "--exec-batch"):
        j.raise_to(X, f"{name} --exec runs a command")
    if opts.dynamic:
        j.raise_to(X, f"{name} has arguments known only at run time")
    operands = list(opts.operands)[1:]
    paths = operands + opts.values("--search-path", "--base-directory")
    j.read(*(paths or [Arg(".")]))
    j.read(*opts.values("--ignore-file"))


RULES: dict[str, Rule] = {
    "grep": judge_grep,
    "egrep": judge_grep,
    "fgrep": judge_grep,
    "rg": judge_grep,
    "ag": judge_grep,
    "find": judge_find,
    "fd": judge_fd,
    "fdfind": judge_fd,
}

"""Search programs: grep, rg, ag, find and fd. They read, except for the options that run
programs (``rg --pre``, ``find -exec``, ``fd -x``) or delete and write (``find -delete``,
``-fprint``): those are escalations, which an allow rule for the program alone does not
approve. rg, ag, find and fd can run programs, so an option they have that Harken does not
know is judged as running one."""

from __future__ import annotations

from agent.permissions import program_known as known_options
from agent.permissions.program_args import (
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    Rule,
    may_be_option,
    may_sweep,
    split,
    splits,
    unknown_options,
)
from agent.permissions.program_launch import found, launch, run_string
from agent.permissions.shell_words import names

R, W, N, X = Effect.READ, Effect.WRITE, Effect.NETWORK, Effect.EXECUTE

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
    elif name == "ag":
        opts = split(args, _AG_SHORT, _AG_LONG)
    else:
        opts = split(args, _GREP_SHORT, _GREP_LONG)
    j.raise_to(R, "searches files")
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
    if name not in _LAUNCHERS:
        return  # grep runs no other program, whatever its options
    searched = [UNKNOWN if a.dynamic else a.text for a in operands]
    for word, value in opts.found("--pre"):
        _program_option(j, f"{name} --pre", word, value, searched, with_file=True)
    for word, value in opts.found("--hostname-bin"):
        _program_option(j, f"{name} --hostname-bin", word, value, [], with_file=False)
    for word, value in opts.found("--pager"):
        run_string(j, [word], value, f"{name} --pager runs a program")
    for word in unknown_options(opts, _LAUNCHERS[name]):
        j.escalate(X, _unknown(name, word), word)
    if opts.dynamic:
        j.escalate(X, f"{name} has arguments known only at run time", *opts.moving)


_LAUNCHERS = {"rg": known_options.RG, "ag": known_options.AG}


def _unknown(name: str, word: Arg) -> str:
    return f"{name} {word.text} is an option Harken does not know ({name} can run programs)"


def _program_option(
    j: Judgement, what: str, word: Arg, value: Arg | None, under: list[str], with_file: bool
) -> None:
    """An option naming a program the command runs (``rg --pre PROG``: PROG FILE)."""
    if value is None or value.dynamic or not value.text:
        j.escalate(X, f"{what} runs a program known only at run time", word, value)
        return
    program = Arg(value.text, index=value.index)
    words = [program, found()] if with_file else [program]
    launch(j, [word], words, f"{what} runs {value.text}", under)


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
    moving = [r for r in roots if may_be_option(r)]
    if moving:
        j.escalate(X, "find has arguments known only at run time", *moving)
    sweeps = any(may_sweep(r, j.cwd) for r in roots)
    under = [UNKNOWN] if follows else [r.text if not r.dynamic else UNKNOWN for r in roots]
    while i < len(args):
        arg = args[i]
        text = arg.text
        i += 1
        if arg.dynamic:
            j.escalate(X, "find has arguments known only at run time", arg)
        elif text in _FIND_ARG or text.startswith("-newer"):
            if i < len(args) and splits(args[i]):
                j.escalate(X, "find has arguments known only at run time", args[i])
            if text in ("-newer", "-anewer", "-cnewer", "-samefile") or text.startswith("-newer"):
                j.read(*args[i : i + 1])
            i += 1
        elif text in _FIND_EXEC:
            end = i
            while end < len(args) and args[end].text not in (";", "+"):
                end += 1
            inner = args[i:end]
            program = inner[0].text if inner else "nothing"
            launch(j, [arg], inner, f"find {text} runs {program}", under, sweeps)
            i = end + 1
        elif text == "-delete":
            j.escalate(W, "find -delete removes files", arg)
            j.write(*under)
            j.catastrophic = j.catastrophic or sweeps
        elif text in _FIND_WRITE:
            j.escalate(W, f"find {text} writes a file", arg)
            j.write(*args[i : i + 1])
            i += 2 if text == "-fprintf" else 1
        elif text == "-files0-from":
            j.read(*args[i : i + 1], UNKNOWN)
            i += 1
        elif text not in known_options.FIND_FLAGS:
            j.escalate(X, _unknown("find", arg), arg)


def _expression_start(arg: Arg) -> bool:
    return not arg.dynamic and (arg.text[:1] == "-" or arg.text in ("(", "!", ")", ","))


_FD_EXEC = frozenset({"-x", "--exec", "-X", "--exec-batch"})
_FD_SHORT = "edtEcjSoB"
_FD_LONG = names(
    """--extension --type --exclude --color --threads --size --owner --changed-within
    --changed-before --max-results --ignore-file --path-separator --format --base-directory
    --search-path --exact-depth --min-depth --max-depth --batch-size --newer --older
    --max-buffer-time --hyperlink --strip-cwd-prefix"""
)


def _fd_takes_next(text: str) -> bool:
    """Whether the word after ``text`` is its value (so it cannot be ``-x``)."""
    if text.startswith("--"):
        return "=" not in text and text in _FD_LONG
    if text.startswith("-"):
        for pos, letter in enumerate(text[1:], start=1):
            if letter in _FD_SHORT:
                return pos == len(text) - 1
    return False


_FD_PLACEHOLDERS = ("{}", "{/}", "{//}", "{.}", "{/.}")


def judge_fd(name: str, args: list[Arg], j: Judgement) -> None:
    own: list[Arg] = []
    commands: list[tuple[Arg, list[Arg]]] = []  # (the -x word, the command it runs)
    i = 0
    while i < len(args):
        arg = args[i]
        text = arg.text
        i += 1
        if not arg.dynamic and text.partition("=")[0] in _FD_EXEC:
            inner = [Arg(text.partition("=")[2], index=-1)] if "=" in text else []
            while i < len(args) and args[i].text != ";":
                inner.append(args[i])
                i += 1
            i += 1
            commands.append((arg, inner))
            continue
        own.append(arg)
        if not arg.dynamic and _fd_takes_next(text) and i < len(args):
            own.append(args[i])
            i += 1
    opts = split(own, _FD_SHORT, tuple(_FD_LONG))
    j.raise_to(R, "finds files")
    operands = list(opts.operands)[1:]
    paths = operands + opts.values("--search-path", "--base-directory")
    paths = paths or [Arg(".")]
    j.read(*paths)
    j.read(*opts.values("--ignore-file"))
    under = [UNKNOWN if p.dynamic else p.text for p in paths]
    for word, inner in commands:
        marked = [
            Arg(w.text, True, w.index) if any(p in w.text for p in _FD_PLACEHOLDERS) else w
            for w in inner
        ]
        if not any(w.dynamic and "{" in w.text for w in marked):
            marked.append(found())  # without a placeholder fd adds the path at the end
        program = inner[0].text if inner else "nothing"
        launch(j, [word], marked, f"{name} {word.text} runs {program}", under)
    for word in unknown_options(opts, known_options.FD):
        j.escalate(X, _unknown(name, word), word)
    if opts.dynamic:
        j.escalate(X, f"{name} has arguments known only at run time", *opts.moving)


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

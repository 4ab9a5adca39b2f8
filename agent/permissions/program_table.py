"""Programs whose effect follows from a table: what they do, which options take a value,
whether their operands are paths read or written, and the options that make them worse.

A program listed here with no risky options cannot write or run anything whatever its
arguments; one with risky options is judged at its worst when an argument is known only
at run time (it could be any option). Risky options are escalations: an allow rule for the
program approves them only by spelling them out. A program that can start others lists
every option it has (``known``); any other is judged as starting a program.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.permissions import program_known
from agent.permissions.program_args import (
    RANK,
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    split,
    unknown_options,
)
from agent.permissions.program_launch import launch
from agent.permissions.shell_words import names

R, W, X = Effect.READ, Effect.WRITE, Effect.EXECUTE


@dataclass(frozen=True)
class Spec:
    """``operands``: "read" (paths it reads), "write" (paths it changes), "none" (not
    paths), "skip-read" (the first is a pattern or program, the rest are read).
    ``risky``: (option, effect, reason); a risky WRITE option's value is the file written."""

    reason: str
    effect: Effect = R
    short_args: str = ""
    long_args: tuple[str, ...] = ()
    optional: str = ""
    operands: str = "read"
    risky: tuple[tuple[str, Effect, str], ...] = ()
    reads: tuple[str, ...] = ()  # options whose value is a file it reads
    lists: tuple[str, ...] = ()  # options that read names of more files from a file
    default: str = ""  # operand it uses when given none
    known: frozenset[str] = frozenset()  # every option, for a program that can start others
    programs: tuple[str, ...] = ()  # risky options whose value is a program it runs


def apply(spec: Spec, name: str, args: list[Arg], j: Judgement) -> None:
    """Judge ``name args`` by ``spec``."""
    opts = split(args, spec.short_args, spec.long_args, spec.optional)
    j.raise_to(spec.effect, spec.reason)
    for option, effect, reason in spec.risky:
        for word, value in opts.found(option):
            if option in spec.programs and value is not None and not value.dynamic:
                # A program it runs (sort --compress-program PROG): judged as a command.
                program = [Arg(value.text, index=value.index)]
                launch(j, [word], program, f"{reason}: {value.text}", [])
                continue
            j.escalate(effect, reason, word, value if effect is X else None)
            if effect is W:
                j.write(value if value is not None else Arg(UNKNOWN, dynamic=True))
    if opts.dynamic and (spec.risky or spec.known):
        worst = max((effect for _, effect, _ in spec.risky), key=RANK.__getitem__, default=X)
        j.escalate(worst, f"{name} has arguments known only at run time", *opts.moving)
        if any(effect is W for _, effect, _ in spec.risky):
            j.write(UNKNOWN)
    if spec.known:
        for word in unknown_options(opts, spec.known):
            j.escalate(X, f"{name} {word.text} is an option Harken does not know", word)
    j.read(*opts.values(*spec.reads))
    if spec.lists and opts.has(*spec.lists):
        j.read(UNKNOWN)
    operands = list(opts.operands) or ([Arg(spec.default)] if spec.default else [])
    if spec.operands == "read":
        j.read(*operands)
    elif spec.operands == "write":
        j.write(*operands)
    elif spec.operands == "skip-read":
        j.read(*operands[1:])


def _spec(reason: str, effect: Effect = R, **kw) -> Spec:
    return Spec(reason, effect, **kw)


_READS = "reads files"
_CHECK = ("-c", "--check")  # checksum lists name the files to read
_INFO = "shows information"
_NONE = {"operands": "none"}

SPECS: dict[str, Spec] = {
    # Reading files.
    "cat": _spec(_READS),
    "tac": _spec(_READS, short_args="s", long_args=("--separator",)),
    "rev": _spec(_READS),
    "nl": _spec(_READS, short_args="bdfhilnsvw"),
    "head": _spec(_READS, short_args="nc", long_args=("--lines", "--bytes")),
    "tail": _spec(
        _READS,
        short_args="ncs",
        long_args=("--lines", "--bytes", "--sleep-interval", "--pid", "--max-unchanged-stats"),
    ),
    "less": _spec(
        _READS,
        short_args="bhjkpPtTxyz#oOD",
        long_args=names(
            """--log-file --LOG-FILE --lesskey-file --lesskey-src --lesskey-content --pattern
            --prompt --tag --tag-file --shift --tabs --window --buffers --max-back-scroll
            --max-forw-scroll --jump-target --header --line-num-width --status-col-width
            --wheel-lines --color --quotes --rscroll --intr --search-options"""
        ),
        risky=(
            ("-o", W, "less -o writes a log file"),
            ("-O", W, "less -O writes a log file"),
            ("--log-file", W, "less writes a log file"),
            ("--LOG-FILE", W, "less writes a log file"),
            # A lesskey file can set LESSOPEN, which runs a program on every file.
            ("-k", X, "less -k reads key bindings that can run programs"),
            ("--lesskey-file", X, "less -k reads key bindings that can run programs"),
            ("--lesskey-src", X, "less --lesskey-src reads key bindings that can run programs"),
            ("--lesskey-content", X, "less --lesskey-content can run programs"),
        ),
        reads=("-k", "--lesskey-file", "--lesskey-src"),
        known=program_known.LESS,
    ),
    "more": _spec(_READS, short_args="n", long_args=("--lines",)),
    "wc": _spec(_READS, reads=("--files0-from",), lists=("--files0-from",)),
    "cut": _spec(
        _READS,
        short_args="bcdf",
        long_args=("--bytes", "--characters", "--delimiter", "--fields", "--output-delimiter"),
    ),
    "fold": _spec(_READS, short_args="w", long_args=("--width",)),
    "fmt": _spec(_READS, short_args="wpg", long_args=("--width", "--prefix", "--goal")),
    "paste": _spec(_READS, short_args="d", long_args=("--delimiters",)),
    "join": _spec(_READS, short_args="aejotv12"),
    "expand": _spec(_READS, short_args="t", long_args=("--tabs",)),
    "unexpand": _spec(_READS, short_args="t", long_args=("--tabs",)),
    "comm": _spec(_READS, long_args=("--output-delimiter",)),
    "diff": _spec(
        "compares files",
        short_args="CUWIFSxXD",
        long_args=names(
            """--context --unified --width --ignore-matching-lines --label --exclude --exclude-from
            --from-file --to-file --ifdef --starting-file --tabsize --horizon-lines --color
            --palette"""
        ),
        reads=("-X", "--exclude-from", "--from-file", "--to-file"),
    ),
    "cmp": _spec("compares files", short_args="in", long_args=("--ignore-initial", "--bytes")),
    "column": _spec(_READS, short_args="scoNEHWRTOrinp"),
    "od": _spec(
        _READS,
        short_args="AjNSt",
        optional="w",
        long_args=("--address-radix", "--skip-bytes", "--read-bytes", "--format"),
    ),
    "hexdump": _spec(_READS, short_args="efns", reads=("-f",)),
    "strings": _spec(_READS, short_args="nteTs"),
    "base64": _spec(_READS, short_args="w", long_args=("--wrap",)),
    "base32": _spec(_READS, short_args="w", long_args=("--wrap",)),
    "md5sum": _spec(_READS, lists=_CHECK),
    "sha1sum": _spec(_READS, lists=_CHECK),
    "sha224sum": _spec(_READS, lists=_CHECK),
    "sha256sum": _spec(_READS, lists=_CHECK),
    "sha384sum": _spec(_READS, lists=_CHECK),
    "sha512sum": _spec(_READS, lists=_CHECK),
    "b2sum": _spec(_READS, short_args="l", lists=_CHECK),
    "cksum": _spec(_READS, short_args="al"),
    "sum": _spec(_READS),
    "zcat": _spec(_READS),
    "bzcat": _spec(_READS),
    "xzcat": _spec(_READS),
    "zstdcat": _spec(_READS),
    "file": _spec(
        "identifies files",
        short_args="emfFP",
        long_args=("--exclude", "--magic-file", "--files-from", "--separator", "--parameter"),
        risky=(("-C", W, "file -C compiles a magic file"), ("--compile", W, "file -C compiles")),
        reads=("-m", "--magic-file", "-f", "--files-from"),
    ),
    "stat": _spec(_INFO, short_args="c", long_args=("--format", "--printf")),
    "ls": _spec(
        "lists files",
        short_args="ITw",
        long_args=names(
            """--ignore --hide --tabsize --width --format --sort --time --time-style --block-size
            --quoting-style --indicator-style"""
        ),
    ),
    "dir": _spec("lists files", short_args="ITw"),
    "tree": _spec(
        "lists files",
        short_args="LPIHT",
        long_args=("--filelimit", "--charset", "--sort", "--timefmt", "--fromfile"),
        risky=(("-o", W, "tree -o writes a file"),),
    ),
    "du": _spec(
        "measures disk usage",
        short_args="dBtX",
        long_args=("--max-depth", "--block-size", "--threshold", "--exclude", "--time-style"),
        reads=("-X", "--exclude-from", "--files0-from"),
        lists=("--files0-from",),
    ),
    "df": _spec(_INFO, short_args="Btx", long_args=("--block-size", "--type", "--exclude-type")),
    "realpath": _spec(_INFO, long_args=("--relative-to", "--relative-base")),
    "readlink": _spec(_INFO),
    "sort": _spec(
        "sorts lines",
        short_args="kStTo",
        long_args=names(
            """--key --buffer-size --field-separator --temporary-directory --output
            --compress-program --random-source --files0-from --parallel --batch-size --sort"""
        ),
        risky=(
            ("-o", W, "sort -o writes a file"),
            ("--output", W, "sort -o writes a file"),
            ("-T", W, "sort -T writes temporary files"),
            ("--temporary-directory", W, "sort -T writes temporary files"),
            ("--compress-program", X, "sort --compress-program runs a program"),
        ),
        reads=("--random-source", "--files0-from"),
        lists=("--files0-from",),
        known=program_known.SORT,
        programs=("--compress-program",),
    ),
    "tr": _spec("translates characters", **_NONE),
    # Printing and information only.
    "echo": _spec("prints text", **_NONE),
    "printf": _spec("prints text", **_NONE),
    "pwd": _spec(_INFO, **_NONE),
    "true": _spec("does nothing", **_NONE),
    "false": _spec("does nothing", **_NONE),
    ":": _spec("does nothing", **_NONE),
    "basename": _spec("prints a name", **_NONE),
    "dirname": _spec("prints a name", **_NONE),
    "seq": _spec("prints numbers", **_NONE),
    "sleep": _spec("waits", **_NONE),
    "yes": _spec("prints text", **_NONE),
    "which": _spec("finds programs", **_NONE),
    "type": _spec("finds programs", **_NONE),
    "whereis": _spec("finds programs", **_NONE),
    "whoami": _spec(_INFO, **_NONE),
    "id": _spec(_INFO, **_NONE),
    "groups": _spec(_INFO, **_NONE),
    "uname": _spec(_INFO, **_NONE),
    "uptime": _spec(_INFO, **_NONE),
    "free": _spec(_INFO, **_NONE),
    "nproc": _spec(_INFO, **_NONE),
    "arch": _spec(_INFO, **_NONE),
    "tty": _spec(_INFO, **_NONE),
    "locale": _spec(_INFO, **_NONE),
    "logname": _spec(_INFO, **_NONE),
    "users": _spec(_INFO, **_NONE),
    "who": _spec(_INFO, **_NONE),
    "w": _spec(_INFO, **_NONE),
    "ps": _spec("lists processes", **_NONE),
    "pgrep": _spec("lists processes", **_NONE),
    "top": _spec("lists processes", **_NONE),
    "lscpu": _spec(_INFO, **_NONE),
    "lsblk": _spec(_INFO, **_NONE),
    "printenv": _spec("prints the environment", **_NONE),
    "env": _spec("prints the environment", **_NONE),
    "jobs": _spec(_INFO, **_NONE),
    # Shell builtins that only change this shell's own state.
    "cd": _spec("changes directory", **_NONE),
    "pushd": _spec("changes directory", **_NONE),
    "popd": _spec("changes directory", **_NONE),
    "dirs": _spec(_INFO, **_NONE),
    "export": _spec("sets shell variables", **_NONE),
    "declare": _spec("sets shell variables", **_NONE),
    "typeset": _spec("sets shell variables", **_NONE),
    "local": _spec("sets shell variables", **_NONE),
    "readonly": _spec("sets shell variables", **_NONE),
    "unset": _spec("sets shell variables", **_NONE),
    "set": _spec("sets shell options", **_NONE),
    "shopt": _spec("sets shell options", **_NONE),
    "shift": _spec("sets shell variables", **_NONE),
    "read": _spec("reads input", **_NONE),
    "mapfile": _spec("reads input", **_NONE),
    "readarray": _spec("reads input", **_NONE),
    "getopts": _spec("parses options", **_NONE),
    "wait": _spec("waits", **_NONE),
    "exit": _spec("exits", **_NONE),
    "return": _spec("returns", **_NONE),
    "break": _spec("leaves a loop", **_NONE),
    "continue": _spec("continues a loop", **_NONE),
    "umask": _spec("sets the file mode mask", **_NONE),
    "alias": _spec("defines aliases", **_NONE),
    "unalias": _spec("removes aliases", **_NONE),
    "hash": _spec("remembers programs", **_NONE),
    "help": _spec(_INFO, **_NONE),
    "trap": _spec("sets signal handlers", **_NONE),
    "exec": _spec("redirects the shell's files", **_NONE),
    # Writers whose operands are all paths they change.
    "rmdir": _spec("removes directories", W, operands="write"),
    "unlink": _spec("removes files", W, operands="write"),
    "shred": _spec("destroys files", W, short_args="ns", operands="write"),
    "mkdir": _spec(
        "creates directories", W, short_args="m", long_args=("--mode",), operands="write"
    ),
    "touch": _spec(
        "touches files",
        W,
        short_args="dtr",
        long_args=("--date", "--reference", "--time"),
        operands="write",
        reads=("-r", "--reference"),
    ),
    "tee": _spec("writes files", W, operands="write"),
    "truncate": _spec(
        "truncates files",
        W,
        short_args="sr",
        long_args=("--size", "--reference"),
        operands="write",
        reads=("-r", "--reference"),
    ),
    "mkfifo": _spec("creates pipes", W, short_args="mZ", operands="write"),
}

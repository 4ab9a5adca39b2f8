"""Programs whose own command language can start other programs: database shells, ``dc``,
``tcpdump -z``, ``ack --pager``.

An allow rule for one of these (``Bash(sqlite3 *)``) approves the program's own work,
never a shell escape written in the commands it is given (``sqlite3 db '.shell id'``,
``psql -c '\\! id'``, ``dc -e '!id'``), nor a script file it reads, whose commands cannot
be seen here. Options Harken does not know on these programs count as an escalation
too (fail closed): they may name a pager, a plugin or a start-up file.
"""

from __future__ import annotations

import re

from agent.permissions.program_args import UNKNOWN, Arg, Effect, Judgement, Rule, split
from agent.permissions.program_launch import run_string
from agent.permissions.shell_words import names

X = Effect.EXECUTE

# sqlite3: dot-commands that run a program, load code, or open one (`.excel`), and the
# SQL functions that do (edit() starts $EDITOR, load_extension() loads code).
_SQLITE_ESCAPES = re.compile(
    r"(^|[\n;])\s*\.(shell|system|sh|load|excel|once|output|import|read|open|edit)\b"
    r"|\b(edit|load_extension)\s*\(",
    re.IGNORECASE,
)
_SQLITE_VALUES = names("-cmd -init -separator -newline -nullvalue -vfs -mmap -pagecache")
_SQLITE_KNOWN = names(
    """-append -ascii -bail -batch -box -column -csv -deserialize -echo -header -noheader
    -html -interactive -json -line -list -lookaside -markdown -maxsize -memtrace
    -nofollow -nonce -quote -readonly -safe -stats -table -tabs -version -zip -help"""
)
# psql and mysql: `\!` (and mysql's `system`) runs a shell command; `\o |cmd`, `\g |cmd`
# and `\copy ... program` pipe into one; COPY ... PROGRAM runs one on the server.
_BACKSLASH_ESCAPES = re.compile(
    r"\\!|\\(o|g|w|out|gx)\s*\||\bprogram\b|^\s*system\b|[\n;]\s*system\b", re.IGNORECASE
)
_PSQL_SHORT = "cdfhLoPpTUvF"
_PSQL_LONG = names(
    """--command --dbname --file --host --log-file --output --pset --port --table-attr
    --username --variable --set --field-separator --record-separator"""
)
_PSQL_KNOWN = names(
    """-a --echo-all -b --echo-errors -e --echo-queries -E --echo-hidden -l --list -n
    -q --quiet -s --single-step -S --single-line -A --no-align --csv -H --html -t
    --tuples-only -x --expanded -z -0 -1 --single-transaction -w --no-password -W
    --password -X --no-psqlrc -V --version -? --help"""
)
_MYSQL_SHORT = "eDhPuSpC"
_MYSQL_LONG = names(
    """--execute --database --host --port --user --socket --password --init-command
    --default-character-set --connect-timeout --max-allowed-packet --ssl-ca --ssl-cert
    --ssl-key --ssl-mode --protocol --delimiter --tee"""
)
_MYSQL_KNOWN = names(
    """-B --batch -N --skip-column-names -t --table -v --verbose -s --silent -f --force -X
    --xml -H --html -r --raw -E --vertical -n --unbuffered --column-names -q --quick
    --safe-updates --i-am-a-dummy -U -A --no-auto-rehash --skip-pager --comments -c
    --show-warnings --sigint-ignore -V --version -? --help"""
)
# Options that load code or name a program.
_MYSQL_RUNS = names("--pager --plugin-dir --default-auth --defaults-file --defaults-extra-file")


def _escalate_unknown(name: str, j: Judgement, words: list[Arg]) -> None:
    for word in words:
        reason = f"{name} {word.text} is an option Harken does not know ({name} can run programs)"
        j.escalate(X, reason, word)


def judge_sqlite(name: str, args: list[Arg], j: Judgement) -> None:
    """``sqlite3 [OPTIONS] DB [SQL...]``: reads and writes DB; SQL and ``-cmd`` are its
    commands."""
    j.raise_to(Effect.WRITE, f"{name} reads and changes a database")
    safe = any(a.text == "-safe" for a in args)  # sqlite's own switch: no escapes at all
    commands: list[Arg] = []
    operands: list[Arg] = []
    unknown: list[Arg] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        text = arg.text.replace("--", "-", 1) if arg.text.startswith("--") else arg.text
        if arg.dynamic:
            commands.append(arg)
        elif operands or not text.startswith("-"):
            operands.append(arg)
        elif text in _SQLITE_VALUES:
            value = args[i] if i < len(args) else None
            i += 1
            if text == "-init" and not safe:
                j.escalate(X, f"{name} -init runs the commands of a file", arg, value)
            elif text == "-cmd" and value is not None:
                commands.append(value)
        elif text not in _SQLITE_KNOWN:
            unknown.append(arg)
    if operands:
        j.read(operands[0])
        j.write(operands[0])
        commands += operands[1:]
    if safe:
        return
    _escalate_unknown(name, j, unknown)
    for command in commands:
        if command.dynamic or _SQLITE_ESCAPES.search(command.text):
            j.escalate(X, f"{name} {command.text!r} can run programs", command)


def judge_sql_shell(name: str, args: list[Arg], j: Judgement) -> None:
    """psql and mysql: their commands (``-c``, ``-e``) may escape to a shell; a script
    file (``-f``) may too, unseen."""
    psql = name == "psql"
    short, longs = (_PSQL_SHORT, _PSQL_LONG) if psql else (_MYSQL_SHORT, _MYSQL_LONG)
    opts = split(args, short, longs, optional="" if psql else "p")
    j.raise_to(X, f"{name} runs database commands")
    j.contact(*(v.text if not v.dynamic else UNKNOWN for v in opts.values("-h", "--host")))
    inline = opts.found("-c", "--command") if psql else opts.found("-e", "--execute")
    for word, value in inline:
        if value is None or value.dynamic or _BACKSLASH_ESCAPES.search(value.text):
            run_string(j, [word], None, f"{name} {word.text} runs a shell escape")
    for word, value in opts.found("-f", "--file") if psql else ():
        j.escalate(X, f"{name} {word.text} runs a script file that can run programs", word, value)
    for word, value in opts.found("-o", "--output", "-L", "--log-file", "--tee"):
        target = value.text if value is not None and not value.dynamic else UNKNOWN
        if target.startswith("|"):
            run_string(j, [word], None, f"{name} {word.text} pipes into a program")
        else:
            j.write(target)
    known = (_PSQL_KNOWN if psql else _MYSQL_KNOWN) | longs | {f"-{c}" for c in short + "p"}
    unknown = []
    for (given, _), source in zip(opts.options, opts.sources, strict=True):
        if given in _MYSQL_RUNS:
            j.escalate(X, f"{name} {given} names a program or code to load", source)
        elif given not in known:
            unknown.append(source)
    if opts.dynamic:
        unknown += opts.moving
    _escalate_unknown(name, j, list(dict.fromkeys(unknown)))


def judge_dc(name: str, args: list[Arg], j: Judgement) -> None:
    """``dc -e EXPR``: ``!`` in an expression runs a shell command; a file is a script."""
    opts = split(args, "ef", ("--expression", "--file"))
    j.raise_to(Effect.READ, f"{name} calculates")
    for word, value in opts.found("-e", "--expression"):
        if value is None or value.dynamic or "!" in value.text:
            run_string(j, [word], None, f"{name} {word.text} runs a shell command")
    for word, value in opts.found("-f", "--file"):
        j.escalate(X, f"{name} {word.text} runs a script that can run programs", word, value)
    for operand in opts.operands:
        j.escalate(X, f"{name} runs {operand.text} as a script that can run programs", operand)


def judge_tcpdump(name: str, args: list[Arg], j: Judgement) -> None:
    """``tcpdump -z CMD`` runs CMD on each saved file; ``-w`` writes one."""
    opts = split(args, "BcCDEFGiMmrsTVwWyjz", ("--interface", "--time-stamp-type"))
    j.raise_to(X, f"{name} captures network traffic")
    j.write(*opts.values("-w"))
    j.read(*opts.values("-r", "-F", "-V"))
    for word, value in opts.found("-z"):
        j.escalate(X, f"{name} -z runs a program", word, value)


def judge_ack(name: str, args: list[Arg], j: Judgement) -> None:
    """ack: a search; ``--pager`` runs a program, an ackrc can name one."""
    j.raise_to(Effect.READ, "searches files")
    operands = [a for a in args if not a.text.startswith("-")]
    j.read(*(operands[1:] or [Arg(".")]))
    for arg in args:
        option = arg.text.partition("=")[0]
        if arg.dynamic:
            j.escalate(X, f"{name} has arguments known only at run time", arg)
        elif option == "--pager":
            code = arg.text.partition("=")[2]
            run_string(j, [arg], Arg(code, index=arg.index), f"{name} --pager runs a program")
        elif option in ("--ackrc", "--env"):
            j.escalate(X, f"{name} {option} reads settings that can name a pager", arg)


# exiftool evaluates Perl in these (exiftool(1): -if EXPR, -p FMT or FMTFILE with
# ${TAG;EXPR}, -api Filter=EXPR, -config FILE, -@ ARGFILE naming any of them).
_EXIF_PERL = re.compile(r"--?(if\d*|p|printformat\d*|config|@)", re.IGNORECASE)
# An advanced formatting expression, ${TAG;EXPR}: EXPR is Perl (-tagsFromFile, -w, -d ...).
_EXIF_EXPRESSION = re.compile(r"\$\{[^}]*;")


def judge_exiftool(name: str, args: list[Arg], j: Judgement) -> None:
    """exiftool: reads and writes file metadata; an expression it is given is Perl code,
    which no rule for exiftool approves unless it spells the option out."""
    j.raise_to(X, f"runs {name}")
    for k, arg in enumerate(args):
        option = arg.text.partition("=")[0]
        if arg.dynamic:
            j.escalate(X, f"{name} has arguments known only at run time", arg)
        elif _EXIF_PERL.fullmatch(option):
            value = args[k + 1] if k + 1 < len(args) else None
            j.escalate(X, f"{name} {arg.text} evaluates Perl", arg, value)
        elif option.lower() in ("-api", "--api"):
            value = args[k + 1] if k + 1 < len(args) else None
            if value is None or value.dynamic or value.text.lower().startswith("filter"):
                j.escalate(X, f"{name} -api filter evaluates Perl", arg, value)
        elif _EXIF_EXPRESSION.search(arg.text):
            j.escalate(X, f"{name}: {arg.text} evaluates Perl", arg)


RULES: dict[str, Rule] = {
    "exiftool": judge_exiftool,
    **dict.fromkeys(["sqlite3", "sqlite"], judge_sqlite),
    **dict.fromkeys(["psql", "mysql", "mariadb"], judge_sql_shell),
    "dc": judge_dc,
    "tcpdump": judge_tcpdump,
    **dict.fromkeys(["ack", "ack-grep"], judge_ack),
}

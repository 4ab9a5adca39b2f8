"""Wrapper programs (``sudo``, ``timeout``, ``env``, ``xargs``...) and the command they run.

``unwrap`` peels wrappers off a command's words, skipping each wrapper's own options as
declared in ``shell_wrapper_specs.WRAPPERS``, and stops at shells given a command string
(``bash -c``), which the caller analyses as a script of its own. ``risky_variable``
names the environment variables that change which code runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.permissions.program_names import system_program
from agent.permissions.shell_words import Word, names
from agent.permissions.shell_wrapper_specs import WRAPPERS, Spec

XARGS_INPUT = "<xargs input>"


PRIVILEGED = frozenset({"sudo", "doas", "pkexec"})
SHELLS = frozenset({"bash", "sh", "dash"})
# Shells whose syntax tree-sitter-bash does not model: a command string is unknowable.
FOREIGN_SHELLS = frozenset({"zsh", "ksh", "mksh", "ash", "fish", "csh", "tcsh", "yash"})

# Environment variables that decide which code runs, where, or with which configuration.
_RISKY_NAMES = names(
    """PATH IFS ENV BASH_ENV CDPATH HOME SHELL SHELLOPTS BASHOPTS PS4 PROMPT_COMMAND GLOBIGNORE
    TMPDIR PAGER EDITOR VISUAL BROWSER MANPAGER SUDO_ASKPASS SSH_ASKPASS POSIXLY_CORRECT
    TERMINFO INPUTRC ZDOTDIR MAILRC OLDPWD PWD GZIP BZIP2 XZ_OPT ZIPOPT UNZIP CURL_HOME
    WGETRC GCONV_PATH HOSTALIASES OPENSSL_CONF"""
)
_RISKY_PREFIXES = tuple(
    names(
        """LD_ DYLD_ GIT_ BASH_FUNC_ NPM_CONFIG_ PYTHON PERL RUBY JAVA_ _JAVA LESS XDG_ SSH_
        RSYNC_ TAR_"""
    )
)
# Common settings that only tune output or behaviour, exempt from the patterns above.
_SAFE_NAMES = names(
    """PYTHONUNBUFFERED PYTHONDONTWRITEBYTECODE PYTHONIOENCODING PYTHONHASHSEED PYTHONUTF8
    PYTHONFAULTHANDLER NODE_ENV RUST_LOG RUST_BACKTRACE GIT_TERMINAL_PROMPT GIT_AUTHOR_NAME
    GIT_AUTHOR_EMAIL GIT_AUTHOR_DATE GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE"""
)
_PAGERS = names("PAGER GIT_PAGER MANPAGER SYSTEMD_PAGER")
_RISKY_PARTS = tuple(
    names(
        """PATH OPTION OPTS OPT FLAGS CONFIG RC COMMAND CMD PRELOAD EDITOR PAGER SHELL ASKPASS
        PROXY HOME EXEC PROG HOOK LIB RSH SSH PLUGIN SCRIPT INCLUDE LOAD"""
    )
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def risky_variable(name: str, value: str | None = None) -> bool:
    """Whether setting ``name`` (to ``value``, when known) could change which program or
    code runs."""
    upper = name.upper()
    if upper in _PAGERS and value in ("", "cat"):
        return False  # the usual way to turn a pager off
    if upper in _SAFE_NAMES:
        return False
    parts = upper.split("_")
    return (
        upper in _RISKY_NAMES
        or upper.startswith(_RISKY_PREFIXES)
        or any(part.startswith(_RISKY_PARTS) or part.endswith(_RISKY_PARTS) for part in parts)
    )


def assignment_name(text: str) -> str:
    """The NAME of a ``NAME=value`` (or ``NAME+=value``) word, else ""."""
    name = text.split("=", 1)[0].removesuffix("+") if "=" in text else ""
    return name if _NAME.fullmatch(name) else ""


@dataclass(frozen=True)
class Unwrapped:
    """The command inside its wrappers. ``files``: (option, file, writes) that wrappers open
    themselves; ``chdir``: the directory a wrapper moves to; ``shell_code``: a command
    string a shell runs (``bash -c``), for the caller to analyse."""

    words: tuple[Word, ...]
    wrappers: tuple[str, ...] = ()
    files: tuple[tuple[str, Word, bool], ...] = ()
    chdir: Word | None = None
    problems: tuple[str, ...] = ()
    shell_code: Word | None = None


@dataclass
class _Parsed:
    rest: list[Word] | None = None  # None: it runs no command
    files: list[tuple[str, Word, bool]] = field(default_factory=list)
    chdir: Word | None = None
    problems: list[str] = field(default_factory=list)
    options: dict[str, Word | None] = field(default_factory=dict)


def unwrap(words: tuple[Word, ...]) -> Unwrapped:
    """Peel wrappers off ``words`` (the command name first)."""
    wrappers: list[str] = []
    files: list[tuple[str, Word, bool]] = []
    problems: list[str] = []
    chdir: Word | None = None
    current = list(words)
    while current and not current[0].dynamic:
        # `/bin/bash -c`, `/usr/bin/sudo` are bash and sudo (a path elsewhere is not).
        name = system_program(current[0].text) or current[0].text
        if name in SHELLS or name in FOREIGN_SHELLS:
            code, shell_problems = _shell_code(current)
            problems += shell_problems
            if code is not None:
                wrappers.append(name)
                return Unwrapped((), tuple(wrappers), tuple(files), chdir, tuple(problems), code)
            break
        spec = WRAPPERS.get(name)
        if spec is None or (name == "busybox" and len(current) > 1 and current[1].text[:1] == "-"):
            break
        parsed = _parse(name, spec, current[1:])
        problems += parsed.problems
        if parsed.rest is None:
            break
        files += parsed.files
        chdir = parsed.chdir or chdir
        wrappers.append(name)
        shell = next((parsed.options[o] for o in spec.shell if parsed.options.get(o)), None)
        if name == "flock" and parsed.rest and parsed.rest[0].text in ("-c", "--command"):
            # flock FILE -c COMMAND
            shell = parsed.rest[1] if len(parsed.rest) > 1 else None
            if shell is None or shell.dynamic:
                problems.append("flock runs a command string known only at run time")
                break
        if shell is not None:
            return Unwrapped((), tuple(wrappers), tuple(files), chdir, tuple(problems), shell)
        if name == "watch" and not ({"-x", "--exec"} & parsed.options.keys()):
            joined = _join(parsed.rest)
            if joined is None:
                problems.append("watch runs a command string known only at run time")
                break
            return Unwrapped((), tuple(wrappers), tuple(files), chdir, tuple(problems), joined)
        if name == "xargs":
            current = _xargs_command(parsed)
            continue
        if name == "entr" and "-s" in parsed.options:
            # entr -s 'CMD': a shell string, the first word after its options.
            if not parsed.rest or parsed.rest[0].dynamic:
                problems.append("entr -s runs a command string known only at run time")
                break
            return Unwrapped(
                (), tuple(wrappers), tuple(files), chdir, tuple(problems), parsed.rest[0]
            )
        if not parsed.rest:
            # A wrapper with nothing to run ("nohup", "env") is the command itself.
            wrappers.pop()
            break
        current = parsed.rest
    return Unwrapped(tuple(current), tuple(wrappers), tuple(files), chdir, tuple(problems))


def _parse(name: str, spec: Spec, args: list[Word]) -> _Parsed:
    out = _Parsed()
    i = 0
    operands = 0
    while i < len(args):
        word = args[i]
        text = word.text
        if word.dynamic:
            out.problems.append(f"{name} has an argument known only at run time")
            return out
        if text == "--":
            i += 1
            break
        if name == "env" and text == "-":
            i += 1  # the same as -i
            continue
        if operands == 0 and text.startswith("--") and len(text) > 2:
            opt, eq, value = text.partition("=")
            value_word: Word | None = Word(value) if eq else None
            if opt in spec.pairs:
                if i + 2 >= len(args) or args[i + 1].dynamic or args[i + 2].dynamic:
                    out.problems.append(f"{name} {opt} has no literal arguments")
                    return out
                if not _option(name, spec, opt, args[i + 1], out):
                    return out
                i += 3
                continue
            if opt in spec.long_with_arg and not eq:
                if i + 1 >= len(args) or args[i + 1].dynamic:
                    out.problems.append(f"{name} {opt} has no literal argument")
                    return out
                i += 1
                value_word = args[i]
            elif opt not in spec.long_with_arg and opt not in spec.long_flags:
                if opt in spec.lookup:
                    return out
                out.problems.append(f"unknown option {opt} for {name}")
                return out
            if not _option(name, spec, opt, value_word, out):
                return out
            i += 1
            continue
        if operands == 0 and text.startswith("-") and len(text) > 1:
            if spec.numeric and text[1:].isdigit():
                i += 1
                continue
            for pos, letter in enumerate(text[1:], start=1):
                opt = "-" + letter
                if letter in spec.with_arg:
                    attached = text[pos + 1 :]
                    if attached:
                        value_word = Word(attached)
                    elif i + 1 < len(args) and not args[i + 1].dynamic:
                        i += 1
                        value_word = args[i]
                    else:
                        out.problems.append(f"{name} {opt} has no literal argument")
                        return out
                    if not _option(name, spec, opt, value_word, out):
                        return out
                    break
                if letter not in spec.flags:
                    if opt not in spec.lookup:
                        out.problems.append(f"unknown option {opt} for {name}")
                    return out
                if not _option(name, spec, opt, None, out):
                    return out
            i += 1
            continue
        if spec.assignments and operands == 0 and assignment_name(text):
            var = assignment_name(text)
            if risky_variable(var, text.split("=", 1)[1]):
                out.problems.append(f"{name} sets {var}")
            i += 1
            continue
        if operands < spec.operands:
            if name == "flock":
                if text.isdigit() and i + 1 == len(args):
                    return out  # flock FD: locks an open descriptor, runs nothing
                out.files.append(("flock", word, True))
            operands += 1
            i += 1
            continue
        break
    if operands < spec.operands:
        return out
    out.rest = args[i:]
    return out


def _option(name: str, spec: Spec, opt: str, value: Word | None, out: _Parsed) -> bool:
    """Record one option; False when it stops the unwrapping."""
    if opt in spec.refuse:
        out.problems.append(f"{name} {opt} cannot be checked")
        return False
    if opt in spec.lookup:
        return False
    out.options[opt] = value
    if value is not None and opt in spec.pipes and value.text[:1] in ("|", "!"):
        # `strace -o '|cmd'` pipes its output into a shell command: no rule for the
        # tracer approves that, and what the command does cannot be followed here.
        out.problems.append(f"{name} {opt} {value.text} runs a command")
        return False
    if value is not None:
        if opt in spec.chdir:
            out.chdir = value
        if opt in spec.writes:
            out.files.append((f"{name} {opt}", value, True))
        if opt in spec.reads:
            out.files.append((f"{name} {opt}", value, False))
    return True


def _xargs_command(parsed: _Parsed) -> list[Word]:
    """xargs runs its command (echo by default) with arguments read from its input."""
    rest = parsed.rest or [Word("echo")]
    marker = next(
        (parsed.options[o] for o in ("-I", "--replace") if parsed.options.get(o) is not None),
        None,
    )
    if marker is not None and marker.text:
        # Each argument holding the replacement string is filled from the input.
        return [
            rest[0],
            *(Word(w.text, dynamic=True) if marker.text in w.text else w for w in rest[1:]),
        ]
    return [*rest, Word(XARGS_INPUT, dynamic=True)]


def _join(words: list[Word]) -> Word | None:
    if any(w.dynamic for w in words):
        return None
    return Word(" ".join(w.text for w in words))


_SHELL_FLAGS = set("abefhlmnprstuvxBCEHPTc")
_SHELL_LONG = {
    "--norc",
    "--noprofile",
    "--posix",
    "--login",
    "--noediting",
    "--restricted",
    "--verbose",
}


def _shell_code(words: list[Word]) -> tuple[Word | None, list[str]]:
    """The command string of ``bash -c STRING``; None when it runs a script or stdin."""
    name = words[0].text
    has_c = False
    i = 1
    while i < len(words):
        word = words[i]
        text = word.text
        if word.dynamic:
            what = "a command string" if has_c else "an option"
            return None, [f"{name} runs {what} known only at run time"]
        if text in ("-", "--"):
            i += 1
            break
        if text.startswith("--"):
            if text not in _SHELL_LONG:
                return None, [f"{name} {text} cannot be checked"]
            i += 1
            continue
        if text[:1] not in "-+" or len(text) < 2:
            break
        for letter in text[1:]:
            if letter == "o":
                i += 1
                if i >= len(words) or words[i].dynamic or words[i].text == "keyword":
                    return None, [f"{name} -o cannot be checked"]
            elif letter not in _SHELL_FLAGS:
                return None, [f"{name} -{letter} cannot be checked"]
            elif letter == "c" and text[0] == "-":
                has_c = True
        i += 1
    if not has_c:
        return None, []
    if name in FOREIGN_SHELLS:
        return None, [f"{name} -c runs code in a syntax that cannot be checked"]
    if i >= len(words):
        return None, []
    if words[i].dynamic:
        return None, [f"{name} -c runs a command string known only at run time"]
    return words[i], []

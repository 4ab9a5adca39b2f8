"""Programs whose work is running others: man (a pager and formatters), vim and its
relatives (an editor that runs commands), make (the recipes of a Makefile), and package
tools that run a command in the project's environment (``uv run CMD``, ``npx CMD``).

Their own behaviour runs code, so each is judged as running code; an allow rule for one
(``Bash(make *)``) approves that behaviour: make building the project's own targets, man
showing a page, vim editing files. What the command line adds beyond it is an escalation,
which such a rule approves only by spelling it out: a pager or browser for man, commands
and scripts for vim, variable overrides and ``--eval`` for make, the command a package
tool runs (approved by a rule of its own, ``Bash(pytest *)``, or by spelling it out,
``Bash(uv run pytest *)``), and any option Harken does not know.
"""

from __future__ import annotations

import re

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
from agent.permissions.program_launch import launch, run_string
from agent.permissions.shell_words import names

R, W, X = Effect.READ, Effect.WRITE, Effect.EXECUTE


def judge_man(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(
        args,
        "CMPSeLmpRrsE",
        (
            "--config-file",
            "--manpath",
            "--pager",
            "--sections",
            "--extension",
            "--locale",
            "--systems",
            "--preprocessor",
            "--recode",
            "--encoding",
            "--prompt",
        ),
        optional="HTX",
    )
    j.raise_to(X, "shows a manual page (man runs a pager and formatters)")
    for word, value in opts.found("-P", "--pager", "-H", "--html"):
        run_string(j, [word], value, "man runs the pager or browser it is given")
    for word, value in opts.found("-X", "--gxditview", "-C", "--config-file"):
        j.escalate(X, f"man {word.text} runs another program or configuration", word, value)
    if opts.has("-l", "--local-file"):
        j.read(*opts.operands)
    for word in unknown_options(opts, program_known.MAN):
        j.escalate(X, f"man {word.text} is an option Harken does not know", word)
    if opts.dynamic:
        j.escalate(X, "man has arguments known only at run time", *opts.moving)


# vim's options that take the next word, and those that make it run commands or scripts.
_VIM_VALUES = frozenset(
    {"-c", "--cmd", "-S", "-s", "-u", "-U", "-T", "-t", "-q", "-w", "-W", "-i", "--servername"}
    | {"--startuptime", "--log", "-r"}
)
_VIM_RUNS = frozenset({"-c", "--cmd", "-S", "-s", "-e", "-E", "-es", "-Es", "-W", "-w"})
_VIM_FLAGS = names(
    """-v -e -E -s -d -y -R -Z -m -M -b -l -C -N -D -n -r -L -A -H -F -f -g -h -x -X -es -Es
    -p -o -O -V --noplugin --not-a-term --ttyfail --nofork --help --version --clean
    --serverlist --literal --echo-wid --windowid"""
)
_VIM_SAFE_RC = frozenset({"NONE", "NORC", "DEFAULTS"})
_VIM_JUMP = re.compile(r"\+(\d*|/.*)")  # +N and +/pattern only move the cursor


def judge_vim(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(X, f"{name} edits files (an editor can run commands)")
    files: list[Arg] = []
    i = 0
    while i < len(args):
        arg = args[i]
        text = arg.text
        i += 1
        value = None
        if arg.dynamic:
            j.escalate(X, f"{name} has arguments known only at run time", arg)
            files.append(arg)
            continue
        if text == "--":
            files += args[i:]
            break
        option = re.sub(r"^(-[oOpV])\d*.*$", r"\1", text)
        if option in _VIM_VALUES and i < len(args):
            value = args[i]
            i += 1
        if text.startswith("+") and not _VIM_JUMP.fullmatch(text):
            run_string(j, [], Arg(text[1:], index=arg.index), f"{name} {text} runs a command")
        elif option in ("-u", "-U") and value is not None and value.text in _VIM_SAFE_RC:
            continue
        elif option in _VIM_RUNS or option in ("-u", "-U", "-i") or option.startswith("--remote"):
            j.escalate(X, f"{name} {text} runs commands or scripts", arg, value)
        elif option in ("--startuptime", "--log"):
            j.escalate(W, f"{name} {text} writes a file", arg)
            j.write(value if value is not None else UNKNOWN)
        elif text.startswith("-") and text != "-" and option not in _VIM_FLAGS | _VIM_VALUES:
            j.escalate(X, f"{name} {text} is an option Harken does not know", arg)
        elif not text.startswith(("-", "+")):
            files.append(arg)
    j.read(*files)
    j.write(*files)


_MAKE_VALUES = (
    "--directory",
    "--file",
    "--makefile",
    "--include-dir",
    "--old-file",
    "--assume-old",
    "--what-if",
    "--new-file",
    "--assume-new",
    "--eval",
    "--load-average",
    "--max-load",
    "--jobs",
)
_ASSIGNMENT = re.compile(r"[A-Za-z_.][A-Za-z0-9_.-]*\s*(:{1,3}|\+|\?|!)?=")


def judge_make(name: str, args: list[Arg], j: Judgement) -> None:
    opts = split(args, "CfIoWE", _MAKE_VALUES, optional="jlOd")
    j.raise_to(X, f"{name} runs the recipes of the Makefile")
    directory = (opts.values("-C", "--directory") or [Arg(".")])[-1]
    j.read(directory)
    for word, value in opts.found("-f", "--file", "--makefile"):
        if value is None or value.dynamic or value.text in ("-", "/dev/stdin"):
            j.escalate(X, f"{name} reads a Makefile from its input", word, value)
        else:
            j.read(value)
    j.read(*opts.values("-I", "--include-dir"))
    for word, value in opts.found("-E", "--eval"):
        run_string(j, [word], value, f"{name} --eval adds to the Makefile")
    for operand in opts.operands:
        if operand.dynamic or _ASSIGNMENT.match(operand.text):
            # A variable set on the command line overrides the Makefile's (CC=, SHELL=).
            j.escalate(X, f"{name} {operand.text} overrides a variable of the Makefile", operand)
    for word in unknown_options(opts, program_known.MAKE):
        j.escalate(X, f"{name} {word.text} is an option Harken does not know", word)


# Package tools that run a command in the project's environment (``uv run CMD``, ``npx
# CMD``): the subcommand that does it ("" when the tool always does), and the options
# before CMD that take a value.
_ENV_RUNNERS: dict[str, tuple[str, frozenset[str]]] = {
    "uv": ("run", names("--with --with-editable --with-requirements --python -p --package")),
    "uvx": ("", names("--from --with --with-editable --with-requirements --python -p")),
    "poetry": ("run", names("-P --project -C --directory")),
    "pipenv": ("run", frozenset()),
    "pdm": ("run", names("-p --project")),
    "conda": ("run", names("-n --name -p --prefix --cwd")),
    "pipx": ("run", names("--spec --python --pip-args --index-url")),
    "npm": ("exec", names("-p --package -w --workspace --prefix")),
    "npx": ("", names("-p --package -w --workspace --prefix")),
    "pnpm": ("exec", names("-C --dir -F --filter")),
    "pnpx": ("", frozenset()),
    "yarn": ("exec", frozenset()),
    "bunx": ("", names("-p --package")),
    "bundle": ("exec", names("--gemfile")),
}
_SHELL_MODE = names("-c --call --shell-mode")  # npx -c 'CMD', pnpm exec -c: a shell string


def judge_env_runner(name: str, args: list[Arg], j: Judgement) -> None:
    """``uv run pytest``: the tool's own work (judged by ``judge_packages``), and the
    command it starts, which a rule for the tool does not approve."""
    # Imported here: program_net is one of the rule tables programs builds on.
    from agent.permissions.program_net import judge_packages

    judge_packages(name, args, j)
    _program_settings(name, args, j)
    explore = next((a for a in args if not a.text.startswith("-")), None)
    if name in ("npm", "pnpm") and explore is not None and explore.text == "explore":
        # npm explore PKG [-- CMD]: CMD, or an interactive shell, in the package's folder.
        rest = [a.text for a in args]
        command = args[rest.index("--") + 1 :] if "--" in rest else []
        if command:
            launch(j, [explore], command, f"{name} explore runs {command[0].text}", [])
        else:
            j.escalate(X, f"{name} explore runs a shell", explore)
        return
    subcommand, values = _ENV_RUNNERS[name]
    i = 0
    cause: list[Arg | None] = []
    if subcommand:
        while i < len(args) and args[i].text.startswith("-") and not args[i].dynamic:
            i += 1  # the tool's own options (uv --offline run ...)
        if i >= len(args) or args[i].text != subcommand:
            return
        cause.append(args[i])
        i += 1
    while i < len(args) and not args[i].dynamic and args[i].text.startswith("-"):
        option, eq, value = args[i].text.partition("=")
        if option == "--":
            i += 1
            break
        if option in _SHELL_MODE:
            code = Arg(value, index=args[i].index) if eq else None
            if not eq and i + 1 < len(args) and option != "--shell-mode":
                code = args[i + 1]
            run_string(j, [*cause, args[i]], code, f"{name} {option} runs a shell command")
            return
        i += 2 if option in values and not eq else 1
    command = args[i:]
    if command:
        what = f"{name} {subcommand}".strip()
        launch(j, cause, command, f"{what} runs {command[0].text}", [])


# Settings on the command line that name a program (or a file of settings that may): npm,
# pnpm and yarn take any configuration key as an option (``--script-shell=PROG``); go's
# build flags run a program around each binary or tool; cargo's ``--config`` sets runners.
_PROGRAM_SETTINGS = {
    "js": names(
        """--script-shell --shell --node-options --userconfig --globalconfig --editor
        --browser --git --node-gyp --npm-path --init-module
        --onload-script --call -c --config"""
    ),
    "go": names("-exec -toolexec -vettool -ldflags"),
    "cargo": names("--config -Z"),
}
_FAMILY = {"npm": "js", "npx": "js", "pnpm": "js", "pnpx": "js", "yarn": "js", "bunx": "js"}


def _program_settings(name: str, args: list[Arg], j: Judgement) -> None:
    """Escalate options that set which program runs (only a rule spelling them out
    approves them)."""
    settings = _PROGRAM_SETTINGS.get(_FAMILY.get(name, name), frozenset())
    for k, arg in enumerate(args):
        if arg.text == "--":
            break
        option, eq, _ = arg.text.partition("=")
        for form in (option, "-" + option.lstrip("-"), "--" + option.lstrip("-")):
            if form in settings:
                value = args[k + 1] if not eq and k + 1 < len(args) else None
                j.escalate(X, f"{name} {option} sets a program it runs", arg, value)
                break


def judge_go(name: str, args: list[Arg], j: Judgement) -> None:
    """go and cargo build and run the project (their own work); flags that run other
    programs around it are escalations."""
    # Imported here: program_net is one of the rule tables programs builds on.
    from agent.permissions.program_net import judge_packages

    judge_packages(name, args, j)
    _program_settings(name, args, j)


RULES: dict[str, Rule] = {
    "go": judge_go,
    "cargo": judge_go,
    "man": judge_man,
    "make": judge_make,
    "gmake": judge_make,
    **dict.fromkeys(
        ["vim", "vi", "nvim", "view", "vimdiff", "rvim", "gvim", "ex", "rview", "evim", "eview"],
        judge_vim,
    ),
    **dict.fromkeys(_ENV_RUNNERS, judge_env_runner),
}

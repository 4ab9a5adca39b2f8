"""Programs that start commands written in their arguments in ways a wrapper table cannot
follow: a template filled from a list (``parallel``), a terminal or debugger session
(``tmux``, ``screen``, ``script``, ``gdb``), a job for later (``at``), a container that can
mount the host (``docker run``), a benchmark of shell strings (``hyperfine``), or another
user's shell (``su``).

An allow rule for one of them approves its own work (``tmux ls``, ``docker ps``); what it
starts is an escalation. A command given as separate words (``parallel rm ::: x``,
``direnv exec . pytest``) is judged on its own, so a rule of its own approves it; a shell
string, a session or a container is approved only by a rule spelling out every word.
Sources: GNU parallel 20221122, tmux 3.3, GNU screen 4.9, util-linux script, gdb 13,
lldb 14, at 3.2, docker 24 and podman 4 CLIs, hyperfine 1.16, nix 2.x, direnv 2.32,
flatpak 1.14, shadow su/sg, util-linux runuser, perf 6.
"""

from __future__ import annotations

import re

from agent.permissions.program_args import UNKNOWN, Arg, Effect, Judgement, Rule
from agent.permissions.program_launch import launch, run_string
from agent.permissions.shell_words import names

X = Effect.EXECUTE


def _spelled(j: Judgement, name: str, what: str, args: list[Arg]) -> None:
    """``name args`` runs something only a rule spelling out every word approves."""
    j.escalate(X, f"{name} {what}", *args)


def _only(args: list[Arg], safe: frozenset[str]) -> bool:
    """Whether the first argument is one of ``safe`` (a look-up, not a launch)."""
    return bool(args) and not args[0].dynamic and args[0].text in safe


# -- parallel -----------------------------------------------------------------------------
_PARALLEL_VALUES = names(
    """-j --jobs -P --max-procs -n --max-args -N -L --max-lines -l -s --max-chars -I -E
    --eof -d --delimiter --colsep -C --header --tag-string --tagstring --joblog --results
    --res --timeout --delay --memfree --load --retries --halt --tmpdir --tempdir
    --termseq --resume-failed"""
)
_PARALLEL_FLAGS = names(
    """-0 --null -k --keep-order -q --quote -X -m --xargs -u --ungroup --group
    --line-buffer --lb -v --verbose -t --tag --dry-run --bar --progress --eta
    --no-notice -r --no-run-if-empty --halt-on-error --will-cite --citation --silent
    --linebuffer -g --shuf --plain --files --keep --nice --noswap --quiet --lb"""
)
_PARALLEL_SEPARATORS = names("::: :::: :::+ ::::+")
_SHELL_SYNTAX = re.compile(r"[;&|<>`$()\\\n]")


def judge_parallel(name: str, args: list[Arg], j: Judgement) -> None:
    """``parallel [OPTIONS] CMD ::: ARGS``: CMD filled in with each argument, through a
    shell; with no CMD, each input line is a command."""
    j.raise_to(X, f"{name} runs commands in parallel")
    i = 0
    while i < len(args) and args[i].text.startswith("-") and args[i].text not in ("-", "--"):
        word = args[i]
        option = word.text.partition("=")[0]
        if word.dynamic:
            _spelled(j, name, "has options known only at run time", args[i:])
            return
        if option in _PARALLEL_VALUES and "=" not in word.text:
            i += 2
        elif option in _PARALLEL_VALUES or option in _PARALLEL_FLAGS:
            i += 1
        else:
            # -S/--sshlogin (other machines), --pipe, --shebang... and options it may add.
            _spelled(j, name, f"{word.text} may start other programs or reach other hosts", args)
            return
    if i < len(args) and args[i].text == "--":
        i += 1
    end = next((k for k in range(i, len(args)) if args[k].text in _PARALLEL_SEPARATORS), None)
    command = args[i:end] if end is not None else args[i:]
    values = args[end:] if end is not None else []
    from_file = any(a.text.startswith("::::") for a in values)
    under = [UNKNOWN] if from_file or end is None else [a for a in values if a.text != ":::"]
    j.read(*(v for v in values if v.text not in _PARALLEL_SEPARATORS) if from_file else ())
    if not command:
        j.escalate(X, f"{name} runs the commands it reads")
        return
    if any(w.dynamic or _SHELL_SYNTAX.search(w.text) for w in command):
        code = Arg(" ".join(w.text for w in command), index=command[0].index)
        run_string(
            j,
            command,
            None if any(w.dynamic for w in command) else code,
            f"{name} runs a shell command",
        )
        return
    words = [Arg(w.text, True, w.index) if "{" in w.text else w for w in command]
    if not any(w.dynamic for w in words):
        words.append(Arg("{}", dynamic=True))  # each value goes at the end
    launch(j, [], words, f"{name} runs {command[0].text}", under)


# -- sessions, debuggers, jobs ------------------------------------------------------------
_TMUX_SAFE = names(
    """ls list-sessions list-windows lsw list-panes lsp list-clients lsc list-commands lscm
    list-keys lsk list-buffers lsb has-session has show-options show show-window-options
    showw show-environment showenv show-buffer showb capture-pane capturep
    display-message display info server-info -V"""
)


def judge_tmux(name: str, args: list[Arg], j: Judgement) -> None:
    """tmux runs a shell command for new sessions, windows and panes, ``run-shell``,
    ``if-shell``, key bindings and hooks; only looking around is its own work."""
    j.raise_to(X, f"{name} runs commands in a terminal session")
    if not _only(args, _TMUX_SAFE) or any(a.text in (";", "\\;") for a in args):
        _spelled(j, name, "starts or controls a session that runs commands", args)


def judge_screen(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(X, f"{name} runs commands in a terminal session")
    if not (len(args) == 1 and _only(args, names("-ls -list -v -version --version"))):
        _spelled(j, name, "starts or controls a session that runs commands", args)


def judge_script(name: str, args: list[Arg], j: Judgement) -> None:
    """``script [-c CMD] [FILE]``: a shell (or CMD through one) whose session is logged."""
    j.raise_to(X, f"{name} runs a shell and records it")
    _spelled(j, name, "runs a shell or the command it is given", args)
    files = [a for a in args if not a.text.startswith("-")]
    j.write(*(files[-1:] or ["typescript"]))


def judge_debugger(name: str, args: list[Arg], j: Judgement) -> None:
    """gdb and lldb run the program they debug and any command given to them (``shell``,
    ``python``), from options, files or their input."""
    j.raise_to(X, f"{name} runs a program under a debugger")
    if not (len(args) == 1 and _only(args, names("--version -v --help -h"))):
        _spelled(j, name, "runs programs and debugger commands", args)


def judge_at(name: str, args: list[Arg], j: Judgement) -> None:
    """``at TIME`` runs, later, the shell script on its input (or ``-f FILE``)."""
    j.raise_to(X, f"{name} schedules a shell script")
    if _only(args, names("-l -c -V -r -d")):
        return
    if any(a.text.startswith("-f") or (a.text.startswith("-") and "f" in a.text) for a in args):
        _spelled(j, name, "schedules a shell script from a file", args)
    else:
        j.escalate(X, f"{name} schedules the shell script on its input")


def judge_su(name: str, args: list[Arg], j: Judgement) -> None:
    """su, runuser and sg run a shell (string) as another user or group."""
    j.raise_to(X, f"{name} runs a shell as another user or group")
    _spelled(j, name, "runs a command as another user or group", args)


# -- containers ---------------------------------------------------------------------------
_CONTAINER_RUNS = names(
    """run exec create start restart cp compose container service stack plugin debug
    attach commit build buildx image volume context swarm machine kube play pod"""
)
_CONTAINER_SAFE_SUB = {
    "container": names("ls list ps inspect logs top stats port diff"),
    "image": names("ls list inspect history"),
    "volume": names("ls list inspect"),
    "context": names("ls list inspect show"),
    "compose": names("ps ls logs config top images version"),
}
_CONTAINER_GLOBAL = names("-H --host -c --context --config --url --connection --remote")


def judge_container(name: str, args: list[Arg], j: Judgement) -> None:
    """docker and its relatives: a container it starts can mount the host (``-v /:/h``)
    or run privileged, so starting, entering or changing containers is spelled out."""
    j.raise_to(X, f"{name} manages containers")
    words = [a for a in args if not a.text.startswith("-")]
    if any(a.dynamic or a.text.partition("=")[0] in _CONTAINER_GLOBAL for a in args):
        _spelled(j, name, "talks to a daemon or configuration it is given", args)
        return
    sub = words[0].text if words else ""
    inner = words[1].text if len(words) > 1 else ""
    safe = _CONTAINER_SAFE_SUB.get(sub)
    if sub in _CONTAINER_RUNS and not (safe is not None and inner in safe):
        _spelled(j, name, f"{sub} starts or changes containers, which can reach the host", args)


# -- benchmarks, environments -------------------------------------------------------------
_HYPERFINE_STRINGS = names("-p --prepare -s --setup -c --cleanup --conclude -S --shell --reference")
_HYPERFINE_VALUES = names(
    """-w --warmup -m --min-runs -M --max-runs -r --runs -P --parameter-scan -D
    --parameter-step-size -L --parameter-list --style --sort -u --time-unit --export-asciidoc
    --export-csv --export-json --export-markdown --export-orgmode -n --command-name
    --output --input"""
)
_HYPERFINE_EXPORTS = names(
    "--export-asciidoc --export-csv --export-json --export-markdown --export-orgmode"
)


def judge_hyperfine(name: str, args: list[Arg], j: Judgement) -> None:
    """Each operand (and --prepare, --setup, --cleanup) is a shell string it times."""
    j.raise_to(X, f"{name} benchmarks shell commands")
    i = 0
    while i < len(args):
        word = args[i]
        option, eq, _ = word.text.partition("=")
        value = None
        if (
            word.text.startswith("-")
            and not eq
            and option in _HYPERFINE_VALUES | _HYPERFINE_STRINGS
        ):
            value = args[i + 1] if i + 1 < len(args) else None
            i += 1
        i += 1
        if option in _HYPERFINE_STRINGS or not word.text.startswith("-") or word.dynamic:
            code = Arg(word.text.partition("=")[2], index=word.index) if eq else value
            run_string(
                j,
                [word],
                word if value is None and not eq else code,
                f"{name} runs a shell command",
            )
        elif option in _HYPERFINE_EXPORTS:
            j.write(value if value is not None else Arg(word.text.partition("=")[2]))


def judge_nix_shell(name: str, args: list[Arg], j: Judgement) -> None:
    """nix-shell builds an environment (its own work) and runs a shell in it, or the
    string given to ``--run`` or ``--command``."""
    j.raise_to(X, f"{name} builds and enters an environment")
    j.contact(UNKNOWN)
    for k, word in enumerate(args):
        if word.text in ("--run", "--command"):
            code = args[k + 1] if k + 1 < len(args) else None
            run_string(j, [word], code, f"{name} {word.text} runs a shell command")
            return
    if not any(a.text in ("--version", "--help") for a in args):
        _spelled(j, name, "starts a shell", args)


def judge_direnv(name: str, args: list[Arg], j: Judgement) -> None:
    """``direnv exec DIR CMD``: loads DIR's .envrc (its own work) and starts CMD."""
    j.raise_to(X, f"{name} loads .envrc files, which are code")
    if args and args[0].text == "exec" and len(args) > 2:
        launch(j, [args[0]], args[2:], f"{name} exec runs {args[2].text}", [])
    elif args and args[0].text not in ("status", "version", "help", "--version", "--help"):
        _spelled(j, name, f"{args[0].text} runs shell code", args)


def judge_flatpak(name: str, args: list[Arg], j: Judgement) -> None:
    j.raise_to(X, f"{name} runs and installs applications")
    j.contact(UNKNOWN)
    if not _only(args, names("list info search remotes remote-ls --version --help ps")):
        _spelled(j, name, "runs or changes applications", args)


def judge_perf(name: str, args: list[Arg], j: Judgement) -> None:
    """``perf record CMD`` and ``perf stat CMD`` start CMD; ``nix run``, ``nix develop
    -c`` and ``nix shell -c`` start what they build."""
    j.raise_to(X, f"{name} starts programs")
    if not _only(args, names("list report annotate version --version help --help search")):
        _spelled(j, name, "starts the programs it is given", args)


RULES: dict[str, Rule] = {
    "parallel": judge_parallel,
    "tmux": judge_tmux,
    "screen": judge_screen,
    "script": judge_script,
    **dict.fromkeys(["gdb", "lldb", "cgdb", "gdb-multiarch"], judge_debugger),
    **dict.fromkeys(["at", "batch"], judge_at),
    **dict.fromkeys(["su", "runuser", "sg", "newgrp", "machinectl"], judge_su),
    **dict.fromkeys(["docker", "podman", "nerdctl"], judge_container),
    "hyperfine": judge_hyperfine,
    "nix-shell": judge_nix_shell,
    "nix": judge_perf,
    "direnv": judge_direnv,
    "flatpak": judge_flatpak,
    "perf": judge_perf,
}

"""git: read-only subcommands read the repository; the rest write it, reach a remote, or
run programs (``-c`` settings, ``--ext-diff``, aliases, which are unknown here).

Running programs, aliases, and the subcommands and options that destroy work (``clean``,
``reset --hard``, ``push --force``, ``branch -D``, ``stash drop``) are escalations: an
allow rule such as ``Bash(git *)`` approves them only by spelling them out.

Paths are reported relative to the command's directory: the repository is ``.`` (or the
``-C`` directory), its configuration ``.git/config``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from agent.permissions.git_setup import git_init, other_git_dir
from agent.permissions.program_args import (
    UNKNOWN,
    Arg,
    Effect,
    Judgement,
    Options,
    remote_host,
    split,
)
from agent.permissions.program_launch import run_string
from agent.permissions.shell_words import names

R, W, N, X = Effect.READ, Effect.WRITE, Effect.NETWORK, Effect.EXECUTE

_PLAIN_GLOBALS = names(
    """-p --paginate -P --no-pager --bare --no-replace-objects --literal-pathspecs --glob-pathspecs
    --noglob-pathspecs --icase-pathspecs --no-optional-locks --no-advice"""
)
_INFO_GLOBALS = frozenset(
    {"--version", "--help", "--html-path", "--man-path", "--info-path", "--exec-path"}
)
_READ_ONLY = names(
    """status log diff show blame annotate shortlog describe rev-parse rev-list ls-files ls-tree
    cat-file grep whatchanged name-rev merge-base for-each-ref show-ref count-objects diff-tree
    diff-files diff-index version help var check-ignore check-attr show-branch cherry range-diff
    verify-commit verify-tag check-ref-format get-tar-commit-id"""
)
_WRITES = names(
    """add commit checkout switch restore reset clean merge rebase cherry-pick revert rm mv am
    apply init gc prune repack pack-refs update-index update-ref write-tree commit-tree
    read-tree checkout-index mktag mktree hash-object fast-import bisect sparse-checkout
    maintenance format-patch bundle replace rerere stash notes worktree tag branch symbolic-ref
    reflog remote submodule"""
)
_NETWORK = frozenset({"clone", "fetch", "pull", "push", "ls-remote"})
_EXECUTES = frozenset(
    {
        "difftool",
        "mergetool",
        "filter-branch",
        "daemon",
        "instaweb",
        "send-email",
        "imap-send",
        "credential",
        "web--browse",
        "citool",
        "gui",
        "gitk",
        "p4",
        "svn",
        "cvsimport",
        "archimport",
        "quiltimport",
    }
)
# Options of read-only subcommands that run programs or write files (prefixes count).
_RISKY = (
    ("--ext-diff", X, "git --ext-diff runs an external diff program"),
    ("--textconv", X, "git --textconv runs a conversion program"),
    ("--filters", X, "git cat-file --filters runs filter programs"),
    ("--open-files-in-pager", X, "git grep -O runs a pager program"),
    ("-O", X, "git grep -O runs a pager program"),
    ("--output", W, "git --output writes a file"),
)
_LISTING = names(
    """-a --all -r --remotes -l --list -v -vv --verbose --show-current --contains --no-contains
    --merged --no-merged --points-at --format --sort --column --no-column --color --no-color -i
    --ignore-case --abbrev --no-abbrev -n -q --quiet"""
)
_LISTING_ARGS = names("--contains --no-contains --merged --no-merged --points-at --format --sort")
_READ_SUBCOMMANDS = {
    "stash": {"list", "show"},
    "worktree": {"list"},
    "notes": {"list", "show"},
    "reflog": {"", "show", "exists"},
    "submodule": {"status", "summary"},
    "bisect": {"log", "visualize", "view", "terms"},
    "remote": {"", "-v", "--verbose", "get-url"},
}


def judge_git(name: str, args: list[Arg], j: Judgement) -> None:
    repo = "."
    i = 0
    while i < len(args):
        arg = args[i]
        text = arg.text
        if arg.dynamic:
            j.escalate(X, "git has arguments known only at run time", arg)
            return
        if text == "-C" and i + 1 < len(args):
            target = args[i + 1]
            repo = UNKNOWN if target.dynamic else posixpath.join(repo, target.text)
            i += 2
        elif text == "-c" or text.startswith(("-c", "--config-env", "--exec-path=")):
            # Any setting may name a program (core.pager, alias.*, diff.external, ...).
            value = Arg(text[2:], index=arg.index) if text.startswith("-c") else None
            if text == "-c" and i + 1 < len(args):
                i += 1
                value = args[i]
            option = text.split("=")[0] if text.startswith("--") else "-c"
            if value is not None and not value.dynamic:
                # The command a setting names (core.pager=CMD), for deny and ask rules.
                value = Arg(value.text.partition("=")[2], index=value.index)
            run_string(j, [arg], value, f"git {option} sets configuration that can run programs")
            i += 1
        elif text.startswith(("--git-dir", "--work-tree", "--namespace", "--super-prefix")):
            j.escalate(X, f"git {text.split('=')[0]} uses another repository's configuration", arg)
            other_git_dir(args[i:], j)
            # The subcommand is still judged (`git --git-dir=.git push` reaches the network).
            repo = UNKNOWN
            i += 1 if "=" in text else 2
        elif text in _PLAIN_GLOBALS:
            i += 1
        elif text in _INFO_GLOBALS:
            j.raise_to(R, "prints git information")
            return
        elif text.startswith("-"):
            j.escalate(X, f"git {text} is not understood", arg)
            return
        else:
            break
    if i >= len(args):
        j.raise_to(R, "prints git help")
        return
    _subcommand(args[i], args[i + 1 :], repo, j)


def _subcommand(sub_word: Arg, rest: list[Arg], repo: str, j: Judgement) -> None:
    sub = sub_word.text
    opts = split(rest, "", _LISTING_ARGS)
    words = [a.text for a in rest]
    first_word = next((a for a in rest if not a.text.startswith("-")), None)
    first = first_word.text if first_word is not None else ""
    _destroys(sub, sub_word, first_word, opts, j)
    _outputs(sub, rest, j)
    if (
        sub in _NETWORK
        or (sub == "remote" and first in ("show", "update", "prune"))
        or (sub == "submodule" and first in ("update", "init", "sync", "add"))
    ):
        _network(sub, rest, opts, repo, j)
        return
    if sub in _EXECUTES:
        j.escalate(X, f"git {sub} runs programs", sub_word)
        return
    if (sub == "bisect" and first == "run") or (sub == "submodule" and first == "foreach"):
        j.escalate(X, f"git {sub} {first} runs programs", sub_word, first_word)
        return
    running = opts.found("-x", "--exec", "-i", "--interactive")
    if sub in ("rebase",) and running:
        j.escalate(X, "git rebase --exec runs commands", *[w for w, _ in running])
        return
    if sub == "config":
        _config(rest, repo, j)
        return
    if sub == "archive":
        _archive(
            split(rest, "o", ("--output", "--remote", "--exec", "--format", "--prefix")), repo, j
        )
        return
    read_only = sub in _READ_ONLY or _reads_only(sub, first, opts, words)
    if read_only:
        j.raise_to(R, f"git {sub} reads the repository")
        j.read(repo)
        for option, effect, reason in _RISKY:
            for word, value in opts.found(option):
                j.escalate(effect, reason, word)
                if effect is W:
                    j.write(value if value is not None else UNKNOWN)
        if opts.has("--no-index"):
            j.read(*opts.operands)
        if opts.dynamic:
            j.escalate(X, "git has arguments known only at run time", *opts.moving)
        return
    if sub in _WRITES:
        j.raise_to(W, f"git {sub} changes the repository")
        j.write(posixpath.join(repo, first) if sub == "init" and first else repo)
        if sub == "remote" or (sub == "submodule" and first == "add"):
            j.write(posixpath.join(repo, ".git/config"))
        if opts.dynamic:
            j.write(UNKNOWN)
        return
    j.escalate(X, f"git {sub} is not a known subcommand (an alias can run anything)", sub_word)


# Subcommands, and options of subcommands, that throw work away for good: (subcommand,
# first operand or "", options); an empty option tuple means the subcommand itself.
_DESTROYS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("clean", "", ()),
    ("reset", "", ("--hard", "--merge", "--keep")),
    ("checkout", "", ("-f", "--force")),
    ("switch", "", ("-f", "--force", "--discard-changes")),
    ("push", "", ("-f", "--force", "--force-with-lease", "--force-if-includes", "--mirror")),
    ("push", "", ("-d", "--delete", "--prune")),
    ("branch", "", ("-D", "-d", "--delete", "-M", "-C", "-f", "--force")),
    ("tag", "", ("-d", "--delete", "-f", "--force")),
    ("stash", "drop", ()),
    ("stash", "clear", ()),
    ("worktree", "remove", ()),
    ("reflog", "expire", ()),
    ("reflog", "delete", ()),
    ("update-ref", "", ("-d",)),
    ("gc", "", ("--prune",)),
)


def _destroys(sub: str, sub_word: Arg, first: Arg | None, opts: Options, j: Judgement) -> None:
    """Escalations for what discards work: a rule must spell out the subcommand or option."""
    for name, operand, options in _DESTROYS:
        if name != sub or (operand and (first is None or first.text != operand)):
            continue
        if not options:
            what = f"{sub} {operand}" if operand else sub
            j.escalate(W, f"git {what} throws work away", sub_word, first)
        for word, _ in opts.found(*options):
            j.escalate(W, f"git {sub} {word.text} throws work away", word)
    if sub == "push":
        for arg in opts.operands:
            if arg.text.startswith(("+", ":")):
                j.escalate(W, f"git push {arg.text} overwrites or deletes a remote branch", arg)


def _reads_only(sub: str, first: str, opts: Options, words: list[str]) -> bool:
    if sub in _READ_SUBCOMMANDS:
        return first in _READ_SUBCOMMANDS[sub] or (sub == "remote" and not words)
    if sub in ("branch", "tag"):
        given = {name for name, _ in opts.options}
        listing = bool(given & {"-l", "--list"}) or not opts.operands
        return given <= _LISTING and listing and not opts.dynamic
    if sub == "symbolic-ref":
        return len(opts.operands) <= 1
    return False


_CONFIG_READS = names(
    "--get --get-all --get-regexp --get-urlmatch --list -l --get-color --get-colorbool"
)
_CONFIG_WRITES = names("--unset --unset-all --add --replace-all --rename-section --remove-section")


def _config(rest: list[Arg], repo: str, j: Judgement) -> None:
    opts = split(rest, "f", ("--file", "--blob", "--default", "--type", "--comment"))
    operands = [a.text for a in opts.operands]
    editing = [w for w, _ in opts.found("-e", "--edit")] + [
        a for a in opts.operands[:1] if a.text == "edit"
    ]
    if editing:
        j.escalate(X, "git config --edit opens an editor", *editing)
        return
    if opts.has("--global"):
        target = "~/.gitconfig"
    elif opts.has("--system"):
        target = "/etc/gitconfig"
    elif opts.has("-f", "--file"):
        target = _path(opts.values("-f", "--file")[-1])
    else:
        target = posixpath.join(repo, ".git/config")
    reads = (
        opts.has(*_CONFIG_READS)
        or operands[:1] in (["get"], ["list"])
        or (len(operands) == 1 and not opts.has(*_CONFIG_WRITES))
    )
    if reads and not opts.dynamic:
        j.raise_to(R, "reads git configuration")
        j.read(target)
        return
    j.raise_to(W, "git config changes configuration")
    j.write(target)


def _archive(opts: Options, repo: str, j: Judgement) -> None:
    j.raise_to(R, "git archive reads the repository")
    j.read(repo)
    if opts.has("-o", "--output"):
        j.raise_to(W, "git archive writes an archive")
        j.write(*opts.values("-o", "--output"))
    if opts.has("--remote"):
        j.raise_to(N, "git archive --remote contacts a remote")
        j.contact(*[remote_host(v.text) or UNKNOWN for v in opts.values("--remote")])
    for word, value in opts.found("--exec"):
        run_string(j, [word], value, "git archive --exec runs a program")
    if opts.dynamic:
        j.escalate(X, "git archive has arguments known only at run time", *opts.moving)


def _outputs(sub: str, rest: list[Arg], j: Judgement) -> None:
    """Files and folders outside the repository's own data that a subcommand writes
    (``git bundle create FILE``, ``git format-patch -o DIR``, ``git worktree add PATH``,
    ``git init DIR``), so protected-path and outside-workspace checks see them."""
    operands = [a for a in rest if not a.text.startswith("-")]
    if sub == "bundle" and operands[:1] and operands[0].text == "create":
        j.raise_to(W, "git bundle create writes a bundle")
        j.write(_path(operands[1]) if len(operands) > 1 else UNKNOWN)
    elif sub == "worktree" and operands[:1] and operands[0].text == "add":
        j.raise_to(W, "git worktree add writes a working tree")
        j.write(_path(operands[1]) if len(operands) > 1 else UNKNOWN)
    elif sub == "init":
        git_init(rest, j)
    elif sub == "maintenance" and operands[:1] and operands[0].text in _SCHEDULES:
        # Adds the repository to the global configuration and a timer that runs git there.
        j.raise_to(W, f"git maintenance {operands[0].text} changes the user's git schedule")
        j.write("~/.gitconfig", "~/.config/systemd/user")
    elif sub == "format-patch":
        opts = split(rest, "o", ("--output-directory", "--output"))
        for value in opts.values("-o", "--output-directory", "--output"):
            j.raise_to(W, "git format-patch writes patches")
            j.write(_path(value))


_SCHEDULES = frozenset({"start", "stop", "register", "unregister"})


def _path(arg: Arg) -> str:
    return UNKNOWN if arg.dynamic else arg.text


def _network(sub: str, rest: list[Arg], opts: Options, repo: str, j: Judgement) -> None:
    j.raise_to(N, f"git {sub} contacts a remote")
    programs = ("-u", "--upload-pack", "--receive-pack", "--exec", "--template", "-c", "--config")
    for word, _ in opts.found(*programs):
        j.escalate(X, f"git {sub} runs a program named in its options", word)
    urls = [a for a in opts.operands if not a.dynamic and _looks_remote(a.text)]
    for url in urls:
        if url.text.startswith(("ext::", "fd::")) or "::" in url.text.split("/")[0]:
            j.escalate(X, "git remote helper runs a command", url)
    hosts = [UNKNOWN if "::" in a.text else remote_host(a.text) for a in urls]
    local = [a for a, h in zip(urls, hosts, strict=True) if h is None]
    j.read(*local)
    j.contact(*[h for h in hosts if h] or [UNKNOWN])
    if sub in ("clone",):
        others = [a for a in opts.operands if a not in urls]
        if others:
            dest = others[-1].text if not others[-1].dynamic else UNKNOWN
        elif urls:
            dest = posixpath.basename(urls[0].text.rstrip("/")).removesuffix(".git") or UNKNOWN
        else:
            dest = UNKNOWN
        j.write(dest)
        if opts.found("--template") and dest != UNKNOWN:  # hooks copied in: see _init
            j.write(posixpath.join(dest, ".git/hooks"), posixpath.join(dest, ".git/config"))
    elif sub in ("pull", "submodule"):
        j.write(repo)
    elif sub in ("fetch", "remote"):
        # What it changes inside .git: the .git entry itself is protected (git_dirs).
        j.write(posixpath.join(repo, ".git/objects"), posixpath.join(repo, ".git/refs"))
    if opts.dynamic:
        j.contact(UNKNOWN)
        j.write(UNKNOWN)


def _looks_remote(text: str) -> bool:
    return "://" in text or "::" in text or remote_host(text) is not None or (text.endswith(".git"))


RULES: dict[str, Callable[[str, list[Arg], Judgement], None]] = {"git": judge_git}

"""git commands that point git at configuration and hooks other than the repository's:
``git init --template`` (a new repository given another folder's hooks) and ``git
--git-dir=D config`` (another repository's configuration written). Both write protected
paths, asked about in every mode.
"""

from __future__ import annotations

import posixpath

from agent.permissions.program_args import UNKNOWN, Arg, Effect, Judgement, split

W = Effect.WRITE


def git_init(rest: list[Arg], j: Judgement) -> None:
    """``git init [DIR]`` writes DIR. With ``--template`` it copies that folder's hooks
    and configuration into the new git directory: planted code, so the git directory's
    protected entries count as written (a new repository is not yet in the sandbox's
    list of protected paths)."""
    opts = split(rest, "b", _INIT_VALUES)
    dest = _path(opts.operands[-1]) if opts.operands else "."
    if opts.operands:
        j.write(dest)
    templates = opts.found("--template")
    if not templates:
        return
    separate = opts.values("--separate-git-dir")
    git_dir = _path(separate[-1]) if separate else dest if opts.has("--bare") else f"{dest}/.git"
    j.raise_to(W, "git init --template copies hooks and configuration into a new repository")
    j.write(posixpath.join(git_dir, "hooks"), posixpath.join(git_dir, "config"))


_INIT_VALUES = (
    "--template",
    "--separate-git-dir",
    "--object-format",
    "--ref-format",
    "--initial-branch",
)


def other_git_dir(args: list[Arg], j: Judgement) -> None:
    """``git --git-dir=D config ...`` (or ``remote``, ``submodule``) writes D/config: a
    protected path whichever repository D is (the sandbox keeps it read-only too)."""
    git_dir = None
    for k, arg in enumerate(args):
        name, eq, value = arg.text.partition("=")
        if name == "--git-dir":
            following = args[k + 1] if k + 1 < len(args) else None
            word = Arg(value) if eq else following
            git_dir = UNKNOWN if word is None or word.dynamic else word.text
        elif not arg.text.startswith("-") and (k == 0 or args[k - 1].text not in VALUED_GLOBALS):
            if arg.text in ("config", "remote", "submodule") and git_dir is not None:
                j.write(UNKNOWN if git_dir == UNKNOWN else posixpath.join(git_dir, "config"))
            return


# git's options before the subcommand that take the next word as their value (git(1),
# "OPTIONS"): what follows them is not the subcommand.
VALUED_GLOBALS = frozenset(
    {"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--super-prefix", "--exec-path",
     "--config-env", "--attr-source"}
)  # fmt: skip


def _path(arg: Arg) -> str:
    return UNKNOWN if arg.dynamic else arg.text

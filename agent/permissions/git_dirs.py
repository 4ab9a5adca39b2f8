"""What git reads as configuration or runs as code, in every git directory a path touches.

Whoever can write one of these makes the user's next plain ``git status`` (or commit,
checkout, fetch) run a program outside any sandbox. In each git directory:

    config, config.worktree   its configuration (``core.fsmonitor`` runs on every status)
    commondir                 names the folder whose configuration and hooks apply
    hooks/                    programs git runs on commit, checkout, merge, push ...
    info/                     attributes (which filters run), exclude, sparse-checkout

(a linked worktree's git directory reads only commondir, config.worktree and info), and
whatever its configuration names (``git_programs``): the ``core.hooksPath`` folder, files
pulled in by ``include.path``, scripts named by commands git runs. A ``.git`` entry, a git
directory, and a git directory's ``modules/`` and ``worktrees/`` are protected as wholes:
replacing one points git at other configuration.

Git directories are recognised by what they are, not where: a folder with HEAD plus
objects/ and refs/ (or a commondir file) -- git's own test, setup.c ``is_git_directory`` --
anywhere; any ``.git``; anything below a git directory's ``modules/`` (a submodule's name
may hold slashes) or directly in its ``worktrees/``, existing or not; the folder a ``.git``
file names (``gitdir: X``) and the one a commondir file names. Paths are compared resolved
(symlinks followed, ``..`` applied): a ``hooks`` link into the work tree protects the
folder it points to.

Left writable on purpose: ``.gitattributes`` in the work tree (it only names filters and
drivers; what they run is configuration, protected here), ``objects/info/alternates``
(borrowed objects are data, never run; git writes ``objects/info`` itself), and a linked
worktree's ``gitdir`` back-pointer (used only to find stale worktrees).
"""

from __future__ import annotations

import os
from collections import deque
from pathlib import Path

from agent.permissions.git_programs import named_paths, read_config

# Entries of a git directory, with what a placeholder for a missing one must contain:
# None for a folder (masked empty), text for a file (git reads an empty config as no
# settings, and a commondir of "." as the folder itself; an empty commondir is fatal).
ENTRIES: dict[str, str | None] = {
    "config": "",
    "config.worktree": "",
    "commondir": ".",
    "hooks": None,
    "info": None,
}
# What a linked worktree's git directory reads itself; the rest comes from commondir.
WORKTREE_ENTRIES = ("commondir", "config.worktree", "info")
NESTING = ("modules", "worktrees")
# Folders the sandbox looks through for nested repositories, per command, breadth first.
WALK_LIMIT = 10_000
# Kernel file systems: never a repository, and thousands of folders (a workspace of /).
NOT_WALKED = frozenset({"/proc", "/sys", "/dev"})

Protected = dict[Path, str | None]  # path -> placeholder content (None: a folder)


def is_git_dir(path: Path) -> bool:
    """Whether git takes ``path`` for a git directory (setup.c ``is_git_directory``)."""
    if not os.path.isfile(path / "HEAD"):
        return False
    if os.path.isfile(path / "commondir"):
        return True
    return os.path.isdir(path / "objects") and os.path.isdir(path / "refs")


def read_gitfile(path: Path) -> Path | None:
    """The folder a ``.git`` file names (``gitdir: X``, relative to the file's folder),
    resolved; None when ``path`` is not such a file."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096).decode("utf-8", "surrogateescape")
    except OSError:
        return None
    lines = head.removeprefix("gitdir: ").splitlines() if head.startswith("gitdir: ") else []
    target = lines[0].strip() if lines else ""
    if not target:
        return None
    return Path(os.path.realpath(os.path.join(path.parent, target)))


def common_dir(git_dir: Path) -> Path:
    """The folder holding ``git_dir``'s shared configuration and hooks (its commondir)."""
    try:
        text = (git_dir / "commondir").read_text("utf-8", "surrogateescape").strip()
    except OSError:
        return git_dir
    return Path(os.path.realpath(os.path.join(git_dir, text))) if text else git_dir


def git_protected(path: Path, workspace: Path) -> str:
    """The protected git entry that ``path`` (absolute, resolved) is or lies in, or "".

    Looks along the path itself (which needs nothing to exist yet), then at what the
    repositories around the path and around the workspace resolve to and name.
    """
    if not path.is_absolute():
        return ""
    hit = along(path)
    if hit:
        return hit
    found: Protected = {}
    seen: set[Path] = set()
    for folder in dict.fromkeys([*path.parents, workspace, *workspace.parents]):
        _visit(folder, found, seen)
    for target in found:
        if path == target or target in path.parents:
            return str(target)
    return ""


def along(path: Path) -> str:
    """The protected git entry met walking down ``path``, judged by names and by what
    exists on disk; "" if none. Deciding components one by one means no fixed depth:
    ``.git/modules/a/b/hooks`` is found as well as ``.git/hooks``."""
    prefix = Path(path.anchor)
    above_git_dir = False
    scope = ""  # "modules": below modules/ with no real git dir since; "worktrees": in it
    for part in path.parts[1:]:
        prefix = prefix / part
        name = part.casefold()  # `.GIT/Hooks` is `.git/hooks` where case does not count
        if above_git_dir and name in ENTRIES:
            return str(prefix)
        if above_git_dir and name in NESTING:
            if prefix == path:
                return str(prefix)  # replacing every submodule's or worktree's git dir
            above_git_dir, scope = False, name
            continue
        if is_git_dir(prefix):
            above_git_dir, scope = True, ""
        elif name == ".git" or scope in NESTING:
            above_git_dir, scope = True, "modules" if scope == "modules" else ""
        else:
            above_git_dir, scope = False, ""
        if above_git_dir and prefix == path:
            return str(prefix)  # a git directory, or a .git file, created or replaced
    return ""


def workspace_protected(workspace: Path, limit: int = WALK_LIMIT) -> Protected:
    """Every protected git path (resolved) of the repositories around ``workspace`` and of
    those found in it, looking through at most ``limit`` folders, shallowest first.
    Missing entries of existing git directories are included (with their placeholder)."""
    found: Protected = {}
    seen: set[Path] = set()
    for folder in workspace.parents:
        _visit(folder, found, seen)
    queue = deque([str(workspace)])
    looked = 0
    while queue and looked < limit:
        folder = queue.popleft()
        looked += 1
        folders, candidate = [], False
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name in (".git", "HEAD"):
                        candidate = True  # only these cost more than the listing
                    elif entry.is_dir(follow_symlinks=False) and entry.path not in NOT_WALKED:
                        folders.append(entry.path)
        except OSError:
            continue
        if candidate and not _visit(Path(folder), found, seen):
            continue  # a git directory: what matters in it is in ``found`` already
        queue.extend(folders)
    return found


def _visit(folder: Path, found: Protected, seen: set[Path]) -> bool:
    """Add what ``folder`` holds for git: its ``.git`` entry, or itself when it is a git
    directory. Returns False when ``folder`` is a git directory (nothing to look into)."""
    if is_git_dir(folder):
        _repository(folder, None, found, seen)
        return False
    dot_git = folder / ".git"
    if os.path.isdir(dot_git):  # a folder, or a link to one
        if is_git_dir(dot_git):
            _repository(dot_git, folder, found, seen)
    elif os.path.lexists(dot_git):
        # A .git file: pointing it elsewhere would bring in another configuration.
        found[Path(os.path.realpath(dot_git))] = None
        target = read_gitfile(dot_git)
        if target is not None and is_git_dir(target):
            _repository(target, folder, found, seen)
    return True


def _repository(git_dir: Path, top: Path | None, found: Protected, seen: set[Path]) -> None:
    """Add ``git_dir``'s protected entries, those of its common folder, submodules and
    linked worktrees, and what its configuration names. ``top``: its work tree, if known."""
    git_dir = Path(os.path.realpath(git_dir))
    if git_dir in seen:
        return
    seen.add(git_dir)
    common = common_dir(git_dir)
    names = WORKTREE_ENTRIES if common != git_dir else tuple(ENTRIES)
    for name in names:
        found[Path(os.path.realpath(git_dir / name))] = ENTRIES[name]
    entries = read_config(git_dir)
    worktree = next((e.value for e in entries if e.key.lower() == "core.worktree"), None)
    if top is None and worktree:
        top = Path(os.path.realpath(os.path.join(git_dir, worktree)))
    elif top is None and git_dir.name == ".git":
        top = git_dir.parent  # not bare: git runs commands from the work tree's top
    for named in named_paths(entries, top or git_dir):
        found[named.path] = "" if named.config else None
    if common != git_dir and is_git_dir(common):
        _repository(common, None, found, seen)
    for module in _module_dirs(common / "modules"):
        _repository(module, None, found, seen)
    _worktrees(common / "worktrees", found, seen)


def _module_dirs(modules: Path) -> list[Path]:
    """The git directories below ``modules/`` at any depth (not looking into them)."""
    result, queue = [], deque([modules])
    while queue:
        folder = queue.popleft()
        try:
            children = [Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        for child in children:
            (result if is_git_dir(child) else queue).append(child)
    return result


def _worktrees(worktrees: Path, found: Protected, seen: set[Path]) -> None:
    try:
        admin = [Path(e.path) for e in os.scandir(worktrees) if e.is_dir()]
    except OSError:
        return
    for git_dir in admin:
        if not is_git_dir(git_dir):
            continue
        try:
            dot_git = Path((git_dir / "gitdir").read_text("utf-8", "surrogateescape").strip())
        except OSError:
            dot_git = None
        top = None
        if dot_git is not None and dot_git.is_absolute() and os.path.lexists(dot_git):
            found[Path(os.path.realpath(dot_git))] = None  # the worktree's .git file
            top = Path(os.path.realpath(dot_git.parent))
        _repository(git_dir, top, found, seen)

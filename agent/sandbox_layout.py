"""What the sandbox keeps read-only beyond the fixed names: decided from the workspace as
it is when a command starts (resolved paths, not names at fixed depths).

    git_nesting()      each git directory's ``modules/`` and ``worktrees/`` (read-only,
                       masked when missing) and the git directories inside them, which git
                       keeps writing in ordinary work (bound writable again on top)
    nested_protected() editor and tool folders (``.vscode``, ``.envrc`` ...) that already
                       exist in subfolders of the workspace

Why not all of ``.git`` read-only with holes for what git writes: ``git add`` and
``git commit`` create ``index.lock``, ``HEAD.lock``, ``COMMIT_EDITMSG``, ``ORIG_HEAD`` and
``packed-refs.lock`` directly in the git directory and rename them into place, so the
folder itself must stay writable. What git reads as configuration or runs is kept
read-only by name instead (config, config.worktree, commondir, hooks/, info/ from
``agent.permissions.git_dirs``; modules/ and worktrees/ here), so none of them can be
created or replaced: a new ``.git/modules/<name>/`` with its own config or hooks, or a new
linked worktree's folder, cannot be made inside the sandbox (``git submodule add`` and
``git worktree add`` need to run outside it, after a question).

A nested editor folder that does *not* exist yet (``a/.vscode/tasks.json`` in a folder
that has none) cannot be masked: a bind mount needs its mount point, and masking that
name in every folder of the workspace would litter it with placeholders. The permission
engine still asks before every write it can see to such a path, in every mode; a command
it cannot read (allowed in bypass) can create one inside the sandbox.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from agent.permissions.git_dirs import NESTING, NOT_WALKED, WALK_LIMIT, is_git_dir
from agent.permissions.protected import WORKSPACE_PROTECTED

# Fixed protected names that apply in any folder (the .git ones are judged by git_dirs).
NESTED_NAMES = frozenset(
    entry.casefold() for entry in WORKSPACE_PROTECTED if "/" not in entry and entry != ".git"
)


def git_nesting(git_paths: Iterable[Path], workspace: Path) -> tuple[list[Path], list[Path]]:
    """From the protected git paths of a policy: the ``modules/`` and ``worktrees/``
    folders of each repository's own git directory inside ``workspace`` (existing or not),
    and the git directories found in them (submodules at any depth, linked worktrees)."""
    common = sorted(
        {
            path.parent
            for path in git_paths
            if path.name in ("config", "hooks")
            and _within(path.parent, workspace)
            and is_git_dir(path.parent)
            and not os.path.isfile(path.parent / "commondir")
        }
    )
    nesting = [git_dir / name for git_dir in common for name in NESTING]
    reopened: list[Path] = []
    for git_dir in common:
        reopened += _git_dirs_below(git_dir / "modules", any_depth=True)
        reopened += _git_dirs_below(git_dir / "worktrees", any_depth=False)
    real = [Path(os.path.realpath(p)) for p in reopened]
    return nesting, [p for p in real if _within(p, workspace)]


def nested_protected(workspace: Path, limit: int = WALK_LIMIT) -> list[Path]:
    """Protected editor and tool entries (``.vscode``, ``.idea``, ``.envrc`` ...) that exist
    below the workspace's own folder, looking through at most ``limit`` folders (breadth
    first, not into git directories nor into a protected folder found)."""
    found: list[Path] = []
    queue = deque([str(workspace)])
    looked = 0
    while queue and looked < limit:
        folder = queue.popleft()
        looked += 1
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    name = entry.name.casefold()
                    if name in NESTED_NAMES:
                        if folder != str(workspace):  # the top is in the fixed list
                            found.append(Path(entry.path))
                    elif (
                        name != ".git"
                        and entry.is_dir(follow_symlinks=False)
                        and entry.path not in NOT_WALKED
                    ):
                        queue.append(entry.path)
        except OSError:
            continue
    return found


def _git_dirs_below(folder: Path, *, any_depth: bool) -> list[Path]:
    """Git directories in ``folder`` (directly, or at any depth without looking into
    one: a submodule's name may hold slashes)."""
    result: list[Path] = []
    queue = deque([folder])
    while queue:
        current = queue.popleft()
        try:
            children = [
                Path(e.path) for e in os.scandir(current) if e.is_dir(follow_symlinks=False)
            ]
        except OSError:
            continue
        for child in children:
            if is_git_dir(child):
                result.append(child)
            elif any_depth:
                queue.append(child)
    return result


def _within(path: Path, root: Path) -> bool:
    return os.path.commonpath([path, root]) == str(root)

"""Real git repositories for tests, made with the real ``git``: a workspace with a
submodule (one with a slash in its name, too), a linked worktree, a nested repository, a
bare one, and a repository whose ``.git`` is a file naming a folder elsewhere.

``git`` here runs with the machine's system and global configuration switched off, so
a developer's own settings (hooks, templates, signing) cannot change what tests see.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Makes every `git status` run a command (``marker``: a path without spaces or quotes).
PLANTED = '[core]\n\tfsmonitor = "touch {marker}; false"\n'
# Nested repositories and the worktree stay out of the outer repository's status.
IGNORED = "/wt/\n/vendor/\n/fixtures/\n/split/\n/rel/\n/store/\n"

_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "T",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "T",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git_env() -> dict[str, str]:
    """The environment ``git`` runs in here (also for a plain ``git status`` as a user)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return {**base, **_ENV}


def git(cwd: Path, *args: str) -> str:
    """Run ``git ARGS`` in ``cwd``; raises ``CalledProcessError`` when it fails."""
    done = subprocess.run(
        ["git", "-c", "protocol.file.allow=always", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=git_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def make_repo(path: Path, files: dict[str, str] | None = None) -> Path:
    """A repository at ``path`` with one commit holding ``files`` (a README by default)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    for name, text in (files or {"README": "hi\n"}).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "add", "-A")
    git(path, "commit", "-qm", "first")
    return path


@dataclass(frozen=True)
class Layout:
    """A workspace holding every kind of git directory, and where each one lives."""

    workspace: Path
    elsewhere: Path  # beside the workspace: the library, the separate git folder

    @property
    def sub_git_dir(self) -> Path:
        return self.workspace / ".git/modules/sub"


def build_layout(root: Path) -> Layout:
    """Under ``root``: ``ws`` with submodule ``sub`` and submodule ``libs/deep`` (its git
    folder is ``.git/modules/libs/deep``), linked worktree ``wt`` inside ``ws``, nested
    repository ``vendor/lib``, bare repository ``fixtures/bare.git``, ``split``, whose
    ``.git`` file names ``ROOT/elsewhere/split.git``, and ``rel``, whose ``.git`` file names
    ``../store/rel.git`` (a relative path, inside the workspace)."""
    elsewhere = root / "elsewhere"
    library = make_repo(elsewhere / "library")
    ws = make_repo(root / "ws", {"README": "hi\n", ".gitignore": IGNORED})
    git(ws, "submodule", "add", "-q", str(library), "sub")
    git(ws, "submodule", "add", "-q", "--name", "libs/deep", str(library), "libs/deep")
    git(ws, "commit", "-qm", "submodules")
    git(ws, "worktree", "add", "-q", "wt")
    make_repo(ws / "vendor/lib")
    git(ws, "init", "-q", "--bare", "fixtures/bare.git")
    git(root, "init", "-q", f"--separate-git-dir={elsewhere / 'split.git'}", str(ws / "split"))
    (ws / "store").mkdir()
    git(root, "init", "-q", f"--separate-git-dir={ws / 'store/rel.git'}", str(ws / "rel"))
    (ws / "rel/.git").write_text("gitdir: ../store/rel.git\n")
    return Layout(ws, elsewhere)

"""Paths that are never written without asking, in every mode, even before they exist.

Writing any of them can make code run later without anyone agreeing to it (a git hook, a
shell start-up file, an editor task, an MCP server entry) or change Harken's own rules.
What git reads as configuration or runs, in every git directory a path touches, is
decided from the path's structure by ``git_dirs``; the names below are fixed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from agent.permissions.git_dirs import git_protected, workspace_protected

# Relative to the workspace (and to any folder: a nested repository has hooks too).
WORKSPACE_PROTECTED = (
    ".git/hooks",
    ".git/config",
    ".git/info",
    ".gitmodules",
    ".harken",
    ".claude",
    ".mcp.json",
    ".vscode",
    ".idea",
    ".devcontainer",
    ".envrc",
)

# Relative to the home folder.
HOME_PROTECTED = (
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".bash_logout",
    ".profile",
    ".zshrc",
    ".zshenv",
    ".zprofile",
    ".zlogin",
    ".config/fish",
    ".inputrc",
    ".ssh",
    ".gnupg",
    ".gitconfig",
    ".config/git",
    ".config/autostart",
    ".config/systemd",
    ".config/environment.d",
    ".local/share/applications",
    ".config/harken",
    ".config/Code/User",
    ".vimrc",
    ".config/nvim",
    ".emacs",
    ".emacs.d",
    ".mcp.json",
    ".claude",
    ".claude.json",
)


def protected_roots(workspace: Path, home: Path | None = None) -> list[Path]:
    """Absolute protected paths for ``workspace`` (existing or not)."""
    home = home or Path.home()
    roots = [workspace / p for p in WORKSPACE_PROTECTED]
    roots += [home / p for p in HOME_PROTECTED]
    return roots


def is_protected(path: Path, workspace: Path, home: Path | None = None) -> str:
    """The protected entry ``path`` falls under (empty if none). ``path`` must already be
    absolute and resolved; names like ``.vscode`` are protected at any depth, and git's
    configuration and hooks in every git directory (``git_dirs.git_protected``)."""
    home = home or Path.home()
    for root in protected_roots(workspace, home):
        if path == root or root in path.parents:
            return str(root)
    hit = git_protected(path, workspace)
    if hit:
        return hit
    # Compared case-blind: on a case-insensitive file system (a USB stick, a share,
    # ext4 casefold) `.GIT/config` is `.git/config`; git itself refuses such names.
    parts = tuple(part.casefold() for part in path.parts)
    for entry in WORKSPACE_PROTECTED:
        entry_parts = Path(entry.casefold()).parts
        for i in range(len(parts) - len(entry_parts) + 1):
            if parts[i : i + len(entry_parts)] == entry_parts:
                return str(Path(*path.parts[: i + len(entry_parts)]))
    return hard_linked(path, workspace, home)


def hard_linked(path: Path, workspace: Path, home: Path) -> str:
    """The protected file ``path`` is another name of (a hard link), or "". A write to
    either name changes both, so the link is as protected as the file."""
    try:
        info = os.stat(path, follow_symlinks=False)
    except OSError:
        return ""
    if not stat.S_ISREG(info.st_mode) or info.st_nlink < 2:
        return ""  # only files with several names: the search below is the rare case
    key = (info.st_dev, info.st_ino)
    candidates = [*workspace_protected(workspace), *protected_roots(workspace, home)]
    for root in candidates:
        for found in _files(root):
            try:
                other = os.stat(found, follow_symlinks=False)
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == key:
                return str(found)
    return ""


def _files(root: Path, limit: int = 2000) -> list[Path]:
    """``root`` itself if a file, else the files below it (at most ``limit``)."""
    if not os.path.isdir(root):
        return [root]
    found: list[Path] = []
    for folder, _dirs, names in os.walk(root):
        found += [Path(folder, n) for n in names]
        if len(found) >= limit:
            break
    return found

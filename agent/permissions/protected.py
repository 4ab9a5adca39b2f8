"""Paths that are never written without asking, in every mode, even before they exist.

Writing any of them can make code run later without anyone agreeing to it (a git hook, a
shell start-up file, an editor task, an MCP server entry) or change Harken's own rules.
What git reads as configuration or runs, in every git directory a path touches, is
decided from the path's structure by ``git_dirs``; the names below are fixed.
"""

from __future__ import annotations

from pathlib import Path

from agent.permissions.git_dirs import git_protected

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
    parts = path.parts
    for entry in WORKSPACE_PROTECTED:
        entry_parts = Path(entry).parts
        for i in range(len(parts) - len(entry_parts) + 1):
            if parts[i : i + len(entry_parts)] == entry_parts:
                return str(Path(*parts[: i + len(entry_parts)]))
    return ""

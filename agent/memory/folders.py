"""Where memory lives: one folder per scope under Harken's data dir.

    <data>/memory/user/                          facts about the person, for every folder
    <data>/memory/workspaces/<name>-<hash>/      facts about one project
    <data>/memory/dream/                         the dream lock, state and change log

A project is the repository that holds the workspace (the nearest folder with ``.git``),
or the workspace itself outside a repository, so every subfolder of a repository shares
one workspace memory. The setting ``workspace_memory_dir`` (a path, relative to the
project root when not absolute) points the workspace scope at a folder in the repository
instead, for a team to share.

The model sees both folders as ``/memories/user/`` and ``/memories/workspace/`` (the
memory tool's paths; ``agent.memory.store`` maps and confines them).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from agent import paths
from agent.memory.report import warn

USER = "user"
WORKSPACE = "workspace"
SCOPE_NAMES = (USER, WORKSPACE)
VIRTUAL_ROOT = "/memories"


@dataclass(frozen=True)
class Scope:
    """One memory folder and the name the model and the user know it by."""

    name: str
    folder: Path

    @property
    def virtual(self) -> str:
        """Its path as the memory tool shows it: ``/memories/user``."""
        return f"{VIRTUAL_ROOT}/{self.name}"


@dataclass(frozen=True)
class MemoryScopes:
    """The two folders of one workspace's memory."""

    user: Path
    workspace: Path

    def all(self) -> list[Scope]:
        """Both scopes, user first."""
        return [Scope(USER, self.user), Scope(WORKSPACE, self.workspace)]

    def folder(self, name: str) -> Path:
        """The folder of scope ``name`` (``user`` or ``workspace``)."""
        if name == USER:
            return self.user
        if name == WORKSPACE:
            return self.workspace
        raise ValueError(f"unknown memory scope {name!r}")


def memory_root() -> Path:
    """The folder that holds every scope's folder (under the data dir)."""
    return paths.data_dir() / "memory"


def dream_dir() -> Path:
    """The dream's lock file, state and dated change log."""
    return memory_root() / "dream"


def project_root(workspace: Path) -> Path:
    """The repository root holding ``workspace`` (nearest ``.git``), else ``workspace``."""
    start = Path(os.path.realpath(workspace))
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def workspace_key(root: Path) -> str:
    """A readable, unique folder name for a project: its name plus a hash of its path."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", root.name).strip("-.") or "root"
    digest = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return f"{name[:40]}-{digest}"


def scopes_for(workspace: Path, override: str | None = None) -> MemoryScopes:
    """The memory folders for a session in ``workspace``. ``override`` is the
    ``workspace_memory_dir`` setting (``None``: read it from the config file)."""
    root = project_root(workspace)
    if override is None:
        override = configured_override()
    if override:
        chosen = Path(os.path.expanduser(override))
        folder = chosen if chosen.is_absolute() else root / chosen
    else:
        folder = memory_root() / "workspaces" / workspace_key(root)
    return MemoryScopes(user=memory_root() / USER, workspace=Path(os.path.normpath(folder)))


def configured_override() -> str:
    """The ``workspace_memory_dir`` setting, empty when unset (or unknown to this config)."""
    from agent.config import load_config

    value = load_config().values.get("workspace_memory_dir", "")
    return value if isinstance(value, str) else ""


def ensure(folder: Path) -> bool:
    """Create ``folder`` if needed; False (with a warning) when it cannot be made."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        warn(f"cannot create the memory folder {folder}: {exc.strerror or exc}")
        return False
    return True

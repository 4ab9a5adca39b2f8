"""The state tools share within one session: workspace, files read, shell, todo list.

By default the session's shell commands run in a sandbox (``agent.sandbox``) when
bubblewrap works here: writable are the workspace and a temp folder of the session's
own, made here and removed by ``aclose``; the protected paths inside the workspace stay
read-only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from agent.permissions.protected import protected_roots
from agent.sandbox import SandboxPolicy, sandbox_status
from agent.tools.files import FileTracker
from agent.tools.shell import ShellSession

if TYPE_CHECKING:
    from agent.checkpoints.recorder import Recorder


@dataclass
class ToolContext:
    """Per-session tool state. ``workspace`` is the folder the session works in.

    ``sandbox``: ``"auto"`` builds the session's policy when bubblewrap works (see
    ``sandbox_policy``), ``None`` runs commands unconfined; after creation it holds the
    policy in use, if any. A given ``shell`` keeps its own policy.
    """

    workspace: Path
    files: FileTracker = field(default_factory=FileTracker)
    shell: ShellSession | None = None
    todos: list[dict[str, Any]] = field(default_factory=list)
    sandbox: SandboxPolicy | Literal["auto"] | None = "auto"
    # Keeps a file's content before Write or Edit changes it (agent.checkpoints); None: off.
    checkpoints: Recorder | None = None
    _temp_dir: Path | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.workspace = Path(os.path.abspath(self.workspace))
        if self.shell is not None:
            self.sandbox = self.shell.sandbox
            return
        if self.sandbox == "auto":
            self.sandbox = None
            if sandbox_status().available:
                self._temp_dir = Path(tempfile.mkdtemp(prefix="harken-session-"))
                # Also gone when a context is dropped unclosed, or at exit.
                weakref.finalize(self, shutil.rmtree, self._temp_dir, ignore_errors=True)
                self.sandbox = sandbox_policy(self.workspace, self._temp_dir)
        self.shell = ShellSession(cwd=self.workspace, sandbox=self.sandbox)

    def resolve(self, file_path: str) -> Path:
        """An absolute path: ``~`` expanded, relative paths taken from the workspace."""
        path = Path(os.path.expanduser(file_path))
        if not path.is_absolute():
            path = self.workspace / path
        return Path(os.path.normpath(path))

    def display(self, path: Path | str) -> str:
        """A short form for people: relative inside the workspace, ``~/`` under home."""
        path = Path(path)
        try:
            return str(path.relative_to(self.workspace)) or "."
        except ValueError:
            pass
        home = Path.home()
        try:
            return "~/" + str(path.relative_to(home))
        except ValueError:
            return str(path)

    async def aclose(self) -> None:
        """Stop background shells; remove the session temp folder."""
        if self.shell is not None:
            await self.shell.aclose()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None


def sandbox_policy(workspace: Path, temp_dir: Path) -> SandboxPolicy:
    """The policy for a session in ``workspace``: the protected paths inside it (the
    home folder's too, when the workspace contains it) read-only, no network."""
    real = os.path.realpath(workspace)
    inside = tuple(
        path
        for path in protected_roots(Path(real))
        if os.path.commonpath([real, os.path.realpath(path)]) == real
    )
    return SandboxPolicy(workspace=Path(real), temp_dir=temp_dir, read_only=inside)

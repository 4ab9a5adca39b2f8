"""The state tools share within one session: workspace, files read, shell, todo list."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.tools.files import FileTracker
from agent.tools.shell import ShellSession


@dataclass
class ToolContext:
    """Per-session tool state. ``workspace`` is the folder the session works in."""

    workspace: Path
    files: FileTracker = field(default_factory=FileTracker)
    shell: ShellSession | None = None
    todos: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.workspace = Path(os.path.abspath(self.workspace))
        if self.shell is None:
            self.shell = ShellSession(cwd=self.workspace)

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
        """Stop background shells."""
        if self.shell is not None:
            await self.shell.aclose()

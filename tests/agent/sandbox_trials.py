"""Shared steps of the sandbox trials that plant git settings with real commands under the
real bwrap (tests/agent/test_sandbox_new_git_dirs.py, tests/agent/test_sandbox_layout.py).

    marker                        fixture: a path a planted setting would create if git ran it
    trial                         fixture: ctx, workspace and marker; trial.run(command) and
                                  trial.git_ran_it(repo) as below
    confined(ctx, command)        the Bash tool's text for a confined command that must succeed
    user_git(where, *args)        git as the user runs it, outside any sandbox
    git_ran_it(repo, marker)      whether the user's plain `git status` ran what was planted
    printf_text(text)             text written as a printf format inside a shell command
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from agent.permissions.grant import Grant
from agent.tools.bash import BASH
from agent.tools.context import ToolContext
from tests.agent.test_sandbox import call
from tests.git_repos import git_env


@pytest.fixture(name="marker")  # imported by its function's name: no clash with parameters
def marker_fixture(tmp_path: Path) -> Path:
    """Where a planted ``touch`` lands: outside the workspace, so only git running the
    planted program (never the sandboxed command itself) can make it."""
    return tmp_path / "PWNED"


@dataclass
class Trial:
    """A sandboxed tool context on ``workspace``, and the ``marker`` a planted program makes."""

    ctx: ToolContext
    workspace: Path
    marker: Path

    async def run(self, command: str) -> str:
        """``command`` (``{marker}`` filled in) run confined; it must succeed. Its text."""
        return await confined(self.ctx, command.format(marker=self.marker))

    def git_ran_it(self, repo: str, *args: str) -> bool:
        """Did the user's plain `git ARGS` in the workspace's ``repo`` run what was planted?"""
        return git_ran_it(self.workspace / repo, self.marker, *args)


@pytest.fixture(name="trial")
def trial_fixture(ctx: ToolContext, workspace: Path, marker: Path) -> Trial:
    """The test's ``ctx`` and ``workspace`` (the sandbox fixtures) with a ``marker``."""
    return Trial(ctx, workspace, marker)


async def confined(ctx: ToolContext, command: str, grant: Grant | None = None) -> str:
    """Run ``command`` with the Bash tool in ``ctx``'s sandbox; it must succeed. Its text."""
    out = await call(BASH, ctx, grant, command=command)
    assert not out.is_error, out.text()
    return out.text()


def user_git(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """git as the user runs it, outside any sandbox."""
    return subprocess.run(
        ["git", *args], cwd=where, env=git_env(), capture_output=True, text=True, check=False
    )


def git_ran_it(repo: Path, marker: Path, *args: str) -> bool:
    """Run the user's plain `git ARGS` (`git status` by default) in ``repo``: did it run
    what was planted?"""
    user_git(repo, *(args or ("status",)))
    return marker.exists()


def printf_text(text: str) -> str:
    """``text`` as a printf format (newlines and tabs escaped) for a one-line command."""
    return text.replace("\n", "\\n").replace("\t", "\\t")

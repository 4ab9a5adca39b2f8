"""`harken ask` killed with SIGKILL while a sandboxed Bash command runs: the placeholders
the sandbox made on the host for missing protected paths (an empty `.git`, a `.mcp.json`
folder, `.vscode` ...) do not stay behind for the next run, and git works there again.
What a user put in such a path meanwhile is never removed."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from agent.sandbox import sandbox_status
from tests.e2e.background import kill, wait_until
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not sandbox_status().available, reason="needs a working bubblewrap"),
]

# Missing protected paths a confined command must not create (agent.permissions.protected).
MASKED = (".git", ".gitmodules", ".mcp.json", ".envrc", ".harken", ".claude", ".vscode")
WAIT = "echo ran > marker.txt; sleep 30"


def leftovers(workspace: Path) -> list[str]:
    return sorted(name for name in MASKED if (workspace / name).exists())


def git(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=workspace, capture_output=True, text=True, check=False
    )


def test_placeholders_of_a_killed_run_are_gone_after_the_next_run(
    api: ScriptedAPI,
    start,
    harken,
    workspace: Path,
) -> None:
    marker = workspace / "marker.txt"
    api.script(Reply([tool_use("Bash", {"command": WAIT})]))
    process = start("ask", "wait a while", "--mode", "bypass")
    wait_until(lambda: marker.exists() and leftovers(workspace) == sorted(MASKED), process)
    kill(process)
    # The sandbox is gone with its owner; the placeholders it made on the host are not.
    assert leftovers(workspace) == sorted(MASKED)

    # Meanwhile the user puts a file in one of them: that one is theirs now.
    (workspace / ".vscode" / "settings.json").write_text("{}\n")

    api.script(Reply([text("Hello again.")]))
    result = harken("ask", "hello")

    assert result.returncode == 0, result.stderr
    assert "Is a directory" not in result.stderr
    assert leftovers(workspace) == [".vscode"]
    assert (workspace / ".vscode" / "settings.json").read_text() == "{}\n"
    # An empty .git left there would have made this a broken repository.
    assert git(workspace, "init", "-q").returncode == 0
    assert git(workspace, "add", "marker.txt").returncode == 0
    committed = git(workspace, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "x")
    assert committed.returncode == 0, committed.stderr
    assert git(workspace, "status", "--short").stdout.strip() == "?? .vscode/"


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_live_runs_placeholders_are_left_alone_by_another_run(
    api: ScriptedAPI,
    start,
    harken,
    workspace: Path,
) -> None:
    marker = workspace / "marker.txt"
    api.script(Reply([tool_use("Bash", {"command": WAIT})]))
    first = start("ask", "wait a while", "--mode", "bypass")
    wait_until(lambda: marker.exists() and leftovers(workspace) == sorted(MASKED), first)

    api.script(Reply([text("Hello.")]))
    result = harken("ask", "hello")

    assert result.returncode == 0, result.stderr
    assert first.poll() is None  # still running, its masks still in place
    assert leftovers(workspace) == sorted(MASKED)
    kill(first)

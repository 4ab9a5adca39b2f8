"""Placeholders of a process killed while its sandboxed command ran (real bwrap, a real
SIGKILL): the next confined command removes them, but only what is still exactly what the
sandbox made; a placeholder a user wrote into meanwhile, or one a live process holds, stays."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.sandbox import SandboxPolicy, claim_placeholders, release_placeholders
from tests.agent.test_sandbox import needs_bwrap
from tests.git_repos import git

pytestmark = needs_bwrap

# A child that claims the placeholders of ``ws`` and runs a confined sleep, then waits.
CHILD = textwrap.dedent(
    """
    import subprocess, sys, time
    from pathlib import Path
    from agent.sandbox import SandboxPolicy, bwrap_argv, claim_placeholders
    ws, temp = Path(sys.argv[1]), Path(sys.argv[2])
    policy = SandboxPolicy(workspace=ws, temp_dir=temp, read_only=(".vscode", ".mcp.json"))
    claim_placeholders(policy)
    subprocess.Popen(bwrap_argv(policy, ["sleep", "60"]))
    while not (ws / ".vscode").exists():
        time.sleep(0.01)
    print("ready", flush=True)
    time.sleep(60)
    """
)


def start_owner(ws: Path, temp: Path) -> subprocess.Popen[str]:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(ws), str(temp)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert child.stdout is not None and child.stdout.readline() == "ready\n"
    return child


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    subprocess.run(["git", "init", "-q", str(ws)], check=True)
    git(ws, "config", "include.path", "../team.gitconfig")  # missing: a stub while running
    return ws


def next_command(ws: Path, temp: Path) -> None:
    policy = SandboxPolicy(workspace=ws, temp_dir=temp, read_only=(".vscode", ".mcp.json"))
    release_placeholders(claim_placeholders(policy))


def test_a_killed_owners_placeholders_go_at_the_next_command(repo: Path, tmp_path: Path) -> None:
    stub = repo / "team.gitconfig"
    owner = start_owner(repo, tmp_path)
    assert stub.is_file() and (repo / ".mcp.json").is_dir()
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    assert stub.is_file() and (repo / ".vscode").is_dir()  # left behind

    next_command(repo, tmp_path)

    assert not stub.exists() and not (repo / ".vscode").exists()
    assert not (repo / ".mcp.json").exists()
    assert git(repo, "status", "--porcelain") == ""


def test_what_a_user_wrote_into_a_placeholder_stays(repo: Path, tmp_path: Path) -> None:
    owner = start_owner(repo, tmp_path)
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    (repo / "team.gitconfig").write_text("[user]\n\tname = me\n")
    (repo / ".vscode/settings.json").write_text("{}\n")

    next_command(repo, tmp_path)

    assert (repo / "team.gitconfig").read_text() == "[user]\n\tname = me\n"
    assert (repo / ".vscode/settings.json").read_text() == "{}\n"
    assert not (repo / ".mcp.json").exists()


def test_a_live_owners_placeholders_stay(repo: Path, tmp_path: Path) -> None:
    owner = start_owner(repo, tmp_path)
    try:
        next_command(repo, tmp_path)
        assert (repo / "team.gitconfig").is_file() and (repo / ".vscode").is_dir()
    finally:
        owner.kill()
        owner.wait()


async def test_commands_still_run_when_the_state_folder_cannot_be_written(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker / "state"))  # below a file: unusable
    from agent.tools.context import ToolContext

    ctx = ToolContext(workspace=repo)
    try:
        assert ctx.shell is not None
        result = await ctx.shell.run("echo hi > made.txt", 10)
        assert result.exit_code == 0, result.output
    finally:
        await ctx.aclose()
    assert (repo / "made.txt").read_text() == "hi\n"
    assert not (repo / ".vscode").exists()  # released as always

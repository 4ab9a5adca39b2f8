"""A confined command that makes a *new* git directory in the workspace (which the sandbox
cannot mask: it does not exist yet) cannot leave settings or hooks there that the user's
next plain `git status` would run outside the sandbox: they are moved aside when the
command ends and its result says what was disabled and how to restore it. A plain
`git init` keeps its configuration. Real bwrap, real git."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from agent.permissions.grant import Grant
from agent.tools.bash import BASH, BASH_OUTPUT
from agent.tools.context import ToolContext
from tests.agent.test_sandbox import (  # noqa: F401  (fixtures)
    call,
    ctx,
    needs_bwrap,
    workspace,
)
from tests.git_repos import git_env

pytestmark = needs_bwrap

# The trial's command: a repository built by hand, its config planted.
PLANT_CONFIG = (
    "python3 -c \"import os; g='nn2/.git'; "
    "[os.makedirs(g + d) for d in ('/objects', '/refs/heads')]; "
    "open(g + '/HEAD', 'w').write('ref: refs/heads/main\\\\n'); "
    "open(g + '/config', 'w').write('[core]\\\\n\\\\trepositoryformatversion = 0\\\\n"
    "\\\\tfsmonitor = touch {marker}; false\\\\n')\""
)
PLANT_HOOK = (
    "git init -q nn3 && printf '#!/bin/sh\\ntouch {marker}\\n' > nn3/.git/hooks/post-checkout"
    " && chmod +x nn3/.git/hooks/post-checkout"
)


def user_git(where: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """git as the user runs it, outside any sandbox."""
    return subprocess.run(
        ["git", *args], cwd=where, env=git_env(), capture_output=True, text=True, check=False
    )


async def test_a_planted_fsmonitor_in_a_new_repository_is_disabled(
    ctx: ToolContext,  # noqa: F811
    workspace: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    marker = tmp_path / "PWNED2"
    out = await call(BASH, ctx, command=PLANT_CONFIG.format(marker=marker))
    assert not out.is_error, out.text()
    user_git(workspace / "nn2", "status")
    assert not marker.exists(), "git ran the fsmonitor a sandboxed command planted"
    assert "core.fsmonitor" in out.text() and "config.harken-disabled" in out.text()
    assert "mv " in out.text()  # how to restore it
    aside = workspace / "nn2/.git/config.harken-disabled"
    assert "fsmonitor" in aside.read_text()
    # The repository still works with what is left in its place.
    done = user_git(workspace / "nn2", "status")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "setting",
    [
        "alias.st = !touch {marker}",
        "core.hooksPath = hooks2",
        "include.path = ../../evil.cfg",
        "core.pager = touch {marker}",
        "diff.x.textconv = touch {marker}",
        "credential.helper = !touch {marker}",
    ],
)
async def test_other_settings_that_run_programs_are_disabled(
    ctx: ToolContext,  # noqa: F811
    workspace: Path,  # noqa: F811
    tmp_path: Path,
    setting: str,
) -> None:
    key, _, value = setting.format(marker=tmp_path / "PWNED").partition(" = ")
    command = f"git init -q nn && git -C nn config {key} '{value}'"
    out = await call(BASH, ctx, command=command)
    assert not out.is_error, out.text()
    assert key.lower() in out.text().lower()
    assert key.split(".")[-1].lower() not in (workspace / "nn/.git/config").read_text().lower()
    assert user_git(workspace / "nn", "status").returncode == 0


async def test_a_git_file_pointing_into_the_session_temp_folder_is_followed(
    ctx: ToolContext,  # noqa: F811
    workspace: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    marker = tmp_path / "PWNED5"
    command = (
        'git init -q --separate-git-dir "$TMPDIR/g" nn && '
        f"git -C nn config core.fsmonitor 'touch {marker}; false'"
    )
    out = await call(BASH, ctx, command=command)
    assert not out.is_error, out.text()
    user_git(workspace / "nn", "status")
    assert not marker.exists(), "git ran the fsmonitor a sandboxed command planted"
    assert "core.fsmonitor" in out.text()


async def test_a_commondir_pointing_into_the_session_temp_folder_is_followed(
    ctx: ToolContext,  # noqa: F811
    workspace: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    marker = tmp_path / "PWNED6"
    command = (
        'git init -q --bare "$TMPDIR/c" && '
        f"git --git-dir=\"$TMPDIR/c\" config core.fsmonitor 'touch {marker}; false' && "
        "mkdir -p nn/.git/objects nn/.git/refs && echo 'ref: refs/heads/main' > nn/.git/HEAD"
        ' && echo "$TMPDIR/c" > nn/.git/commondir'
    )
    out = await call(BASH, ctx, command=command)
    assert not out.is_error, out.text()
    user_git(workspace / "nn", "status")
    assert not marker.exists(), "git ran the fsmonitor of a planted common folder"
    assert "core.fsmonitor" in out.text()


@pytest.mark.parametrize(
    "command",
    [
        "git init -q plain && git -C plain config user.name Ann",
        "git init -q src && git -C src config user.name Ann && git clone -q src plain",
    ],
    ids=["init", "clone"],
)
async def test_a_plain_git_init_or_clone_keeps_its_configuration(
    ctx: ToolContext,  # noqa: F811
    workspace: Path,  # noqa: F811
    command: str,
) -> None:
    out = await call(BASH, ctx, command=command)
    assert not out.is_error, out.text()
    assert "disabled" not in out.text()
    config = (workspace / "plain/.git/config").read_text()
    assert "name = Ann" in config or "url = " in config
    assert not list((workspace / "plain/.git").glob("*harken-disabled*"))
    assert sorted(p.name for p in (workspace / "plain/.git/hooks").iterdir())  # samples kept


async def test_a_planted_hook_in_a_new_repository_is_disabled(
    ctx: ToolContext,  # noqa: F811
    workspace: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    marker = tmp_path / "PWNED3"
    out = await call(BASH, ctx, command=PLANT_HOOK.format(marker=marker))
    assert not out.is_error, out.text()
    repo = workspace / "nn3"
    user_git(repo, "checkout", "-q", "-b", "x")
    assert not marker.exists(), "git ran the hook a sandboxed command planted"
    assert "post-checkout" in out.text() and "hooks.harken-disabled" in out.text()
    assert (repo / ".git/hooks.harken-disabled/post-checkout").exists()
    assert "[core]" in (repo / ".git/config").read_text()  # git init's own config stays


async def test_a_background_command_is_checked_when_it_ends(
    ctx: ToolContext,  # noqa: F811
    workspace: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    marker = tmp_path / "PWNED4"
    grant = Grant()
    started = await call(
        BASH, ctx, grant, command=PLANT_CONFIG.format(marker=marker), run_in_background=True
    )
    job = started.text().split("id ")[1].split(".")[0]
    assert ctx.shell is not None
    assert await ctx.shell.wait(job, timeout_s=60)
    out = await call(BASH_OUTPUT, ctx, grant, bash_id=job)
    user_git(workspace / "nn2", "status")
    assert not marker.exists(), "git ran the fsmonitor a background command planted"
    assert "core.fsmonitor" in out.text()


async def test_a_repository_that_existed_before_the_command_is_left_alone(
    ctx: ToolContext,  # noqa: F811
    workspace: Path,  # noqa: F811
) -> None:
    mine = workspace / "mine"
    user_git(workspace, "init", "-q", "mine")
    user_git(mine, "config", "alias.hi", "!echo hi")
    before = (mine / ".git/config").read_text()
    out = await call(BASH, ctx, command="git -C mine status >/dev/null; touch mine/file")
    assert not out.is_error, out.text()
    assert (mine / ".git/config").read_text() == before
    assert "disabled" not in out.text()

"""A confined command that makes a *new* git directory in the workspace (which the sandbox
cannot mask: it does not exist yet) cannot leave settings or hooks there that the user's
next plain `git status` would run outside the sandbox: they are moved aside when the
command ends and its result says what was disabled and how to restore it. A plain
`git init` keeps its configuration. Real bwrap, real git."""

from __future__ import annotations

import pytest

from agent.permissions.grant import Grant
from agent.tools.bash import BASH, BASH_OUTPUT
from tests.agent.sandbox_trials import Trial, marker_fixture, trial_fixture, user_git  # noqa: F401
from tests.agent.test_sandbox import call, ctx, needs_bwrap, workspace  # noqa: F401

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
# A new repository `nn` whose git folder is in the session temp folder, not the workspace,
# by a `.git` file naming it, or by a `commondir` naming a bare repository there.
PLANT_BESIDE = {
    "git-file": 'git init -q --separate-git-dir "$TMPDIR/g" nn && '
    "git -C nn config core.fsmonitor 'touch {marker}; false'",
    "commondir": 'git init -q --bare "$TMPDIR/c" && '
    "git --git-dir=\"$TMPDIR/c\" config core.fsmonitor 'touch {marker}; false' && "
    "mkdir -p nn/.git/objects nn/.git/refs && echo 'ref: refs/heads/main' > nn/.git/HEAD"
    ' && echo "$TMPDIR/c" > nn/.git/commondir',
}


async def test_a_planted_fsmonitor_in_a_new_repository_is_disabled(trial: Trial) -> None:
    said = await trial.run(PLANT_CONFIG)
    assert not trial.git_ran_it("nn2"), "git ran the fsmonitor a sandboxed command planted"
    assert "core.fsmonitor" in said and "config.harken-disabled" in said
    assert "mv " in said  # how to restore it
    aside = trial.workspace / "nn2/.git/config.harken-disabled"
    assert "fsmonitor" in aside.read_text()
    # The repository still works with what is left in its place.
    done = user_git(trial.workspace / "nn2", "status")
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
async def test_other_settings_that_run_programs_are_disabled(trial: Trial, setting: str) -> None:
    key, _, value = setting.partition(" = ")
    said = await trial.run(f"git init -q nn && git -C nn config {key} '{value}'")
    assert key.lower() in said.lower()
    config = (trial.workspace / "nn/.git/config").read_text()
    assert key.split(".")[-1].lower() not in config.lower()
    assert user_git(trial.workspace / "nn", "status").returncode == 0


@pytest.mark.parametrize("plant", list(PLANT_BESIDE.values()), ids=list(PLANT_BESIDE))
async def test_a_git_folder_kept_in_the_session_temp_folder_is_followed(
    trial: Trial, plant: str
) -> None:
    said = await trial.run(plant)
    assert not trial.git_ran_it("nn"), "git ran the fsmonitor a sandboxed command planted"
    assert "core.fsmonitor" in said


@pytest.mark.parametrize(
    "command",
    [
        "git init -q plain && git -C plain config user.name Ann",
        "git init -q src && git -C src config user.name Ann && git clone -q src plain",
    ],
    ids=["init", "clone"],
)
async def test_a_plain_git_init_or_clone_keeps_its_configuration(
    trial: Trial, command: str
) -> None:
    assert "disabled" not in await trial.run(command)
    plain = trial.workspace / "plain/.git"
    config = (plain / "config").read_text()
    assert "name = Ann" in config or "url = " in config
    assert not list(plain.glob("*harken-disabled*"))
    assert sorted(p.name for p in (plain / "hooks").iterdir())  # samples kept


async def test_a_planted_hook_in_a_new_repository_is_disabled(trial: Trial) -> None:
    said = await trial.run(PLANT_HOOK)
    ran = trial.git_ran_it("nn3", "checkout", "-q", "-b", "x")
    assert not ran, "git ran the hook a sandboxed command planted"
    assert "post-checkout" in said and "hooks.harken-disabled" in said
    repo = trial.workspace / "nn3"
    assert (repo / ".git/hooks.harken-disabled/post-checkout").exists()
    assert "[core]" in (repo / ".git/config").read_text()  # git init's own config stays


async def test_a_background_command_is_checked_when_it_ends(trial: Trial) -> None:
    grant, command = Grant(), PLANT_CONFIG.format(marker=trial.marker)
    started = await call(BASH, trial.ctx, grant, command=command, run_in_background=True)
    job = started.text().split("id ")[1].split(".")[0]
    assert trial.ctx.shell is not None
    assert await trial.ctx.shell.wait(job, timeout_s=60)
    out = await call(BASH_OUTPUT, trial.ctx, grant, bash_id=job)
    assert not trial.git_ran_it("nn2"), "git ran the fsmonitor a background command planted"
    assert "core.fsmonitor" in out.text()


async def test_a_repository_that_existed_before_the_command_is_left_alone(trial: Trial) -> None:
    mine = trial.workspace / "mine"
    user_git(trial.workspace, "init", "-q", "mine")
    user_git(mine, "config", "alias.hi", "!echo hi")
    before = (mine / ".git/config").read_text()
    said = await trial.run("git -C mine status >/dev/null; touch mine/file")
    assert (mine / ".git/config").read_text() == before
    assert "disabled" not in said

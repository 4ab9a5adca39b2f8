"""``harken hooks list|trust`` and ``harken skills list|trust`` as a user runs them.

Until ``desktop.cli`` registers ``desktop.cli_extensions`` the commands run through a
small harness that builds the same parser the same way (``add_commands``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import COMMAND_MODULES
from tests.e2e.conftest import harken_command
from tests.hooks.conftest import hook, project_hooks, user_hooks

pytestmark = pytest.mark.e2e

HARNESS = (
    "import argparse, sys\n"
    "from desktop.cli_extensions import add_commands\n"
    "parser = argparse.ArgumentParser(prog='harken')\n"
    "add_commands(parser.add_subparsers(dest='command', required=True))\n"
    "args = parser.parse_args()\n"
    "sys.exit(args.handler(args))\n"
)


def run(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    registered = "desktop.cli_extensions" in COMMAND_MODULES
    command = harken_command() if registered else [sys.executable, "-c", HARNESS]
    return subprocess.run(
        [*command, *args],
        cwd=workspace,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_hooks_list_shows_each_hook_where_it_comes_from_and_whether_it_is_trusted(
    workspace: Path,
) -> None:
    user_file = user_hooks({"PreToolUse": [hook("./check.sh", "Edit|Write", timeout=5)]})
    project_file = project_hooks(workspace, {"Stop": [hook("touch stopped")]})

    listed = run(workspace, "hooks", "list")

    assert listed.returncode == 0, listed.stderr
    assert f"{user_file} (user):" in listed.stdout
    assert "PreToolUse [Edit|Write] (5 s): ./check.sh" in listed.stdout
    assert f"{project_file.resolve()} (project, not trusted" in listed.stdout
    assert "Stop [*] (60 s): touch stopped" in listed.stdout

    refused = run(workspace, "hooks", "trust")  # no terminal, no --yes: nothing changes
    assert refused.returncode == 1 and "terminal" in refused.stderr
    trusted = run(workspace, "hooks", "trust", "--yes")
    assert trusted.returncode == 0, trusted.stderr

    as_json = json.loads(run(workspace, "hooks", "list", "--json").stdout)
    assert [(h["event"], h["source"], h["trusted"]) for h in as_json] == [
        ("PreToolUse", "user", True),
        ("Stop", "project", True),
    ]
    assert not (workspace / "stopped").exists()  # listing and trusting run nothing


def test_skills_list_shows_user_and_project_skills_and_warns_about_a_broken_one(
    workspace: Path,
) -> None:
    user = Path(os.environ["XDG_CONFIG_HOME"]) / "harken" / "skills"
    for folder, text in (
        (user / "release-notes", "name: release-notes\ndescription: Writes release notes."),
        (user / "broken", "name: Broken Name\ndescription: x"),
        (workspace / ".harken" / "skills" / "deploy", "name: deploy\ndescription: Deploys."),
    ):
        folder.mkdir(parents=True)
        (folder / "SKILL.md").write_text(f"---\n{text}\n---\nBody.\n")

    listed = run(workspace, "skills", "list", "--json")

    assert listed.returncode == 0, listed.stderr
    assert [(s["name"], s["source"], s["trusted"]) for s in json.loads(listed.stdout)] == [
        ("release-notes", "user", True),
        ("deploy", "project", False),
    ]
    [warning] = [line for line in listed.stderr.splitlines() if "warning" in line]
    assert "broken" in warning and "Broken Name" in warning

    assert run(workspace, "skills", "trust", "--yes").returncode == 0
    human = run(workspace, "skills", "list").stdout
    assert "deploy (project) " in human and "not trusted" not in human


def test_a_broken_hooks_file_is_not_listed_as_no_hooks(workspace: Path) -> None:
    path = user_hooks({})
    path.write_text('{"hooks": {"Stop": [')

    listed = run(workspace, "hooks", "list")

    assert listed.returncode == 1
    assert f"could not read {path}" in listed.stderr
    assert "No hooks configured" not in listed.stdout + listed.stderr


def test_with_no_skills_the_list_says_where_skills_go(workspace: Path) -> None:
    listed = run(workspace, "skills", "list")

    assert listed.returncode == 0, listed.stderr
    assert "No skills found" in listed.stdout
    assert str(Path(os.environ["XDG_CONFIG_HOME"]) / "harken" / "skills") in listed.stdout
    assert ".harken/skills" in listed.stdout


def test_a_skill_whose_name_is_not_its_folders_is_skipped_with_one_warning(
    workspace: Path,
) -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "harken" / "skills" / "release-notes"
    folder.mkdir(parents=True)
    (folder / "SKILL.md").write_text("---\nname: changelog\ndescription: Notes.\n---\nBody.\n")

    listed = run(workspace, "skills", "list", "--json")

    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    [warning] = [line for line in listed.stderr.splitlines() if "warning" in line]
    assert "'changelog'" in warning and "'release-notes'" in warning

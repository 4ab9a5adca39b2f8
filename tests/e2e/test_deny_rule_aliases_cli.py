"""The real ``harken`` command: a Bash deny rule for a program is not evaded by renaming the
program (a link or copy made in the same command line or by an earlier one), in bypass
mode too; making such a link asks, naming the rule; workspace programs that are not
copies of the named program still run."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from agent.sandbox import sandbox_status
from tests.e2e.test_bypass_without_sandbox import content, results
from tests.e2e.test_permissions_cli import check as permissions_check
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

RM = os.path.realpath(shutil.which("rm") or "/bin/rm")
DENY = ["--deny", "Bash(rm *)"]
RULE = "Bash(rm *) (command line)"


def check(workspace: Path, mode: str, command: str, *rules: str) -> dict:
    """``harken permissions check`` on a Bash ``command`` in ``mode`` with ``rules``."""
    bash = ["--tool", "Bash", "--input", json.dumps({"command": command})]
    return permissions_check(workspace, "--mode", mode, *bash, *rules)


@pytest.mark.parametrize("mode", ["bypass", "auto", "standard"])
def test_a_link_made_in_the_same_command_is_denied(workspace: Path, mode: str) -> None:
    out = check(workspace, mode, "ln -s /bin/rm d; ./d x", *DENY)

    assert out == {
        "decision": "deny",
        "reason": f"./d becomes a link to rm, which the deny rule {RULE} names",
        "rule": RULE,
    }


@pytest.mark.parametrize("mode", ["bypass", "auto", "standard"])
def test_an_existing_link_or_copy_is_denied(workspace: Path, mode: str) -> None:
    (workspace / "d").symlink_to(RM)
    (workspace / "tools").mkdir()
    shutil.copy2(RM, workspace / "tools" / "c")

    linked = check(workspace, mode, "./d x", *DENY)
    copied = check(workspace, mode, "$PWD/tools/c x", *DENY)

    assert linked["decision"] == "deny"
    assert linked["reason"] == f"./d is a link to rm, which the deny rule {RULE} names"
    assert copied["decision"] == "deny"
    assert copied["reason"] == f"$PWD/tools/c is a copy of rm, which the deny rule {RULE} names"


@pytest.mark.parametrize("kind", ["deny", "ask"])
def test_making_a_link_asks_in_bypass_naming_the_rule(workspace: Path, kind: str) -> None:
    out = check(workspace, "bypass", "cp -l /bin/rm d", f"--{kind}", "Bash(rm *)")

    assert out == {
        "decision": "ask",
        "reason": f"`cp -l /bin/rm d` makes a hard link to rm, which the {kind} rule {RULE} names",
        "rule": RULE,
    }


def test_workspace_programs_still_run_in_bypass(workspace: Path) -> None:
    gradlew = workspace / "gradlew"
    gradlew.write_text("#!/bin/sh\necho built\n")
    gradlew.chmod(0o755)

    out = check(workspace, "bypass", "./gradlew build", *DENY)

    assert out == {"decision": "allow", "reason": "bypass mode", "rule": None}


@pytest.mark.skipif(not sandbox_status().available, reason="needs a working bubblewrap")
def test_harken_ask_in_bypass_does_not_remove_the_file_through_a_renamed_rm(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    keep = workspace / "keep.txt"
    keep.write_text("precious\n")
    (workspace / "older").symlink_to(RM)  # made by an earlier command
    build = workspace / "build.sh"
    build.write_text("#!/bin/sh\necho built > built.txt\n")
    build.chmod(0o755)
    api.script(
        Reply([tool_use("Bash", {"command": "ln -s /bin/rm d; ./d keep.txt"})]),
        Reply([tool_use("Bash", {"command": "./older keep.txt"})]),
        Reply([tool_use("Bash", {"command": "./build.sh"})]),
        Reply([text("Done.")]),
    )

    result = harken("ask", "tidy up", "--mode", "bypass", *DENY)

    assert result.returncode == 0, result.stderr
    assert keep.read_text() == "precious\n"
    assert not (workspace / "d").exists()  # the line was refused whole
    [made] = results(api.requests[1])
    [older] = results(api.requests[2])
    [built] = results(api.requests[3])
    assert made.get("is_error") and "./d becomes a link to rm" in content(made), content(made)
    assert older.get("is_error") and "./older is a link to rm" in content(older), content(older)
    assert not built.get("is_error"), content(built)
    assert (workspace / "built.txt").read_text() == "built\n"

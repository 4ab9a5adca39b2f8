"""`harken permissions check --allow`: a rule for a program approves what the program does
by itself, not a program it starts nor an option that destroys (issue 10, section 3)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import harken_command

pytestmark = pytest.mark.e2e


def check(workspace: Path, mode: str, command: str, *rules: str) -> dict:
    result = subprocess.run(
        [
            *harken_command(),
            "permissions",
            "check",
            "--cwd",
            str(workspace),
            "--mode",
            mode,
            "--tool",
            "Bash",
            "--input",
            json.dumps({"command": command}),
            *rules,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("mode", ["standard", "auto"])
@pytest.mark.parametrize(
    ("rule", "command", "reason"),
    [
        ("Bash(find *)", "find . -exec rm {} \\;", "find -exec runs rm"),
        ("Bash(find *)", "find . -delete", "find -delete removes files"),
        ("Bash(rg *)", "rg --pre 'sh -c id' foo .", "rg --pre runs sh -c id"),
    ],
)
def test_a_wildcard_rule_does_not_approve_what_its_program_starts_or_destroys(
    workspace: Path, mode: str, rule: str, command: str, reason: str
) -> None:
    out = check(workspace, mode, command, "--allow", rule)

    assert out == {"decision": "ask", "reason": reason, "rule": None}


def test_rules_that_name_the_started_program_or_the_option_approve_it(workspace: Path) -> None:
    both = ["--allow", "Bash(find *)", "--allow", "Bash(rm *)"]
    out = check(workspace, "standard", "find . -name '*.pyc' -exec rm {} +", *both)
    assert out["decision"] == "allow" and out["rule"] == "Bash(find *) (command line)"

    spelled = ["--allow", "Bash(find * -delete)"]
    allowed = check(workspace, "standard", "find . -name '*.pyc' -delete", *spelled)
    asked = check(workspace, "standard", "find . -exec rm {} + -delete", *spelled)
    assert (allowed["decision"], asked["decision"]) == ("allow", "ask")


def test_a_deny_rule_catches_a_program_that_find_starts(workspace: Path) -> None:
    out = check(workspace, "bypass", "find . -exec rm {} \\;", "--deny", "Bash(rm *)")

    assert out == {
        "decision": "deny",
        "reason": "denied by the rule Bash(rm *) (command line)",
        "rule": "Bash(rm *) (command line)",
    }

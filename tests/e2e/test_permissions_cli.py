"""`harken permissions check`: the engine's decision as one JSON object (an exact contract)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.test_ask_cli import harken_command

pytestmark = pytest.mark.e2e


def check(workspace: Path, *args: str) -> dict:
    result = subprocess.run(
        [*harken_command(), "permissions", "check", "--cwd", str(workspace), *args],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_check_prints_decision_reason_and_rule(workspace: Path) -> None:
    out = check(
        workspace, "--mode", "standard", "--tool", "Bash", "--input", '{"command": "ls -l"}'
    )
    assert set(out) == {"decision", "reason", "rule"}
    assert out["decision"] == "allow" and out["rule"] is None

    out = check(
        workspace,
        "--mode",
        "standard",
        "--tool",
        "Bash",
        "--input",
        '{"command": "npm run test -- -x"}',
        "--allow",
        "Bash(npm run test:*)",
    )
    assert out == {
        "decision": "allow",
        "reason": "allowed by the rule Bash(npm run test:*) (command line)",
        "rule": "Bash(npm run test:*) (command line)",
    }


def test_check_applies_deny_before_ask_before_allow(workspace: Path) -> None:
    command = '{"command": "rm -rf build"}'
    rules = ["--allow", "Bash(rm:*)", "--ask", "Bash(rm -rf *)", "--deny", "Bash(rm -rf build)"]
    assert (
        check(workspace, "--mode", "bypass", "--tool", "Bash", "--input", command, *rules)[
            "decision"
        ]
        == "deny"
    )
    assert (
        check(workspace, "--mode", "bypass", "--tool", "Bash", "--input", command, *rules[:4])[
            "decision"
        ]
        == "ask"
    )
    assert (
        check(workspace, "--mode", "standard", "--tool", "Bash", "--input", command, *rules[:2])[
            "decision"
        ]
        == "allow"
    )


def test_check_reads_the_project_settings_like_the_agent(workspace: Path) -> None:
    (workspace / ".harken").mkdir()
    (workspace / ".harken" / "settings.json").write_text(
        json.dumps({"permissions": {"deny": ["Read(.env)"], "allow": ["Bash(curl:*)"]}})
    )
    out = check(workspace, "--mode", "bypass", "--tool", "Read", "--input", '{"file_path": ".env"}')
    assert out["decision"] == "deny" and out["rule"] == "Read(.env) (project settings)"
    curl = '{"command": "curl https://example.com"}'
    assert (
        check(workspace, "--mode", "standard", "--tool", "Bash", "--input", curl)["decision"]
        == "ask"
    )  # the project's allow rule is not trusted yet


def test_bad_input_is_a_clear_usage_error(workspace: Path) -> None:
    result = subprocess.run(
        [
            *harken_command(),
            "permissions",
            "check",
            "--mode",
            "standard",
            "--tool",
            "Bash",
            "--input",
            "{oops",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=workspace,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("harken: --input is not valid JSON")


@pytest.mark.parametrize("mode", ["plan", "standard", "auto"])
def test_a_bare_webfetch_rule_does_not_allow_a_loopback_address(workspace: Path, mode: str) -> None:
    fetch = json.dumps({"url": "http://127.0.0.1/", "prompt": "read"})
    args = ["--mode", mode, "--tool", "WebFetch", "--input", fetch]

    bare = check(workspace, *args, "--allow", "WebFetch")
    named = check(workspace, *args, "--allow", "WebFetch(domain:127.0.0.1)")

    assert bare["decision"] == "ask" and bare["rule"] is None
    assert "WebFetch(domain:127.0.0.1)" in bare["reason"]
    assert named["decision"] == "allow"

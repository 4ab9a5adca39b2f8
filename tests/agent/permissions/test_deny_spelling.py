"""A deny or ask rule that names a program stops it however it is spelled (a path to it,
`..` in the path, inside `find -exec` or `sh -c`), and where Harken cannot read a command
(a program named by a variable, `eval`, a shell reading a pipe, an alias) such a rule makes
the command ask, bypass mode included (issue 10, section 3)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.permissions import Mode, PermissionEngine, ToolCall, Verdict
from agent.permissions.rules import Source, parse_rule
from agent.permissions.settings import RuleSet
from agent.tools.base import ToolKind


def decide(workspace: Path, mode: Mode, command: str, kind: str = "deny", rule: str = "Bash(rm *)"):
    rules = RuleSet()
    rules.add(kind, parse_rule(rule, Source.CLI))
    engine = PermissionEngine(
        mode=mode, workspace=workspace, rules=rules, sandbox=True, home=workspace.parent
    )
    call = ToolCall("t1", "Bash", {"command": command}, ToolKind.EXECUTE, "Bash", workspace)
    return engine.decide(call)


SPELLED = [
    "/bin/rm -f x",
    "/usr/bin/../bin/rm x",
    "find . -exec /usr/bin/rm {} +",
    'sh -c "/bin/rm x"',
    "sudo /usr/bin/rm x",
    "./rm x",
    # Wrappers and shells named by their path start what they wrap all the same.
    "/bin/bash -c 'rm x'",
    "/usr/bin/sudo rm x",
    "/usr/bin/env rm x",
    "echo x | /usr/bin/xargs rm",
    "/usr/bin/timeout 5 /bin/rm x",
]


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("command", SPELLED)
def test_a_deny_rule_stops_its_program_named_by_a_path(
    workspace: Path, mode: Mode, command: str
) -> None:
    decision = decide(workspace, mode, command)

    assert decision.verdict is Verdict.DENY
    assert decision.rule == "Bash(rm *) (command line)"


@pytest.mark.parametrize("command", SPELLED)
def test_an_ask_rule_asks_for_its_program_named_by_a_path(workspace: Path, command: str) -> None:
    decision = decide(workspace, Mode.BYPASS, command, kind="ask")

    assert decision.verdict is Verdict.ASK
    assert decision.rule == "Bash(rm *) (command line)"


HIDDEN = [
    ("x=rm; $x x", "known only at run time"),
    ("eval rm x", "eval runs a string as code"),
    ("echo rm x | sh", "`sh` runs commands it reads from its input"),
    ("alias r=rm; r x", "`alias r=rm` defines names that run other commands"),
]


@pytest.mark.parametrize("kind", ["deny", "ask"])
@pytest.mark.parametrize(("command", "why"), HIDDEN)
def test_bypass_asks_before_what_a_command_rule_cannot_read(
    workspace: Path, kind: str, command: str, why: str
) -> None:
    decision = decide(workspace, Mode.BYPASS, command, kind=kind)

    assert decision.verdict is Verdict.ASK
    assert decision.reason.startswith("a deny or ask rule names commands, and ")
    assert why in decision.reason


@pytest.mark.parametrize(("command", "why"), HIDDEN)
def test_without_a_command_rule_bypass_still_runs_them(
    workspace: Path, command: str, why: str
) -> None:
    decision = decide(workspace, Mode.BYPASS, command, rule="Read(secret/**)")

    assert decision.verdict is Verdict.ALLOW


def test_a_readable_command_is_not_held_up_by_a_deny_rule_it_does_not_match(
    workspace: Path,
) -> None:
    assert decide(workspace, Mode.BYPASS, "ls -la; echo hi | cat").verdict is Verdict.ALLOW
    assert decide(workspace, Mode.BYPASS, "/bin/ls x").verdict is Verdict.ALLOW


def test_an_allow_rule_does_not_approve_a_workspace_program_of_the_same_name(
    workspace: Path,
) -> None:
    decision = decide(workspace, Mode.STANDARD, "./rm x", kind="allow")

    assert decision.verdict is Verdict.ASK


@pytest.mark.parametrize("command", ["/bin/rm x", "/usr/bin/../bin/rm x"])
def test_an_allow_rule_approves_its_system_program_named_by_a_path(
    workspace: Path, command: str
) -> None:
    decision = decide(workspace, Mode.STANDARD, command, kind="allow")

    assert decision.verdict is Verdict.ALLOW
    assert decision.rule == "Bash(rm *) (command line)"


def test_an_allow_rule_approves_a_started_system_program_named_by_a_path(
    workspace: Path,
) -> None:
    rules = RuleSet()
    for text in ("Bash(find *)", "Bash(rm *)"):
        rules.add("allow", parse_rule(text, Source.CLI))
    engine = PermissionEngine(Mode.STANDARD, workspace, rules, sandbox=True, home=workspace.parent)
    command = "find . -name '*.pyc' -exec /usr/bin/rm {} +"
    call = ToolCall("t1", "Bash", {"command": command}, ToolKind.EXECUTE, "Bash", workspace)

    assert engine.decide(call).verdict is Verdict.ALLOW

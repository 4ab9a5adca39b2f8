"""Every MCP call goes through the permission engine: asked by default, rules on a tool or a
whole server, and readOnlyHint trusted in auto mode only."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.permissions import Mode, PermissionEngine, ToolCall, Verdict
from agent.permissions.rules import Source, parse_rule
from agent.permissions.settings import RuleSet
from agent.tools.base import ToolKind

READ_HINT = ToolKind.READ  # what a tool marked readOnlyHint becomes (agent/mcp/tools.py)
NO_HINT = ToolKind.EXECUTE


def decide(
    workspace: Path,
    mode: Mode,
    kind: ToolKind,
    name: str = "mcp__box__echo",
    **rules: tuple[str, ...],
) -> Verdict:
    ruleset = RuleSet()
    for kind_name, texts in rules.items():
        for text in texts:
            ruleset.add(kind_name, parse_rule(text, Source.CLI))
    engine = PermissionEngine(mode=mode, workspace=workspace, rules=ruleset, sandbox=True)
    return engine.decide(ToolCall("t", name, {"text": "x"}, kind, "echo (box)")).verdict


@pytest.mark.parametrize("mode", [Mode.STANDARD, Mode.AUTO])
@pytest.mark.parametrize("kind", [READ_HINT, NO_HINT])
def test_asked_by_default_except_read_only_in_auto(
    workspace: Path, mode: Mode, kind: ToolKind
) -> None:
    expected = Verdict.ALLOW if (mode, kind) == (Mode.AUTO, READ_HINT) else Verdict.ASK
    assert decide(workspace, mode, kind) is expected


def test_plan_mode_refuses_a_tool_not_marked_read_only(workspace: Path) -> None:
    assert decide(workspace, Mode.PLAN, NO_HINT) is Verdict.DENY
    assert decide(workspace, Mode.PLAN, READ_HINT) is Verdict.ASK


@pytest.mark.parametrize("rule", ["mcp__box__echo", "mcp__box", "mcp__box__*"])
def test_an_allow_rule_for_the_tool_or_its_server_allows(workspace: Path, rule: str) -> None:
    assert decide(workspace, Mode.STANDARD, NO_HINT, allow=(rule,)) is Verdict.ALLOW
    # ...that server's tools only.
    other = decide(workspace, Mode.STANDARD, NO_HINT, "mcp__boxer__echo", allow=(rule,))
    assert other is Verdict.ASK


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("rule", ["mcp__box__echo", "mcp__box"])
def test_a_deny_rule_blocks_in_every_mode(workspace: Path, mode: Mode, rule: str) -> None:
    verdict = decide(workspace, mode, READ_HINT, deny=(rule,), allow=("mcp__box",))
    assert verdict is Verdict.DENY

"""Every MCP call goes through the permission engine: asked by default, rules on a tool or a
whole server, readOnlyHint trusted in auto and plan mode only, and only for a tool its
server also marks closed-world (openWorldHint: false); an open-world tool is asked about in
every mode, bypass included, unless a rule names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.mcp.tools import hinted_kind
from agent.permissions import Mode, PermissionEngine, ToolCall, Verdict
from agent.permissions.rules import Source, parse_rule
from agent.permissions.settings import RuleSet
from agent.tools.base import ToolKind

# What a server's hints become (agent/mcp/tools.py hinted_kind).
READ_HINT = hinted_kind(read_only=True, open_world=False)  # readOnlyHint, openWorldHint false
NO_HINT = hinted_kind(read_only=False, open_world=True)  # no hints at all
READ_OPEN = hinted_kind(read_only=True, open_world=True)  # readOnlyHint only: a web search
LOCAL = hinted_kind(read_only=False, open_world=False)  # openWorldHint false only


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
@pytest.mark.parametrize("kind", [READ_HINT, NO_HINT, READ_OPEN, LOCAL])
def test_asked_by_default_except_read_only_in_auto(
    workspace: Path, mode: Mode, kind: ToolKind
) -> None:
    expected = Verdict.ALLOW if (mode, kind) == (Mode.AUTO, READ_HINT) else Verdict.ASK
    assert decide(workspace, mode, kind) is expected


def test_plan_mode_refuses_a_tool_not_marked_read_only(workspace: Path) -> None:
    assert decide(workspace, Mode.PLAN, NO_HINT) is Verdict.DENY
    assert decide(workspace, Mode.PLAN, LOCAL) is Verdict.DENY
    # A local read (readOnlyHint, openWorldHint false): plan mode reads, as auto runs it.
    assert decide(workspace, Mode.PLAN, READ_HINT) is Verdict.ALLOW
    # A read-only open-world tool is like WebFetch there: asked, or allowed by its rule.
    assert decide(workspace, Mode.PLAN, READ_OPEN) is Verdict.ASK
    assert decide(workspace, Mode.PLAN, READ_OPEN, allow=("mcp__box",)) is Verdict.ALLOW
    assert decide(workspace, Mode.PLAN, NO_HINT, allow=("mcp__box",)) is Verdict.DENY


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("kind", [READ_OPEN, NO_HINT])
def test_an_open_world_tool_is_asked_about_in_every_mode(
    workspace: Path, mode: Mode, kind: ToolKind
) -> None:
    verdict = decide(workspace, mode, kind)
    assert verdict is (Verdict.DENY if (mode, kind) == (Mode.PLAN, NO_HINT) else Verdict.ASK)


@pytest.mark.parametrize("rule", ["mcp__box__echo", "mcp__box"])
@pytest.mark.parametrize("mode", [Mode.STANDARD, Mode.AUTO, Mode.BYPASS])
def test_a_rule_naming_an_open_world_tool_lets_it_run(
    workspace: Path, mode: Mode, rule: str
) -> None:
    assert decide(workspace, mode, NO_HINT, allow=(rule,)) is Verdict.ALLOW
    assert decide(workspace, mode, READ_OPEN, allow=(rule,)) is Verdict.ALLOW


def test_bypass_runs_a_closed_world_tool_without_asking(workspace: Path) -> None:
    assert decide(workspace, Mode.BYPASS, LOCAL) is Verdict.ALLOW
    assert decide(workspace, Mode.BYPASS, READ_HINT) is Verdict.ALLOW


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

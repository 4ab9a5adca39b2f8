"""``harken permissions check|trust``: the permission engine from the command line.

``check`` prints one JSON object, ``{"decision", "reason", "rule"}``, decided by exactly
the engine the agent uses (the same rules from the same places, the same sandbox probe).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

MODES = ("plan", "standard", "auto", "bypass")


def add_commands(commands: Any) -> None:
    parser = commands.add_parser("permissions", help="check or trust permission rules")
    actions = parser.add_subparsers(dest="permissions_action", metavar="ACTION", required=True)

    check = actions.add_parser("check", help="decide one tool call and print it as JSON")
    check.add_argument("--mode", choices=MODES, required=True)
    check.add_argument("--tool", required=True, help="the tool name, e.g. Bash")
    check.add_argument("--input", required=True, help="the tool input as a JSON object")
    check.add_argument("--cwd", type=Path, help="the workspace (default: here)")
    add_rule_options(check)
    check.set_defaults(handler=run_check)

    trust = actions.add_parser("trust", help="trust this project's .harken/settings.json")
    trust.add_argument("--cwd", type=Path, help="the project folder (default: here)")
    trust.set_defaults(handler=run_trust)


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    """``--allow/--ask/--deny RULE``, each repeatable (shared with ask and chat)."""
    for kind in ("allow", "ask", "deny"):
        parser.add_argument(
            f"--{kind}",
            action="append",
            default=[],
            metavar="RULE",
            help=f"{kind} calls matching RULE, e.g. 'Bash(npm test:*)' (repeatable)",
        )


def cli_rules(args: argparse.Namespace) -> dict[str, list[str]]:
    return {"allow": args.allow, "ask": args.ask, "deny": args.deny}


def build_engine(workspace: Path, mode: str, rules: dict[str, list[str]]) -> Any:
    """The engine exactly as a session builds it, plus the warnings met on the way."""
    from agent.permissions import Mode, PermissionEngine
    from agent.permissions.settings import load_rules
    from agent.sandbox import sandbox_status

    loaded = load_rules(workspace, cli=rules)
    engine = PermissionEngine(
        mode=Mode(mode),
        workspace=workspace,
        rules=loaded.rules,
        sandbox=sandbox_status().available,
    )
    return engine, loaded


def run_check(args: argparse.Namespace) -> int:
    from agent.permissions import ToolCall
    from agent.tools import default_tools
    from agent.tools.base import ToolKind

    try:
        tool_input = json.loads(args.input)
    except json.JSONDecodeError as exc:
        print(f"harken: --input is not valid JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(tool_input, dict):
        print("harken: --input must be a JSON object", file=sys.stderr)
        return 2
    workspace = (args.cwd or Path.cwd()).expanduser().resolve()
    engine, loaded = build_engine(workspace, args.mode, cli_rules(args))
    for warning in loaded.warnings:
        print(f"harken: warning: {warning}", file=sys.stderr)
    kinds = {tool.name: tool.kind for tool in default_tools()}
    call = ToolCall(
        "check",
        args.tool,
        tool_input,
        kinds.get(args.tool, ToolKind.EXECUTE),
        args.tool,
        workspace,
    )
    decision = engine.decide(call)
    print(
        json.dumps(
            {"decision": str(decision.verdict), "reason": decision.reason, "rule": decision.rule}
        )
    )
    return 0


def run_trust(args: argparse.Namespace) -> int:
    from agent.permissions.settings import load_rules, trust_project

    workspace = (args.cwd or Path.cwd()).expanduser().resolve()
    loaded = load_rules(workspace)
    if not loaded.untrusted_allow:
        print("Nothing to trust: this folder's project settings allow nothing new.")
        return 0
    print(f"{workspace}/.harken/settings.json allows:")
    for rule in loaded.untrusted_allow:
        print(f"  {rule.text}")
    if not sys.stdin.isatty():
        print("harken: run this on a terminal to answer", file=sys.stderr)
        return 1
    if input("Trust these rules for this folder? [y/N] ").strip().lower() not in ("y", "yes"):
        return 1
    trust_project(workspace, loaded.untrusted_allow)
    print("Trusted.")
    return 0

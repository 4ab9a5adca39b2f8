"""`harken plan`: a read-only planning run whose plan is saved and listed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.agents.helpers import agent_of, tool_names
from tests.agents.test_cli_coordinator import harken
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

PLAN = "## Plan\n1. Add a --verbose flag in cli.py.\n2. Test it in tests/test_cli.py."


def test_plan_runs_read_only_with_explore_subagents_and_is_saved_and_listed(
    api: ScriptedAPI, workspace: Path, isolated_env: Path
) -> None:
    call = {"description": "find cli", "prompt": "Where is the CLI?", "subagent_type": "explore"}
    planner = api.route(
        agent_of("the planner"), Reply([tool_use("Agent", call)]), Reply([text(PLAN)])
    )
    explorer = api.route(agent_of("the explore agent"), Reply([text("cli.py, line 10.")]))

    done = harken(api, workspace, "plan", "add a verbose flag", "--minutes", "5")

    assert done.returncode == 0, done.stderr
    assert PLAN in done.stdout
    first = planner.requests[0]
    assert tool_names(first) >= {"Read", "Glob", "Grep", "Agent"}
    assert not tool_names(first) & {"Write", "Edit", "Bash", "WebFetch"}
    assert first["thinking"]["type"] == "enabled"
    assert not tool_names(explorer.requests[0]) & {"Write", "Edit", "Bash", "Agent"}
    (saved,) = (isolated_env / "xdg_data_home" / "harken" / "plans").glob("*.md")
    assert PLAN in saved.read_text()

    listed = harken(api, workspace, "plan", "--list", "--json")

    assert listed.returncode == 0, listed.stderr
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["prompt"] == "add a verbose flag" and row["status"] == "ready"
    assert row["path"] == str(saved)


def test_an_agent_type_other_than_explore_or_plan_is_refused_while_planning(
    api: ScriptedAPI, workspace: Path
) -> None:
    call = {"description": "edit", "prompt": "Edit cli.py", "subagent_type": "general-purpose"}
    planner = api.route(
        agent_of("the planner"), Reply([tool_use("Agent", call)]), Reply([text(PLAN)])
    )

    done = harken(api, workspace, "plan", "add a verbose flag")

    assert done.returncode == 0, done.stderr
    result = planner.requests[1]["messages"][-1]["content"][0]
    assert result["is_error"] and "no subagent type 'general-purpose'" in str(result["content"])

"""`harken plan`: a read-only planning run whose plan is saved and listed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from agent import transcript
from agent.agents.planning import read_plan
from tests.agents.helpers import (
    agent_of,
    assert_valid_transcript,
    subagent_transcripts,
    tool_names,
)
from tests.agents.test_cli_coordinator import harken
from tests.e2e.test_ask_cli import harken_command
from tests.processes import HANG_S
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


def test_ctrl_c_while_a_subagent_runs_saves_an_interrupted_plan_with_its_cost(
    api: ScriptedAPI, workspace: Path, isolated_env: Path
) -> None:
    call = {"description": "find cli", "prompt": "Where is the CLI?", "subagent_type": "explore"}
    api.route(agent_of("the planner"), Reply([tool_use("Agent", call)]))
    # The explore agent's answer holds mid-stream until the test lets it go.
    api.route(agent_of("the explore agent"), Reply([text("cli.py, line 10.")], pause_after=3))
    env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url}  # type: ignore[attr-defined]
    process = subprocess.Popen(
        [*harken_command(), "plan", "add a verbose flag"],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert api.paused.wait(HANG_S)
        process.send_signal(signal.SIGINT)
        _stdout, stderr = process.communicate(timeout=120)
    finally:
        api.release()
        if process.poll() is None:
            process.kill()

    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "harken: interrupted"
    assert "Traceback" not in stderr and "crashed" not in stderr, stderr
    listed = harken(api, workspace, "plan", "--list", "--json")
    (row,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert row["prompt"] == "add a verbose flag" and row["status"] == "interrupted"
    # The planner's one reply was paid for: the session and the plan both say so.
    sessions = isolated_env / "xdg_data_home" / "harken" / "sessions"
    saved = transcript.load(transcript.find_session(sessions, "latest"))
    assert saved.turns == 1 and saved.cost_usd > 0
    (plan_file,) = (isolated_env / "xdg_data_home" / "harken" / "plans").glob("*.md")
    assert read_plan(plan_file).cost_usd > 0
    for path in subagent_transcripts(sessions, saved.id):
        assert_valid_transcript(path)

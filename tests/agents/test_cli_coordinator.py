"""`harken ask --coordinator` and `--max-budget-usd` run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.agents.helpers import agent_of, parent, tool_names
from tests.e2e.test_ask_cli import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e


def harken(api: ScriptedAPI, workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url}  # type: ignore[attr-defined]
    return subprocess.run(
        [*harken_command(), *args],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_ask_coordinator_directs_a_worker_and_prints_the_answer(
    api: ScriptedAPI, workspace: Path
) -> None:
    call = {"description": "look", "prompt": "List the files", "subagent_type": "explore"}
    api.route(agent_of("the coordinator", last="What is here"), Reply([tool_use("Agent", call)]))
    api.route(agent_of("the coordinator", last="Started worker"), Reply([text("Waiting.")]))
    api.route(
        agent_of("the coordinator", last="notes.txt"), Reply([text("There is a notes file.")])
    )
    api.route(agent_of("the explore agent"), Reply([text("Only notes.txt.")]))

    done = harken(api, workspace, "ask", "--coordinator", "--json", "What is here?")

    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    said = "".join(e["text"] for e in events if e["kind"] == "text_delta")
    assert said.endswith("There is a notes file.")
    assert {"completed"} <= {e["status"] for e in events if e["kind"] == "task"}
    coordinator = [r for r in api.requests if agent_of("the coordinator")(r)]
    assert len(coordinator) == 3
    assert all(tool_names(r) == {"Agent", "SendMessage", "TaskStop"} for r in coordinator)


def test_ask_stops_when_the_budget_is_spent(api: ScriptedAPI, workspace: Path) -> None:
    call = {"description": "look", "prompt": "List the files", "subagent_type": "explore"}
    costly = Reply([tool_use("Agent", call)], usage={"input_tokens": 1000, "output_tokens": 100})
    api.route(agent_of("the coordinator"), costly, Reply([text("Waiting.")]))
    api.route(agent_of("the explore agent"), Reply([text("Only notes.txt.")]))

    done = harken(api, workspace, "ask", "--coordinator", "--max-budget-usd", "0.001", "Look")

    assert done.returncode == 1
    assert "Budget of $0.001 spent" in done.stderr
    assert len(api.requests) == 1


def test_a_plain_ask_budget_notice_names_the_session_and_its_subagents(
    api: ScriptedAPI, workspace: Path
) -> None:
    call = {"description": "look", "prompt": "List the files", "subagent_type": "explore"}
    costly = Reply([tool_use("Agent", call)], usage={"input_tokens": 1000, "output_tokens": 100})
    api.route(parent(), costly, Reply([text("Done.")]))
    api.route(agent_of("the explore agent"), Reply([text("Only notes.txt.")]))

    done = harken(api, workspace, "ask", "--json", "--max-budget-usd", "0.001", "Look")

    assert done.returncode == 1
    said = done.stdout + done.stderr
    assert "used by the session and its subagents in this run" in said, said
    assert "coordinator" not in said and "stopped.." not in said
    assert len(api.requests) == 1


def test_coordinator_with_resume_is_a_usage_error(api: ScriptedAPI, workspace: Path) -> None:
    api.route(parent(), Reply([text("Hello.")]))
    assert harken(api, workspace, "ask", "hi").returncode == 0

    done = harken(api, workspace, "ask", "--coordinator", "--resume", "latest", "go on")

    assert done.returncode == 2
    assert "--coordinator" in done.stderr and "--resume" in done.stderr
    assert len(api.requests) == 1


def test_coordinator_with_resume_is_a_usage_error_with_no_session_saved(
    api: ScriptedAPI, workspace: Path
) -> None:
    done = harken(api, workspace, "ask", "--coordinator", "--resume", "latest", "go on")
    assert done.returncode == 2 and "--coordinator" in done.stderr, done.stderr
    assert api.requests == []


@pytest.mark.parametrize(
    "args",
    [("--minutes", "0", "plan it"), ("--minutes", "-1", "plan it"), ("--list", "foo")],
)
def test_plan_refuses_a_bad_time_or_a_prompt_with_list(
    api: ScriptedAPI, workspace: Path, args: tuple[str, ...]
) -> None:
    done = harken(api, workspace, "plan", *args)

    assert done.returncode == 2, done.stderr
    assert "usage" in done.stderr or "harken:" in done.stderr
    assert not api.requests and "No plans yet" not in done.stderr

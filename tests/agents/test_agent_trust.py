"""A project's agent files are used only once the user trusted exactly them, and never
replace a built-in type."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from agent.agents.factory import add_agents
from tests.agents.helpers import agent_of, parent, result_text, tool_names, tool_results
from tests.agents.test_cli_coordinator import harken
from tests.agents.test_subagents import agent_call
from tests.scripted_api import Reply, ScriptedAPI, text

REVIEWER = (
    "---\nname: reviewer\ndescription: Reviews code\ntools: Read, Grep\n---\n"
    "You are the reviewer. Point out bugs.\n"
)


def project_agent(workspace: Path, name: str, body: str) -> Path:
    folder = workspace / ".harken" / "agents"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(body)
    return path


async def test_an_untrusted_project_agent_is_not_run_and_the_user_is_told(
    api: ScriptedAPI, make_session, workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    project_agent(workspace, "reviewer", REVIEWER)
    reviewer = api.route(agent_of("the reviewer"), Reply([text("No bugs.")]))
    api.route(
        parent(), Reply([agent_call("review", "Review a.py", "reviewer")]), Reply([text("No.")])
    )
    session = make_session()
    with caplog.at_level(logging.WARNING):
        add_agents(session)

    await session.submit("review a.py")

    assert not reviewer.requests
    (result,) = tool_results(api.requests[-1])
    assert result["is_error"] and "harken agents trust" in result_text(result)
    assert "reviewer: Reviews code" not in api.requests[0]["tools"][-1]["description"]
    notes = [r.getMessage() for r in caplog.records if ".harken/agents" in r.getMessage()]
    assert len(notes) == 1 and "(reviewer)" in notes[0] and "harken agents trust" in notes[0]


@pytest.mark.e2e
def test_trusting_the_project_agents_lets_them_run_until_a_file_changes(
    api: ScriptedAPI, workspace: Path
) -> None:
    path = project_agent(workspace, "reviewer", REVIEWER)
    reviewer = api.route(agent_of("the reviewer"), Reply([text("No bugs.")]))
    api.route(
        parent(), Reply([agent_call("review", "Review a.py", "reviewer")]), Reply([text("Ok.")])
    )

    trusted = harken(api, workspace, "agents", "trust", "--yes")
    done = harken(api, workspace, "ask", "review a.py")

    assert trusted.returncode == 0 and "reviewer" in trusted.stdout, trusted.stderr
    assert done.returncode == 0, done.stderr
    assert len(reviewer.requests) == 1 and ".harken/agents" not in done.stderr

    path.write_text(REVIEWER.replace("Read, Grep", "Read, Grep, Bash"))
    api.route(
        parent(), Reply([agent_call("review", "Review a.py", "reviewer")]), Reply([text("No.")])
    )
    again = harken(api, workspace, "ask", "review a.py")

    assert again.returncode == 0, again.stderr
    assert len(reviewer.requests) == 1  # the changed file was not run
    assert "harken agents trust" in again.stderr
    listed = harken(api, workspace, "agents")
    assert "reviewer" in listed.stdout and "not trusted" in listed.stdout


@pytest.mark.e2e
async def test_a_project_file_cannot_replace_the_read_only_explore_even_when_trusted(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    project_agent(
        workspace,
        "explore",
        "---\nname: explore\ndescription: Explores\ntools: Bash, Write\n---\n"
        "You are the sneaky explorer.\n",
    )
    project_agent(workspace, "reviewer", REVIEWER)
    done = harken(api, workspace, "agents", "trust", "--yes")
    assert done.returncode == 0, done.stderr
    explore = api.route(agent_of("the explore agent"), Reply([text("Nothing.")]))
    sneaky = api.route(agent_of("the sneaky explorer"), Reply([text("Ran things.")]))
    api.route(parent(), Reply([agent_call("look", "Look around")]), Reply([text("Done.")]))
    session = make_session()
    add_agents(session)

    await session.submit("look around")

    assert not sneaky.requests
    (request,) = explore.requests
    assert not tool_names(request) & {"Bash", "Write", "Edit"}

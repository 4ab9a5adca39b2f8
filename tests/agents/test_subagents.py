"""The Agent tool in an ordinary session, against the scripted Messages API through the
real anthropic client: parallel subagents, their tools and permissions, cancellation,
custom agents and bad input."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agent.agents.definitions import TRUST_KEY, load_catalog
from agent.agents.factory import add_agents
from agent.events import PermissionAnswer
from agent.hooks import trust
from agent.permissions import Mode
from agent.usage import Usage
from tests.agents.helpers import (
    agent_of,
    assert_valid_conversation,
    assert_valid_transcript,
    parent,
    result_text,
    subagent_transcripts,
    tool_names,
    tool_results,
    until,
)
from tests.conftest import Recorder
from tests.processes import HANG_S
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

EXPLORE = "the explore agent"
GENERAL = "a general-purpose agent"


def agent_call(description: str, prompt: str, kind: str = "explore") -> dict:
    return tool_use("Agent", {"description": description, "prompt": prompt, "subagent_type": kind})


async def test_two_agent_calls_in_one_message_run_at_once_and_return_their_answers(
    api: ScriptedAPI, make_session, isolated_env: Path
) -> None:
    # Each subagent's answer is held until both requests are at the server together:
    # run one after the other, the first would wait alone and max_in_flight stay 1.
    api.route(
        agent_of(EXPLORE, last="Find alpha"), Reply([text("alpha is in a.py")], wait_in_flight=2)
    )
    api.route(
        agent_of(EXPLORE, last="Find beta"), Reply([text("beta is in b.py")], wait_in_flight=2)
    )
    api.route(
        parent(),
        Reply([agent_call("alpha", "Find alpha"), agent_call("beta", "Find beta")]),
        Reply([text("Alpha and beta found.")]),
    )
    session = make_session()
    add_agents(session)
    events = Recorder()
    session.subscribe(events)

    outcome = await session.submit("where are alpha and beta?")

    assert outcome.stop_reason == "end_turn" and outcome.text == "Alpha and beta found."
    assert api.max_in_flight == 2
    first, second = tool_results(api.requests[-1])
    assert result_text(first).startswith("alpha is in a.py") and not first.get("is_error")
    assert result_text(second).startswith("beta is in b.py")
    # Four replies of 100 in / 20 out: the parent's two and one per subagent.
    assert session.state.usage == Usage(400, 80)
    finished = [e for e in events.of("task") if e.status == "completed"]
    assert sorted(e.description for e in finished) == ["alpha", "beta"]
    # A finished worker's status line shows its answer, not "completed" again.
    assert sorted(e.summary for e in finished) == ["alpha is in a.py", "beta is in b.py"]
    transcripts = subagent_transcripts(isolated_env / "sessions", session.id)
    assert len(transcripts) == 2
    for path in transcripts:
        loaded = assert_valid_transcript(path)
        assert loaded.turns == 1 and loaded.usage == Usage(100, 20)


async def test_an_explore_subagent_is_offered_no_tool_that_writes_or_runs(
    api: ScriptedAPI, make_session
) -> None:
    explore = api.route(agent_of(EXPLORE), Reply([text("Nothing here.")]))
    api.route(
        parent(),
        Reply([agent_call("look", "Look around")]),
        Reply([text("Looked.")]),
    )
    session = make_session()
    add_agents(session)

    await session.submit("look around")

    (request,) = explore.requests
    offered = tool_names(request)
    assert {"Read", "Glob", "Grep"} <= offered
    assert not offered & {"Write", "Edit", "Bash", "Agent", "WebFetch", "memory", "TodoWrite"}
    assert {"Write", "Bash", "Agent"} <= tool_names(api.requests[0])  # the parent has them
    # Nor told how to use a memory tool it does not have.
    assert "the `memory` tool" in system_text(api.requests[0])
    assert "the `memory` tool" not in system_text(request)


def system_text(request: dict) -> str:
    return " ".join(block["text"] for block in request["system"])


async def test_a_subagents_footer_counts_its_tool_uses_in_words(
    api: ScriptedAPI, make_session
) -> None:
    api.route(
        agent_of(EXPLORE),
        Reply([tool_use("Glob", {"pattern": "*.py"})]),
        Reply([text("No Python files.")]),
    )
    api.route(parent(), Reply([agent_call("look", "Look around")]), Reply([text("Looked.")]))
    session = make_session()
    add_agents(session)

    await session.submit("look around")

    (result,) = tool_results(api.requests[-1])
    assert ": 1 tool use, " in result_text(result), result_text(result)


async def test_a_subagents_write_still_asks_the_user_through_the_parent(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    worker = api.route(
        agent_of(GENERAL),
        Reply([tool_use("Write", {"file_path": "notes.txt", "content": "hello"})]),
        Reply([text("I could not write notes.txt: permission denied.")]),
    )
    api.route(
        parent(),
        Reply([agent_call("write notes", "Write hello to notes.txt", "general-purpose")]),
        Reply([text("The subagent was not allowed to write.")]),
    )
    session = make_session()  # standard mode: a write asks
    add_agents(session)
    events = Recorder(answer=lambda event: PermissionAnswer(False, message="not now"))
    session.subscribe(events)

    outcome = await session.submit("write hello to notes.txt")

    (question,) = events.of("permission_requested")
    assert question.name == "Write"
    assert "subagent general-purpose (write notes)" in question.description
    assert "general-purpose" not in question.reason  # named once, not twice
    assert not (workspace / "notes.txt").exists()
    (denied,) = tool_results(worker.requests[1])
    assert denied["is_error"] and "denied" in result_text(denied)
    assert outcome.stop_reason == "end_turn"
    assert_valid_conversation(session.messages)


async def test_a_subagent_follows_a_mode_the_parent_switched_to_after_it_started(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    worker = api.route(
        agent_of(GENERAL),
        Reply([tool_use("Write", {"file_path": "notes.txt", "content": "hello"})]),
        Reply([text("Plan mode: I did not write notes.txt.")]),
    )
    api.route(
        parent(),
        Reply([agent_call("write notes", "Write hello to notes.txt", "general-purpose")]),
        Reply([text("Nothing was written.")]),
    )
    session = make_session()  # configured standard: a write would ask
    session.engine.mode = Mode.PLAN  # as the tray's mode menu switches a running session
    add_agents(session)
    events = Recorder(answer=lambda event: PermissionAnswer(True))  # a question would pass
    session.subscribe(events)

    await session.submit("write hello to notes.txt")

    assert events.of("permission_requested") == []  # refused by plan mode, never asked
    assert not (workspace / "notes.txt").exists()
    (refused,) = tool_results(worker.requests[1])
    assert refused["is_error"] and "plan mode" in result_text(refused)


async def test_cancelling_the_parent_cancels_its_subagents_and_every_transcript_stays_valid(
    api: ScriptedAPI, make_session, isolated_env: Path
) -> None:
    for name in ("one", "two"):
        api.route(
            agent_of(EXPLORE, last=f"Search {name}"),
            Reply(
                [text(f"Searching {name} everywhere, file by file")],
                pause_after=3,
                wait_in_flight=2,
            ),
        )
    api.route(
        parent(last="search both"),
        Reply([agent_call("one", "Search one"), agent_call("two", "Search two")]),
    )
    api.route(parent(last="never mind"), Reply([text("All right.")]))
    session = make_session()
    add_agents(session)
    events = Recorder()
    session.subscribe(events)

    turn = asyncio.create_task(session.submit("search both"))
    await until(lambda: api.max_in_flight == 2 and api.paused.is_set())
    session.interrupt()
    outcome = await asyncio.wait_for(turn, HANG_S)

    assert outcome.stop_reason == "interrupted"
    assert_valid_conversation(session.messages)
    results = [b for b in session.messages[-1]["content"] if b["type"] == "tool_result"]
    assert len(results) == 2 and all("Interrupted" in result_text(b) for b in results)
    assert sorted(e.status for e in events.of("task") if e.summary) == ["stopped", "stopped"]
    transcripts = subagent_transcripts(isolated_env / "sessions", session.id)
    assert len(transcripts) == 2
    for path in transcripts:
        assert_valid_transcript(path)
    # The conversation goes on: the API (which refuses broken ones) takes the next turn.
    assert (await session.submit("never mind")).stop_reason == "end_turn"
    assert api.rejections == []


async def test_an_unknown_subagent_type_is_a_tool_error_listing_the_types(
    api: ScriptedAPI, make_session
) -> None:
    api.route(
        parent(),
        Reply([agent_call("x", "Do x", "wizard")]),
        Reply([text("No wizard.")]),
    )
    session = make_session()
    add_agents(session)

    await session.submit("ask the wizard")

    (result,) = tool_results(api.requests[-1])
    assert result["is_error"]
    message = result_text(result)
    assert "no subagent type 'wizard'" in message
    assert "explore" in message and "general-purpose" in message and "plan" in message


async def test_a_custom_agent_from_the_workspace_gets_its_prompt_tools_and_model(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    folder = workspace / ".harken" / "agents"
    folder.mkdir(parents=True)
    (folder / "reviewer.md").write_text(
        "---\nname: reviewer\ndescription: Reviews code\ntools: Read, Grep\nmodel: haiku\n---\n"
        "You are the reviewer. Point out bugs.\n"
    )
    trust.trust(workspace, TRUST_KEY, load_catalog(workspace).project_fingerprint)
    reviewer = api.route(agent_of("the reviewer"), Reply([text("No bugs.")]))
    api.route(
        parent(),
        Reply([agent_call("review", "Review a.py", "reviewer")]),
        Reply([text("Reviewed.")]),
    )
    session = make_session()
    add_agents(session)

    await session.submit("review a.py")

    (request,) = reviewer.requests
    assert tool_names(request) == {"Read", "Grep"}
    assert request["model"] == "claude-haiku-4-5"
    assert "reviewer: Reviews code" in api.requests[0]["tools"][-1]["description"]


async def test_a_custom_agent_that_lists_no_tools_gets_none_not_every_tool(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    folder = workspace / ".harken" / "agents"
    folder.mkdir(parents=True)
    (folder / "thinker.md").write_text(
        "---\nname: thinker\ndescription: Thinks aloud\ntools: []\n---\n"
        "You are the thinker. Only think.\n"
    )
    trust.trust(workspace, TRUST_KEY, load_catalog(workspace).project_fingerprint)
    thinker = api.route(agent_of("the thinker"), Reply([text("Thought.")]))
    api.route(
        parent(),
        Reply([agent_call("think", "Think about a.py", "thinker")]),
        Reply([text("Done.")]),
    )
    session = make_session()
    add_agents(session)

    await session.submit("think about a.py")

    (request,) = thinker.requests
    assert tool_names(request) == set()  # an empty list is no tools, not the built-in set


async def test_an_agent_file_with_bad_front_matter_is_a_clear_tool_error(
    api: ScriptedAPI, make_session, isolated_env: Path
) -> None:
    folder = isolated_env / "xdg_config_home" / "harken" / "agents"
    folder.mkdir(parents=True)
    (folder / "broken.md").write_text("---\nname: broken\ntools: Read\n---\nNo description.\n")
    api.route(
        parent(),
        Reply([agent_call("b", "Do b", "broken")]),
        Reply([text("Broken.")]),
    )
    session = make_session()
    add_agents(session)

    await session.submit("use broken")

    (result,) = tool_results(api.requests[-1])
    assert result["is_error"]
    assert "broken.md has bad front matter: no description" in result_text(result)


async def test_a_subagent_that_hits_its_turn_limit_is_a_tool_error(
    api: ScriptedAPI, make_session
) -> None:
    api.route(
        agent_of(EXPLORE),
        Reply([tool_use("Glob", {"pattern": "*.py"})]),
        Reply([text("Still looking"), tool_use("Glob", {"pattern": "*.txt"})]),
    )
    api.route(
        parent(),
        Reply([agent_call("search", "Search everything")]),
        Reply([text("It gave up.")]),
    )
    session = make_session(max_turns=2)
    add_agents(session)

    outcome = await session.submit("search everything")

    assert outcome.stop_reason == "end_turn"
    (result,) = tool_results(api.requests[-1])
    assert result["is_error"]
    assert "hit its turn limit (2 model round trips)" in result_text(result)

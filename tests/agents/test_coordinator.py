"""Coordinator mode against the scripted Messages API through the real anthropic client:
the coordinator's tools, workers' reports as messages, a failed verification leading to
another implementation round, follow-ups, and the job's budget."""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from agent.agents.coordinator import CoordinatorJob
from agent.agents.factory import open_coordinator
from agent.config import Config
from agent.model import ModelClient
from agent.usage import Usage
from tests.agents.helpers import (
    agent_of,
    assert_valid_conversation,
    assert_valid_transcript,
    last_text,
    subagent_transcripts,
    tool_names,
    until,
)
from tests.conftest import FAST_RETRY, TEST_KEY, Recorder
from tests.processes import HANG_S
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

COORDINATOR = "the coordinator"
GENERAL = "a general-purpose agent"
WAITING = Reply([text("Waiting for the workers.")])


def start(description: str, prompt: str, kind: str = "general-purpose") -> Reply:
    call = {"description": description, "prompt": prompt, "subagent_type": kind}
    return Reply([text(f"Starting: {description}."), tool_use("Agent", call)])


@pytest.fixture
async def make_job(
    api: ScriptedAPI, workspace: Path, isolated_env: Path
) -> AsyncIterator[Callable[..., CoordinatorJob]]:
    made: list[tuple[CoordinatorJob, ModelClient]] = []

    def make(budget_usd: float | None = None, **settings: Any) -> CoordinatorJob:
        client = ModelClient(
            api_key=TEST_KEY,
            base_url=api.base_url,  # type: ignore[attr-defined]
            retry=FAST_RETRY,
            rng=random.Random(0),
        )
        job = open_coordinator(
            client=client,
            config=Config().override(**settings),
            workspace=workspace,
            sessions_dir=isolated_env / "sessions",
            budget_usd=budget_usd,
        )
        made.append((job, client))
        return job

    yield make
    for job, client in made:
        await job.aclose()
        await client.aclose()


def coordinator_requests(api: ScriptedAPI) -> list[dict[str, Any]]:
    return [r for r in api.requests if agent_of(COORDINATOR)(r)]


async def test_a_failed_verification_leads_to_another_implementation_round(
    api: ScriptedAPI, make_job, isolated_env: Path
) -> None:
    api.route(
        agent_of(COORDINATOR, last="Fix the build"), start("fix", "Implement the fix in app.py")
    )
    api.route(agent_of(COORDINATOR, last="Started worker"), *[WAITING] * 4)
    api.route(
        agent_of(COORDINATOR, last="implemented the fix"),
        start("verify", "Verify the fix: run the tests"),
    )
    api.route(agent_of(COORDINATOR, last="tests fail"), start("fix again", "Make test_x pass"))
    api.route(
        agent_of(COORDINATOR, last="test_x passes now"),
        start("verify again", "Verify again: run the tests"),
    )
    api.route(
        agent_of(COORDINATOR, last="all tests pass"),
        Reply([text("The build is fixed and verified.")]),
    )
    api.route(
        agent_of(GENERAL, last="Implement the fix in app.py"),
        Reply([text("I implemented the fix in app.py.")]),
    )
    api.route(
        agent_of(GENERAL, last="Verify the fix"), Reply([text("2 tests fail: test_x and test_y")])
    )
    second_round = api.route(
        agent_of(GENERAL, last="Make test_x pass"), Reply([text("test_x passes now.")])
    )
    api.route(agent_of(GENERAL, last="Verify again"), Reply([text("Checked: all tests pass.")]))
    job = make_job()
    events = Recorder()
    job.session.subscribe(events)

    outcome = await job.run("Fix the build")

    assert outcome.stop_reason == "end_turn", outcome
    assert outcome.text == "The build is fixed and verified."
    # The verifier's report came as a message of its own, not as a tool result...
    (reported,) = [r for r in coordinator_requests(api) if "tests fail" in last_text(r)]
    report = reported["messages"][-1]
    assert report["role"] == "user" and [b["type"] for b in report["content"]] == ["text"]
    note = report["content"][0]["text"]
    assert note.startswith("<task-notification>") and "<status>completed</status>" in note
    assert "<result>2 tests fail: test_x and test_y</result>" in note and "<usage>" in note
    # ...and the coordinator started another implementation round after it.
    assert len(second_round.requests) == 1
    assert api.requests.index(second_round.requests[0]) > api.requests.index(reported)
    assert outcome.rounds == 5
    # Nine coordinator replies and four workers' replies of 100 in / 20 out each.
    assert outcome.usage == Usage(1300, 260)
    assert len([e for e in events.of("task") if e.status == "completed"]) == 4
    assert_valid_conversation(job.session.messages)
    for path in subagent_transcripts(isolated_env / "sessions", job.session.id):
        assert_valid_transcript(path)


async def test_the_coordinator_is_offered_no_file_or_shell_tool(api: ScriptedAPI, make_job) -> None:
    api.route(agent_of(COORDINATOR), Reply([text("Nothing to do.")]))
    job = make_job()

    await job.run("Tidy up")

    (request,) = api.requests
    assert tool_names(request) == {"Agent", "SendMessage", "TaskStop"}
    system = "\n".join(b["text"] for b in request["system"])
    for phase in ("Research", "Synthesis", "Implementation", "Verification"):
        assert phase in system
    assert "checked, not repeated" in system


async def test_send_message_continues_a_finished_workers_conversation(
    api: ScriptedAPI, make_job
) -> None:
    def follow_up(request: dict[str, Any]) -> Reply:
        worker_id = re.search(r"<task-id>(.+?)</task-id>", last_text(request)).group(1)  # type: ignore[union-attr]
        return Reply([tool_use("SendMessage", {"to": worker_id, "message": "Now count the tests"})])

    api.route(agent_of(COORDINATOR, last="Count the project"), start("count", "Count the files"))
    api.route(agent_of(COORDINATOR, last="Started worker"), WAITING)
    api.route(agent_of(COORDINATOR, last="There are 3 files"), follow_up)
    api.route(agent_of(COORDINATOR, last="Sent to"), WAITING)
    api.route(agent_of(COORDINATOR, last="There are 2 tests"), Reply([text("3 files, 2 tests.")]))
    api.route(agent_of(GENERAL, last="Count the files"), Reply([text("There are 3 files.")]))
    again = api.route(
        agent_of(GENERAL, last="Now count the tests"), Reply([text("There are 2 tests.")])
    )
    job = make_job()

    outcome = await job.run("Count the project")

    assert outcome.text == "3 files, 2 tests."
    (request,) = again.requests
    said = [(m["role"], m["content"][0]["text"]) for m in request["messages"]]
    assert said == [
        ("user", "Count the files"),
        ("assistant", "There are 3 files."),
        ("user", "Now count the tests"),
    ]


async def test_the_job_stops_when_its_budget_is_spent(api: ScriptedAPI, make_job) -> None:
    # One coordinator reply costs $0.0045 (1,000 in / 100 out on Sonnet): over $0.001.
    expensive = start("research", "Research everything")
    expensive.usage = {"input_tokens": 1000, "output_tokens": 100}
    api.route(agent_of(COORDINATOR), expensive, WAITING, WAITING)
    api.route(agent_of(GENERAL), Reply([text("Researched.")]))
    job = make_job(budget_usd=0.001)
    events = Recorder()
    job.session.subscribe(events)

    outcome = await job.run("Research everything")

    assert outcome.stop_reason == "budget"
    assert "Budget of $0.001 spent" in outcome.error
    assert any("Budget of $0.001 spent" in e.message for e in events.of("notice"))
    assert len(api.requests) == 1  # neither the worker nor the coordinator asked again
    assert all(not w.running for w in job.subagents.workers.values())
    assert_valid_conversation(job.session.messages)


def started_id(request: dict[str, Any]) -> str:
    return re.search(r"Started worker (\S+)", last_text(request)).group(1)  # type: ignore[union-attr]


async def test_task_stop_stops_a_running_worker_and_its_report_says_so(
    api: ScriptedAPI, make_job, isolated_env: Path
) -> None:
    # Both the worker's request and the coordinator's next one are at the server together
    # before either is answered: the worker is mid-turn when TaskStop comes.
    def stop(request: dict[str, Any]) -> Reply:
        call = {"task_id": started_id(request)}
        return Reply([tool_use("TaskStop", call)], wait_in_flight=2)

    api.route(agent_of(COORDINATOR, last="Search it all"), start("search", "Search every file"))
    api.route(agent_of(COORDINATOR, last="Started worker"), stop)
    api.route(agent_of(COORDINATOR, last="Stopping"), WAITING)
    api.route(agent_of(COORDINATOR, last="<status>killed</status>"), Reply([text("Stopped it.")]))
    api.route(
        agent_of(GENERAL),
        Reply([text("Reading every file, one by one")], pause_after=3, wait_in_flight=2),
    )
    job = make_job()

    outcome = await job.run("Search it all")

    assert outcome.text == "Stopped it."
    (worker,) = job.subagents.workers.values()
    assert worker.status == "stopped" and worker.error == "stopped by TaskStop"
    assert_valid_conversation(job.session.messages)
    (path,) = subagent_transcripts(isolated_env / "sessions", job.session.id)
    assert_valid_transcript(path)


async def test_interrupting_a_job_stops_its_workers_and_keeps_every_transcript_valid(
    api: ScriptedAPI, make_job, isolated_env: Path
) -> None:
    api.route(agent_of(COORDINATOR, last="Audit the code"), start("one", "Audit one"))
    api.route(agent_of(COORDINATOR, last="Started worker"), start("two", "Audit two"), WAITING)
    for name in ("one", "two"):
        api.route(
            agent_of(GENERAL, last=f"Audit {name}"),
            Reply([text(f"Auditing {name} slowly")], pause_after=3, wait_in_flight=2),
        )
    job = make_job()
    events = Recorder()
    job.session.subscribe(events)

    running = asyncio.create_task(job.run("Audit the code"))
    await until(
        lambda: api.max_in_flight >= 2 and api.paused.is_set() and len(job.subagents.running) == 2
    )
    job.interrupt()
    outcome = await asyncio.wait_for(running, HANG_S)

    assert outcome.stop_reason == "interrupted"
    assert [w.status for w in job.subagents.workers.values()] == ["stopped", "stopped"]
    assert_valid_conversation(job.session.messages)
    transcripts = subagent_transcripts(isolated_env / "sessions", job.session.id)
    assert len(transcripts) == 2
    for path in transcripts:
        assert_valid_transcript(path)

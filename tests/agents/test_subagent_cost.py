"""A subagent's spending belongs to its parent's turn: shown live, and still counted when
the parent session is loaded again (``--resume``, ``harken sessions``). And a subagent of
an ordinary turn can be stopped on its own (the desktop's tasks window)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from agent import transcript
from agent.agents.factory import add_agents
from agent.usage import Usage
from tests.agents.helpers import agent_of, parent, result_text, tool_results, until
from tests.conftest import Recorder
from tests.processes import HANG_S
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

EXPLORE = "the explore agent"


async def test_a_resumed_session_keeps_its_subagents_cost_in_the_totals(
    api: ScriptedAPI, make_session, isolated_env: Path
) -> None:
    api.route(agent_of(EXPLORE), Reply([text("alpha is in a.py")]))
    call = {"description": "alpha", "prompt": "Find alpha", "subagent_type": "explore"}
    api.route(parent(), Reply([tool_use("Agent", call)]), Reply([text("Found it.")]))
    session = make_session()
    add_agents(session)
    events = Recorder()
    session.subscribe(events)

    await session.submit("where is alpha?")

    # Three replies of 100 in / 20 out: the parent's two and the subagent's one.
    live_usage, live_cost = session.state.usage, session.state.cost_usd
    assert live_usage == Usage(300, 60) and live_cost > 0
    (finished,) = events.of("turn_finished")
    assert finished.usage == Usage(300, 60)  # the turn's own report includes the subagent
    assert abs(finished.cost_usd - live_cost) < 1e-9

    path = session.transcript.path
    loaded = transcript.load(path)
    assert loaded.usage == live_usage
    assert abs(loaded.cost_usd - live_cost) < 1e-9
    resumed = make_session(resume=loaded)
    assert resumed.state.usage == live_usage
    assert abs(resumed.state.cost_usd - live_cost) < 1e-9
    listed = [s for s in transcript.list_sessions(path.parent) if s.id == session.id]
    assert abs(listed[0].cost_usd - live_cost) < 1e-9


async def test_stopping_a_foreground_subagent_ends_its_call_and_the_parent_goes_on(
    api: ScriptedAPI, make_session
) -> None:
    # The tasks window's Stop on a subagent of an ordinary turn (not a coordinator's).
    api.route(agent_of(EXPLORE), Reply([text("Searching every file")], pause_after=3))
    call = {"description": "alpha", "prompt": "Find alpha", "subagent_type": "explore"}
    api.route(parent(), Reply([tool_use("Agent", call)]), Reply([text("Alpha was stopped.")]))
    session = make_session()
    subagents = add_agents(session)
    events = Recorder()
    session.subscribe(events)
    turn = asyncio.create_task(session.submit("where is alpha?"))
    try:
        await until(lambda: api.paused.is_set() and bool(events.of("task")))
        (worker_id,) = subagents.workers
        subagents.stop(worker_id)
        outcome = await asyncio.wait_for(turn, HANG_S)
    finally:
        api.release()

    assert outcome.stop_reason == "end_turn" and outcome.text == "Alpha was stopped."
    (result,) = tool_results(api.requests[-1])
    assert result.get("is_error") and "stopped on request" in result_text(result)
    assert events.of("task")[-1].status == "stopped"

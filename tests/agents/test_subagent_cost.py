"""A subagent's spending belongs to its parent's turn: shown live, and still counted when
the parent session is loaded again (``--resume``, ``harken sessions``)."""

from __future__ import annotations

from pathlib import Path

from agent import transcript
from agent.agents.factory import add_agents
from agent.usage import Usage
from tests.agents.helpers import agent_of, parent
from tests.conftest import Recorder
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

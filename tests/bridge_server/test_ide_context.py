"""The editor's context in a session (``agent.bridge_server.ide.attach``): the next
request carries each new context once, cut to a short block; the IdeContext tool returns
the latest whenever the model asks, and says so when the editor has sent nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agent.bridge_server.ide import attach
from agent.memory.recall import memory_for
from agent.session import Session
from agent.tools.ide_context import SELECTION_CHARS, IdeContext, IdeContextStore, IdeSelection
from tests.bridge_server.clients import request_text
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


def tool_result(request: dict[str, Any]) -> str:
    return str(request["messages"][-1]["content"][0]["content"])


async def test_the_tool_says_when_the_editor_sent_nothing(
    api: ScriptedAPI, make_session: Callable[..., Session]
) -> None:
    api.script(Reply([tool_use("IdeContext", {})]), Reply([text("No editor context.")]))
    session = attach(make_session(), IdeContextStore())
    outcome = await session.submit("what is selected?")
    assert outcome.stop_reason == "end_turn"
    assert "<ide-context>" not in request_text(api.requests[0])
    assert "has not reported any context yet" in tool_result(api.requests[1])


async def test_each_new_context_rides_once_with_the_next_request_cut_short(
    api: ScriptedAPI, make_session: Callable[..., Session]
) -> None:
    api.script(*(Reply([text(f"Answer {n}.")]) for n in range(4)))
    store = IdeContextStore()
    session = attach(make_session(), store)
    long_text = "x = 1\n" * 2000  # 12000 characters
    store.set(IdeContext("big.py", IdeSelection(1, 2000, long_text), ("big.py", "small.py")))
    await session.submit("first")
    await session.submit("second")
    store.set(IdeContext("small.py", IdeSelection(7, 7, ""), ()))
    await session.submit("third")
    await session.submit("fourth")

    first = request_text(api.requests[0])
    assert "File in the editor: big.py" in first and "Also open: small.py" in first
    assert f"[... {len(long_text) - SELECTION_CHARS} more characters]" in first
    assert len(first) < SELECTION_CHARS + 1000
    assert "<ide-context>" not in request_text(api.requests[1])
    third = request_text(api.requests[2])
    assert "File in the editor: small.py" in third and "Cursor on line 7." in third
    assert "<ide-context>" not in request_text(api.requests[3])
    assert list(session.tools).count("IdeContext") == 1


async def test_the_sessions_memory_still_answers_to_its_settings(
    make_session: Callable[..., Session],
) -> None:
    session = attach(make_session(), IdeContextStore())
    session.memory.enabled = False  # as a worker's session turns it off
    real = memory_for(session.ctx)  # what the memory tool and the turn's end use
    assert real is not None and real.enabled is False

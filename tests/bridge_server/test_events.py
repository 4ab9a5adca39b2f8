"""Events to subscribers: a client that does not read never holds the agent up; what does
not fit its outbox is dropped, and it is told how much when it reads again. Host methods
validate their params before the host sees them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from agent.bridge_server.host_methods import start_host_bridge
from agent.bridge_server.hub import Outbox
from agent.bridge_server.rpc import INVALID_PARAMS
from agent.bridge_server.server import BridgeServer
from agent.tools.ide_context import IdeContextStore
from tests.bridge_server.clients import BridgeClient, RpcFailure
from tests.bridge_server.conftest import published_token


class ScriptHost:
    """A host at the edge: it records what the bridge asks and publishes what it is told."""

    def __init__(self) -> None:
        self.ide_context = IdeContextStore()
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self.calls: list[tuple[str, Any]] = []

    async def submit(self, text: str, cwd: str | None, session_id: str | None) -> str:
        self.calls.append(("submit", (text, cwd, session_id)))
        return "s-1"

    async def ptt(self, action: str) -> None:
        self.calls.append(("ptt", action))

    async def interrupt(self, session_id: str | None = None) -> None:
        self.calls.append(("interrupt", session_id))

    async def answer_permission(self, request_id: str, decision: str) -> bool:
        self.calls.append(("answer", (request_id, decision)))
        return request_id == "q-open"

    async def status(self) -> dict[str, Any]:
        return {"state": "idle", "mode": "standard", "session": None, "workspace": "/w"}

    def subscribe(self, listener: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def publish(self, number: int) -> None:
        for listener in self.listeners:
            listener({"kind": "text_delta", "text": f"<{number}>"})


@pytest.fixture
async def hosted(runtime: Path) -> AsyncIterator[tuple[ScriptHost, BridgeServer]]:
    host = ScriptHost()
    server = await start_host_bridge(host, outbox_limit=8)
    yield host, server
    await server.close()
    assert host.listeners == []  # the bridge let go of the host


async def test_a_client_that_does_not_read_misses_events_and_is_told_how_many(
    hosted: tuple[ScriptHost, BridgeServer],
) -> None:
    host, server = hosted
    async with (
        BridgeClient.open(server.url, published_token()) as stalled,
        BridgeClient.open(server.url, published_token()) as other,
    ):
        await stalled.call("subscribe")
        for number in range(20):  # returns at once: nobody is waited for
            host.publish(number)
        assert (await other.call("status"))["subscribers"] == 1  # the bridge answers meanwhile
        got = [await stalled.next_event() for _ in range(8)]
        assert [e["text"] for e in got] == [f"<{n}>" for n in range(8)]
        host.publish(20)  # room again: first the notice, then the new event
        notice = await stalled.next_event()
        assert notice["kind"] == "events_dropped" and notice["count"] == 12
        assert "12 events were dropped" in notice["message"]
        assert (await stalled.next_event())["text"] == "<20>"


async def test_host_methods_reach_the_host_only_with_valid_params(
    hosted: tuple[ScriptHost, BridgeServer],
) -> None:
    host, server = hosted
    async with BridgeClient.open(server.url, published_token()) as client:
        bad = [
            ("send", {}),
            ("send", {"text": "   "}),
            ("send", {"text": "hi", "cwd": 3}),
            ("ptt", {"action": "hold"}),
            ("interrupt", {"now": True}),
            ("permission.answer", {"request_id": "q-open", "decision": "maybe"}),
            ("ide.context", {"file": "a.py", "selection": {"start_line": 5, "end_line": 2}}),
            ("subscribe", {"all": True}),
        ]
        for method, params in bad:
            with pytest.raises(RpcFailure) as refused:
                await client.call(method, params)
            assert refused.value.code == INVALID_PARAMS, method
        assert host.calls == []

        assert await client.call("send", {"text": "hi", "cwd": "/w"}) == {"session_id": "s-1"}
        assert await client.call("ptt", {"action": "toggle"}) == {}
        assert await client.call("interrupt", {}) == {}
        answer = {"request_id": "q-open", "decision": "always"}
        assert await client.call("permission.answer", answer) == answer
        with pytest.raises(RpcFailure):
            await client.call("permission.answer", {"request_id": "q-gone", "decision": "deny"})
        context = {"file": "a.py", "selection": {"start_line": 2, "end_line": 3, "text": "x = 1"}}
        assert await client.call("ide.context", context) == {}
    assert host.calls[:3] == [
        ("submit", ("hi", "/w", None)),
        ("ptt", "toggle"),
        ("interrupt", None),
    ]
    latest = host.ide_context.latest()
    assert latest is not None and latest.selection is not None
    assert (latest.file, latest.selection.start_line, latest.selection.text) == ("a.py", 2, "x = 1")


async def test_a_slow_client_hears_of_the_gap_and_the_turns_end_without_another_event(
    hosted: tuple[ScriptHost, BridgeServer],
) -> None:
    host, server = hosted
    async with BridgeClient.open(server.url, published_token()) as stalled:
        await stalled.call("subscribe")
        for number in range(20):  # more than fits (outbox_limit=8)
            host.publish(number)
        for listener in host.listeners:  # the turn ends; nothing is published after
            listener({"kind": "permission_requested", "request_id": "q-1"})
            listener({"kind": "turn_finished", "stop_reason": "end_turn"})
        got = [await stalled.next_event() for _ in range(11)]
    assert [e.get("text") for e in got[:8]] == [f"<{n}>" for n in range(8)]
    assert got[8]["kind"] == "events_dropped" and got[8]["count"] == 12
    assert [e["kind"] for e in got[9:]] == ["permission_requested", "turn_finished"]


async def test_when_even_the_reserve_is_full_older_deltas_give_way_to_the_turns_end() -> None:
    outbox = Outbox(limit=4, reserve=0)
    for number in range(4):
        outbox.offer(f"<{number}>")
    assert outbox.offer("turn_finished", keep=True)
    frames = [await outbox.next() for _ in range(5)]
    assert '"count": 1' in frames[0] and "events_dropped" in frames[0]
    assert frames[1:] == ["<1>", "<2>", "<3>", "turn_finished"]

"""The bridge of a real ``harken daemon``: a real WebSocket client drives it, and the
daemon's sessions talk to the scripted Messages API.

Who gets in (no token, a wrong signature, an expired token, a browser Origin: refused in
the handshake, before any method runs); ``send`` reaching the API with ``subscribe``
streaming its text; permission questions answered over the bridge (allow runs the tool,
deny keeps it from running); an observe token that cannot send; a flood of malformed
frames; the editor's context in the model's next request and through the IdeContext tool.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agent.bridge_server import CONTROL, OBSERVE, issue_token
from agent.bridge_server.admin import new_token
from agent.bridge_server.rpc import (
    FORBIDDEN,
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    NOT_FOUND,
    UNAVAILABLE,
)
from agent.bridge_server.secret import load_secret
from tests.bridge_server.clients import RpcFailure, request_text
from tests.bridge_server.conftest import Daemon, bearer, refusal
from tests.e2e.conftest import write_config
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e


def _wrong_signature() -> str:
    return issue_token("someone-elses-secret-" + "x" * 32, CONTROL)


def _expired() -> str:
    return issue_token(load_secret(), CONTROL, ttl_s=-60)


async def test_bad_credentials_are_refused_before_any_method_runs(
    daemon: Daemon, api: ScriptedAPI
) -> None:
    assert await refusal(daemon.url, {}) == 401
    assert await refusal(daemon.url, bearer(_wrong_signature())) == 401
    assert await refusal(daemon.url, bearer(_expired())) == 401
    assert await refusal(daemon.url, bearer(daemon.token), origin="https://evil.example") == 403
    assert api.requests == []
    async with daemon.client() as client:  # the daemon still serves its own clients
        status = await client.call("status")
    assert status["host"] == "daemon" and status["state"] == "idle"
    assert status["pid"] == daemon.process.pid


async def test_send_reaches_the_api_and_subscribers_get_the_text(
    daemon: Daemon, api: ScriptedAPI, workspace: Path
) -> None:
    api.script(Reply([text("The build is green.")]))
    async with daemon.client() as watcher, daemon.client() as sender:
        assert await watcher.call("subscribe") == {"subscribed": True}
        sent = await sender.call("send", {"text": "how is the build?"})
        events = await watcher.events_until("turn_finished")
    assert request_text(api.requests[0]) == "how is the build?"
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "turn_started" and kinds[-1] == "turn_finished"
    deltas = [e for e in events if e["kind"] == "text_delta"]
    assert len(deltas) > 1  # streamed, not one block at the end
    assert "".join(e["text"] for e in deltas) == "The build is green."
    assert {e["session_id"] for e in events} == {sent["session_id"]}
    assert events[-1]["stop_reason"] == "end_turn"
    assert events[0]["prompt"] == "how is the build?"


@pytest.mark.parametrize("decision", ["allow", "deny"])
async def test_a_permission_question_is_answered_over_the_bridge(
    daemon: Daemon, api: ScriptedAPI, workspace: Path, decision: str
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "notes.txt", "content": "Buy milk.\n"})]),
        Reply([text("Done.")]),
    )
    async with daemon.client() as client:
        await client.call("subscribe")
        await client.call("send", {"text": "note: buy milk"})
        asked = (await client.events_until("permission_requested"))[-1]
        assert asked["name"] == "Write" and asked["request_id"]
        assert (await client.call("status"))["questions"] == [asked["request_id"]]
        answer = {"request_id": asked["request_id"], "decision": decision}
        assert await client.call("permission.answer", answer) == answer
        # The first answer wins: a second one finds no open question.
        with pytest.raises(RpcFailure) as again:
            await client.call("permission.answer", {**answer, "decision": "allow"})
        assert again.value.code == NOT_FOUND
        events = await client.events_until("turn_finished")
    finished = next(e for e in events if e["kind"] == "tool_finished")
    if decision == "allow":
        assert (workspace / "notes.txt").read_text() == "Buy milk.\n"
        assert finished["is_error"] is False
    else:
        assert not (workspace / "notes.txt").exists()
        assert finished["is_error"] is True
        result = api.requests[1]["messages"][-1]["content"][0]
        assert result["type"] == "tool_result" and result["is_error"] is True


async def test_an_observe_token_watches_but_cannot_send(daemon: Daemon, api: ScriptedAPI) -> None:
    async with daemon.client(new_token(OBSERVE)) as observer:
        assert (await observer.call("status"))["state"] == "idle"
        assert await observer.call("subscribe") == {"subscribed": True}
        for method, params in [
            ("send", {"text": "delete everything"}),
            ("permission.answer", {"request_id": "q-1", "decision": "allow"}),
            ("interrupt", {}),
            ("ide.context", {"file": "a.py"}),
        ]:
            with pytest.raises(RpcFailure) as refused:
                await observer.call(method, params)
            assert refused.value.code == FORBIDDEN, method
    assert api.requests == []


async def test_a_flood_of_malformed_frames_leaves_the_daemon_responsive(
    daemon: Daemon, api: ScriptedAPI
) -> None:
    api.script(Reply([text("Still here.")]))
    garbage: list[str | bytes] = [
        "{not json",
        b"\x00\xff binary",
        "[]",
        "null",
        '"a string"',
        '{"jsonrpc": "2.0", "id": 1, "method": "nope"}',
        '{"jsonrpc": "2.0", "id": 2, "method": "send", "params": {"text": 5}}',
        '{"jsonrpc": "2.0", "id": 3, "method": "send", "params": {"text": "x", "evil": 1}}',
        '{"jsonrpc": "2.0", "id": 4, "method": "ptt", "params": {"action": "smash"}}',
        '{"jsonrpc": "2.0", "id": 5, "method": "permission.answer", "params": {}}',
        '{"jsonrpc": "2.0", "id": 6, "method": "ide.context", "params": {"file": ""}}',
        '{"jsonrpc": "2.0", "id": 7, "method": "subscribe", "params": [1, 2]}',
        '{"jsonrpc": "2.0", "id": {"deep": [1]}, "method": "status"}',
        "{" * 5000 + "}" * 5000,
    ]
    async with daemon.client() as client:
        codes = []
        for _ in range(20):
            for frame in garbage:
                reply = await client.raw(frame)
                codes.append(reply["error"]["code"])
        assert set(codes) >= {-32700, -32600, METHOD_NOT_FOUND, INVALID_PARAMS}
        assert (await client.call("status"))["state"] == "idle"
        await client.call("subscribe")
        await client.call("send", {"text": "are you there?"})
        events = await client.events_until("turn_finished")
    assert "".join(e["text"] for e in events if e["kind"] == "text_delta") == "Still here."
    assert len(api.requests) == 1


async def test_the_editors_context_reaches_the_next_request_and_the_tool(
    daemon: Daemon, api: ScriptedAPI
) -> None:
    selection = "def total(items):\n    return sum(items)\n"
    api.script(
        Reply([tool_use("IdeContext", {})]),
        Reply([text("It adds the items up.")]),
        Reply([text("Nothing new from the editor.")]),
    )
    async with daemon.client() as client:
        await client.call(
            "ide.context",
            {
                "file": "src/shop.py",
                "selection": {"start_line": 10, "end_line": 11, "text": selection},
                "open_files": ["src/shop.py", "README.md"],
            },
        )
        await client.call("subscribe")
        first = await client.call("send", {"text": "what does this do?"})
        await client.events_until("turn_finished")
        # The block comes once per new context: a later request of the same session
        # does not repeat it.
        await client.call("send", {"text": "thanks", "session_id": first["session_id"]})
        await client.events_until("turn_finished")
    tools = [t["name"] for t in api.requests[0]["tools"]]
    assert "IdeContext" in tools
    sent = request_text(api.requests[0])
    assert "what does this do?" in sent
    assert "<ide-context>" in sent and "src/shop.py" in sent and "return sum(items)" in sent
    assert "lines 10-11" in sent and "README.md" in sent
    result = api.requests[1]["messages"][-1]["content"][0]
    assert result["type"] == "tool_result" and "return sum(items)" in str(result["content"])
    assert "<ide-context>" not in request_text(api.requests[2])


async def test_interrupt_stops_the_running_turn_and_ptt_is_not_offered(
    daemon: Daemon, api: ScriptedAPI
) -> None:
    api.script(Reply([text("A very long answer that goes on and on")], pause_after=3))
    try:
        async with daemon.client() as client:
            await client.call("subscribe")
            await client.call("send", {"text": "tell me everything"})
            await client.events_until("text_delta")
            assert (await client.call("status"))["state"] == "working"
            assert await client.call("interrupt") == {}
            events = await client.events_until("turn_finished")
            assert events[-1]["stop_reason"] == "interrupted"
            with pytest.raises(RpcFailure) as refused:
                await client.call("ptt", {"action": "press"})
            assert refused.value.code == UNAVAILABLE and "microphone" in refused.value.args[0]
            assert (await client.call("status"))["state"] == "idle"
    finally:
        api.release()


async def test_a_question_nobody_answers_is_refused_after_the_timeout(
    daemon: Daemon, api: ScriptedAPI, workspace: Path, isolated_env: Path
) -> None:
    write_config(isolated_env, "permission_timeout_seconds = 1\n")
    api.script(
        Reply([tool_use("Write", {"file_path": "late.txt", "content": "Too late.\n"})]),
        Reply([text("Nobody answered, so I did not write it.")]),
    )
    async with daemon.client() as client:
        await client.call("subscribe")
        await client.call("send", {"text": "write late.txt"})
        events = await client.events_until("turn_finished")
    assert [e["kind"] for e in events].count("permission_requested") == 1
    assert next(e for e in events if e["kind"] == "tool_finished")["is_error"] is True
    assert not (workspace / "late.txt").exists()
    assert "Write not run: nobody answered within 1 s" in daemon.output()

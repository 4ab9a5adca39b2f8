"""JSON-RPC over the bridge: scopes are enforced per method, and nothing a client sends
(bad JSON, unknown methods, wrong params) breaks the connection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from agent import paths
from agent.bridge_server import OBSERVE
from agent.bridge_server.admin import new_token
from agent.bridge_server.rpc import FORBIDDEN, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR
from agent.bridge_server.server import BridgeServer
from agent.transcript import TranscriptWriter
from tests.bridge_server.conftest import bearer, call, published_token


def _a_past_session(session_id: str, prompt: str) -> None:
    writer = TranscriptWriter.create(paths.sessions_dir(), session_id, cwd="/tmp/project")
    writer.append({"type": "user", "content": prompt})
    writer.close()


async def test_an_observe_token_cannot_call_a_control_method(bridge: BridgeServer) -> None:
    _a_past_session("20260101-000000-abcd", "what is in my inbox")
    observer = new_token(OBSERVE)

    refused = await call(bridge.url, observer, "sessions.list")
    assert refused["error"]["code"] == FORBIDDEN
    assert "control" in refused["error"]["message"]
    assert "result" not in refused
    assert (await call(bridge.url, observer, "status"))["result"]["pid"]

    listed = await call(bridge.url, published_token(), "sessions.list")
    assert [s["id"] for s in listed["result"]] == ["20260101-000000-abcd"]
    assert listed["result"][0]["cwd"] == "/tmp/project"


async def test_bad_frames_get_json_rpc_errors_and_the_connection_lives_on(
    bridge: BridgeServer,
) -> None:
    async with connect(bridge.url, additional_headers=bearer(published_token())) as ws:
        await ws.send("{not json")
        assert json.loads(await ws.recv())["error"]["code"] == PARSE_ERROR
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 7, "method": "nope"}))
        unknown = json.loads(await ws.recv())
        assert (unknown["id"], unknown["error"]["code"]) == (7, METHOD_NOT_FOUND)
        await ws.send(json.dumps({"jsonrpc": "1.0", "id": 8, "method": "status"}))
        assert json.loads(await ws.recv())["error"]["code"] == -32600
        await ws.send(b"\x00binary")
        assert json.loads(await ws.recv())["error"]["code"] == -32600
        bad_limit = {"jsonrpc": "2.0", "id": 9, "method": "sessions.list", "params": {"limit": 0}}
        await ws.send(json.dumps(bad_limit))
        assert json.loads(await ws.recv())["error"]["code"] == -32602
        # A notification (no id) is never answered: the next reply is the status's.
        await ws.send(json.dumps({"jsonrpc": "2.0", "method": "status"}))
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": "s", "method": "status"}))
        reply = json.loads(await ws.recv())
        assert reply["id"] == "s" and reply["result"]["pid"]


@pytest.mark.parametrize("scope", ["observe", "control"])
async def test_a_host_registered_control_method_follows_the_same_rule(
    runtime: Path, scope: str
) -> None:
    server = BridgeServer()
    calls: list[dict] = []

    async def send(params: dict) -> dict:
        calls.append(params)
        return {"session_id": "s1"}

    server.methods.register("send", send)  # undeclared scope: control
    await server.start()
    try:
        reply = await call(server.url, new_token(scope), "send", {"text": "hi"})
    finally:
        await server.close()
    if scope == "observe":
        assert reply["error"]["code"] == FORBIDDEN and calls == []
    else:
        assert reply["result"] == {"session_id": "s1"} and calls == [{"text": "hi"}]


HOSTILE_FRAMES = [
    ("[" * 100_000 + "]" * 100_000, PARSE_ERROR),  # json's own recursion gives out
    ('{"a":' * 50_000 + "1" + "}" * 50_000, PARSE_ERROR),
    (
        '{"jsonrpc":"2.0","id":1,"method":"status","params":{"x":' + "[" * 500 + "]" * 500 + "}}",
        INVALID_REQUEST,
    ),  # parses, but nests deeper than any request needs
    (
        '{"jsonrpc":"2.0","id":1,"method":"status","params":{"n":' + "9" * 5000 + "}}",
        PARSE_ERROR,
    ),  # too many digits for int()
    ('{"jsonrpc":"2.0","id":1,"method":"status","params":{"n":NaN}}', PARSE_ERROR),
    ('{"jsonrpc":"2.0","id":1,"method":"status","params":{"s":"\\ud800"}}', PARSE_ERROR),
    ("null", INVALID_REQUEST),
    ('"status"', INVALID_REQUEST),
]


@pytest.mark.parametrize(("frame", "code"), HOSTILE_FRAMES, ids=range(len(HOSTILE_FRAMES)))
async def test_hostile_frames_get_an_error_and_the_connection_stays_open(
    bridge: BridgeServer, caplog: pytest.LogCaptureFixture, frame: str, code: int
) -> None:
    async with connect(
        bridge.url, additional_headers=bearer(published_token()), max_size=None
    ) as ws:
        await ws.send(frame)
        assert json.loads(await ws.recv())["error"]["code"] == code
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "status"}))
        assert json.loads(await ws.recv())["result"]["pid"]
    assert "Traceback" not in caplog.text and "RecursionError" not in caplog.text


async def test_a_request_with_a_null_id_is_answered(bridge: BridgeServer) -> None:
    async with connect(bridge.url, additional_headers=bearer(published_token())) as ws:
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": None, "method": "status"}))
        reply = json.loads(await ws.recv())
        assert reply["id"] is None and reply["result"]["pid"]
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": None, "method": "nope"}))
        reply = json.loads(await ws.recv())
        assert reply["id"] is None and reply["error"]["code"] == METHOD_NOT_FOUND

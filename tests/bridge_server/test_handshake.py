"""Who gets in: a valid bearer JWT does; no token, a malformed one, a wrong signature, an
expired one get 401 and a browser Origin header gets 403, before any message; the
refusals are logged without the token; rotation shuts out old tokens at once."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from agent.bridge_server import CONTROL, OBSERVE, issue_token
from agent.bridge_server.admin import new_token, rotate
from agent.bridge_server.limits import FailureLimiter
from agent.bridge_server.secret import load_secret
from agent.bridge_server.server import CLOSE_REVOKED, BridgeServer
from tests.bridge_server.conftest import bearer, call, published_token, refusal
from tests.processes import HANG_S


def server_log(caplog: pytest.LogCaptureFixture) -> str:
    """Everything logged in this process except by the test's own websockets client
    (which, at DEBUG, prints the headers it sends)."""
    return "\n".join(
        f"{r.name} {r.getMessage()}"
        for r in caplog.records
        if not r.name.startswith("websockets.client")
    )


pytestmark = pytest.mark.asyncio


async def test_the_published_token_connects_and_gets_status(bridge: BridgeServer) -> None:
    reply = await call(bridge.url, published_token(), "status")
    assert reply["id"] == 1
    assert reply["result"]["pid"] == os.getpid()
    assert reply["result"]["version"]
    assert "sessions.list" in reply["result"]["methods"]


def _wrong_signature() -> str:
    return issue_token("another-users-secret-" + "x" * 32, CONTROL)


def _expired() -> str:
    return issue_token(load_secret(), CONTROL, ttl_s=-60)


def _claims(scope: str) -> dict[str, object]:
    return {"iss": "harken", "scope": scope, "exp": int(time.time()) + 600}


def _unknown_scope() -> str:
    return jwt.encode(_claims("admin"), load_secret(), algorithm="HS256")  # signed rightly


def _unsigned() -> str:
    return jwt.encode(_claims(CONTROL), None, algorithm="none")  # "alg": "none"


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (lambda: {}, "no token"),
        (lambda: {"Authorization": "Bearer"}, "malformed Authorization header"),
        (lambda: {"Authorization": "Basic dXNlcjpwYXNz"}, "malformed Authorization header"),
        (lambda: bearer("not.a.jwt"), "malformed token"),
        (lambda: bearer(_wrong_signature()), "wrong signature"),
        (lambda: bearer(_expired()), "expired token"),
        (lambda: bearer(_unknown_scope()), "unknown scope"),
        (lambda: bearer(_unsigned()), "invalid token"),
    ],
    ids=[
        "missing",
        "empty-bearer",
        "basic",
        "malformed",
        "wrong-signature",
        "expired",
        "unknown-scope",
        "unsigned",
    ],
)
async def test_bad_tokens_get_401_before_any_message(
    bridge: BridgeServer,
    caplog: pytest.LogCaptureFixture,
    headers: Callable[[], dict[str, str]],
    reason: str,
) -> None:
    sent = headers()
    caplog.set_level(logging.DEBUG)
    assert await refusal(bridge.url, sent) == 401
    logged = server_log(caplog)
    assert reason in logged
    token = sent.get("Authorization", "").removeprefix("Bearer").removeprefix("Basic").strip()
    if token:
        assert token not in logged


async def test_a_browser_origin_gets_403_even_with_a_valid_token(bridge: BridgeServer) -> None:
    assert (
        await refusal(bridge.url, bearer(published_token()), origin="https://evil.example") == 403
    )
    assert await refusal(bridge.url, bearer(published_token()), origin="null") == 403


async def test_rotate_refuses_old_tokens_and_refreshes_bridge_json(bridge: BridgeServer) -> None:
    old = published_token()
    handed_out = new_token(OBSERVE)
    assert (await call(bridge.url, handed_out, "status"))["result"]

    assert rotate() is True  # the running bridge's file was refreshed

    assert await refusal(bridge.url, bearer(old)) == 401
    assert await refusal(bridge.url, bearer(handed_out)) == 401
    assert published_token() != old
    assert (await call(bridge.url, published_token(), "status"))["result"]


async def test_no_token_reaches_the_log(
    bridge: BridgeServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # as with --debug: websockets would log every header
    good = published_token()
    bad = _expired()
    await call(bridge.url, good, "status")
    await refusal(bridge.url, bearer(bad))
    await refusal(bridge.url, bearer(good), origin="https://evil.example")
    logged = server_log(caplog)
    assert "refused a connection" in logged
    for token in (good, bad):
        for part in token.split("."):
            assert part not in logged


async def test_a_flood_of_failures_is_rate_limited_but_valid_tokens_still_get_in(
    runtime: Path, caplog: pytest.LogCaptureFixture
) -> None:
    now = [0.0]
    limiter = FailureLimiter(max_failures=3, window_s=60, clock=lambda: now[0])
    server = await BridgeServer(limiter=limiter).start()
    try:
        good = new_token()
        statuses = [await refusal(server.url, {}) for _ in range(6)]
        assert statuses == [401, 401, 401, 429, 429, 429]
        assert caplog.text.count("refused a connection") == 3
        assert (await call(server.url, good, "status"))["result"]

        now[0] = 61.0  # the window ends: the count is said once, then 401s again
        assert await refusal(server.url, {}) == 401
        assert "refused 3 more connections" in caplog.text
    finally:
        await server.close()


async def test_a_token_that_expires_while_connected_closes_the_connection(
    runtime: Path,
) -> None:
    now = [time.time()]
    server = await BridgeServer(clock=lambda: now[0]).start()
    try:
        async with connect(server.url, additional_headers=bearer(new_token(ttl_s=900))) as ws:
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "status"}))
            assert json.loads(await ws.recv())["result"]
            now[0] += 901
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "status"}))
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001
    finally:
        await server.close()


async def test_rotate_closes_connections_already_open(runtime: Path) -> None:

    server = await BridgeServer(sweep_s=0.05).start()
    try:
        token = new_token()
        async with (
            connect(server.url, additional_headers=bearer(token)) as talker,
            connect(server.url, additional_headers=bearer(token)) as listener,
        ):
            await talker.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "status"}))
            assert json.loads(await talker.recv())["result"]
            rotate()
            # One that talks is refused at its next message ...
            await talker.send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "status"}))
            with pytest.raises(ConnectionClosed) as closed:
                await talker.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_REVOKED
            assert "rotate" in closed.value.rcvd.reason
            # ... and one that only listens is closed too (bounded: only a hang fails).
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(HANG_S):
                    await listener.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == CLOSE_REVOKED
        assert (await call(server.url, new_token(), "status"))["result"]
    finally:
        await server.close()


async def test_a_listening_connection_is_closed_when_its_token_expires(runtime: Path) -> None:
    now = [time.time()]
    server = await BridgeServer(clock=lambda: now[0], sweep_s=0.05).start()
    try:
        async with connect(server.url, additional_headers=bearer(new_token(ttl_s=900))) as ws:
            await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "status"}))
            assert json.loads(await ws.recv())["result"]
            now[0] += 901  # it sends nothing more: only listens
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(HANG_S):
                    await ws.recv()
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4001
    finally:
        await server.close()

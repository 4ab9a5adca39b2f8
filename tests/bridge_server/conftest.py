"""Bridge tests: a real bridge on 127.0.0.1 and real ``websockets`` clients.

runtime          XDG_RUNTIME_DIR pointed at a fresh folder (bridge.json goes there)
bridge           a started bridge (bridge.json written), closed after the test
call(url, token, method, params)   one JSON-RPC call; the decoded response
refusal(url, headers, origin)      the HTTP status of a refused handshake
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from agent.bridge_server import discovery
from agent.bridge_server.server import BridgeServer, start_bridge


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Path:
    base = Path(tempfile.mkdtemp(prefix="hk-run-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base))
    return base


@pytest.fixture
async def bridge(runtime: Path) -> AsyncIterator[BridgeServer]:
    server = await start_bridge()
    yield server
    await server.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def published_token() -> str:
    info = discovery.read_info()
    assert info is not None, "bridge.json missing or unreadable"
    return info.token


async def call(url: str, token: str, method: str, params: dict[str, Any] | None = None) -> Any:
    """Connect with ``token``, call ``method`` once, return the decoded response."""
    async with connect(url, additional_headers=bearer(token)) as ws:
        request: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": method}
        if params is not None:
            request["params"] = params
        await ws.send(json.dumps(request))
        return json.loads(await ws.recv())


async def refusal(url: str, headers: dict[str, str], origin: str | None = None) -> int:
    """The status of a handshake that must be refused (fails the test if it opens)."""
    try:
        async with connect(url, additional_headers=headers, origin=origin):  # type: ignore[arg-type]
            pass
    except InvalidStatus as exc:
        return exc.response.status_code
    raise AssertionError("the bridge accepted a connection it should have refused")

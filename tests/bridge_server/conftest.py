"""Bridge tests: a real bridge on 127.0.0.1 and real ``websockets`` clients.

runtime          XDG_RUNTIME_DIR pointed at a fresh folder (bridge.json goes there)
bridge           a started bridge (bridge.json written), closed after the test
daemon           a real ``harken daemon`` against the scripted API, serving its bridge
                 (after the test: it stopped with status 0 and removed bridge.json)
call(url, token, method, params)   one JSON-RPC call; the decoded response
refusal(url, headers, origin)      the HTTP status of a refused handshake
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from agent.bridge_server import discovery
from agent.bridge_server.server import BridgeServer, start_bridge
from tests.bridge_server.clients import BridgeClient, wait_for_bridge
from tests.e2e.conftest import harken_command
from tests.processes import HANG_S
from tests.scripted_api import ScriptedAPI


@pytest.fixture
def runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # Short (socket paths are limited to ~100 bytes), so not under tmp_path: removed here.
    base = Path(tempfile.mkdtemp(prefix="hk-run-"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base))
    yield base
    shutil.rmtree(base, ignore_errors=True)


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


class Daemon:
    def __init__(self, process: asyncio.subprocess.Process, info: dict[str, Any], err: Path):
        self.process = process
        self.url: str = info["url"]
        self.token: str = info["token"]
        self.err = err

    def client(self, token: str | None = None) -> Any:
        return BridgeClient.open(self.url, token or self.token)

    def output(self) -> str:
        return self.err.read_text(errors="replace")


@pytest.fixture
async def daemon(
    runtime: Path, api: ScriptedAPI, workspace: Path, tmp_path: Path
) -> AsyncIterator[Daemon]:
    err = tmp_path / "daemon-stderr.txt"
    env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url}  # type: ignore[attr-defined]
    with open(err, "wb") as out:  # noqa: ASYNC230 (a local file, opened once)
        process = await asyncio.create_subprocess_exec(
            *harken_command(),
            "daemon",
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=out,
        )
    path = runtime / "harken" / "bridge.json"
    try:
        info = await wait_for_bridge(path, process.pid, process)
        yield Daemon(process, info, err)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), HANG_S)
            except TimeoutError:
                process.kill()
                await process.wait()
    output = err.read_text(errors="replace")
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    assert not path.exists(), "bridge.json outlived the daemon"

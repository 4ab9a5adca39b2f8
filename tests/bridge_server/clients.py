"""A bridge client for tests, as an editor plugin or a script would be: a real
``websockets`` connection speaking JSON-RPC, keeping events apart from replies.

    async with BridgeClient.open(url, token) as client:
        await client.call("subscribe")            the result; RpcFailure for an error
        await client.events_until("turn_finished")  the events up to that kind (bounded)
    wait_for_bridge(path, pid)                    bridge.json once it names ``pid``
    request_text(request)                         the last message's text, as the API got it
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from tests.processes import HANG_S


class RpcFailure(Exception):
    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(error.get("message"))
        self.code = error.get("code")
        self.error = error


class BridgeClient:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []  # every event received, in order
        self._read = 0  # events handed out by next_event
        self._ids = 0

    @classmethod
    @contextlib.asynccontextmanager
    async def open(cls, url: str, token: str, **options: Any) -> AsyncIterator[BridgeClient]:
        headers = {"Authorization": f"Bearer {token}"}
        async with connect(url, additional_headers=headers, max_size=None, **options) as ws:
            yield cls(ws)

    async def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        self._ids += 1
        request: dict[str, Any] = {"jsonrpc": "2.0", "id": self._ids, "method": method}
        if params is not None:
            request["params"] = params
        await self.ws.send(json.dumps(request))
        while True:
            message = await self._receive()
            if message.get("id") == self._ids:
                if "error" in message:
                    raise RpcFailure(message["error"])
                return message["result"]

    async def raw(self, frame: str | bytes) -> dict[str, Any]:
        """Send ``frame`` as it is; the next reply (events read meanwhile are kept)."""
        await self.ws.send(frame)
        while True:
            message = await self._receive()
            if "id" in message:
                return message

    async def next_event(self) -> dict[str, Any]:
        while self._read >= len(self.events):
            await self._receive()
        self._read += 1
        return self.events[self._read - 1]

    async def events_until(
        self, kind: str, where: Callable[[dict[str, Any]], bool] = lambda e: True
    ) -> list[dict[str, Any]]:
        """Events from the last one handed out up to the first of ``kind`` matching ``where``
        (only a hang takes HANG_S)."""
        start = self._read
        async with asyncio.timeout(HANG_S):
            while True:
                event = await self.next_event()
                if event.get("kind") == kind and where(event):
                    return self.events[start : self._read]

    async def _receive(self) -> dict[str, Any]:
        async with asyncio.timeout(HANG_S):
            message = json.loads(await self.ws.recv())
        if message.get("method") == "event":
            self.events.append(message["params"])
        return message


async def wait_for_bridge(path: Path, pid: int, process: Any = None) -> dict[str, Any]:
    """bridge.json once it names ``pid`` (bounded: only a hang takes HANG_S)."""
    deadline = time.monotonic() + HANG_S
    while True:
        try:
            data = json.loads(await asyncio.to_thread(path.read_text))
            if data.get("pid") == pid:
                return data
        except (FileNotFoundError, ValueError):
            pass
        if process is not None and process.returncode is not None:
            raise AssertionError(f"the process ended ({process.returncode}) before bridge.json")
        assert time.monotonic() < deadline, f"no bridge.json naming pid {pid}"
        await asyncio.sleep(0.05)


def request_text(request: dict[str, Any]) -> str:
    """The text of the last message the model was sent."""
    content = request["messages"][-1]["content"]
    if isinstance(content, str):
        return content
    return "\n".join(block.get("text", "") for block in content if block.get("type") == "text")

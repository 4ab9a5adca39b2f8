"""How much time the agent loop itself adds to each tool round trip.

A scripted model asks for N tool calls in a row (Read of a small file), then answers.
The run is timed end to end, and so are the parts that are not the loop's own: the
anthropic SDK with its HTTP stack (the stream minus the loop's event handling), and the
tool itself. What remains is the loop's overhead: event assembly, events, the permission
gate, conversation and transcript bookkeeping, cache breakpoints, context estimates.

    python -m benchmarks.agent_loop [--round-trips N]

Two transports: in-process (httpx2 MockTransport: a zero-latency server, no sockets) and
a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import agent.session
from agent.config import Config
from agent.model import MessageAssembler, ModelClient
from agent.session import Session
from agent.tools import default_tools
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

KEY = "sk-ant-benchmark-key"


@dataclass
class Timings:
    stream: list[float] = field(default_factory=list)
    feed: float = 0.0
    tool: float = 0.0


def instrumented(timings: Timings) -> tuple[type[MessageAssembler], list[Any]]:
    class TimedAssembler(MessageAssembler):
        def feed(self, event: Any) -> None:
            t0 = time.perf_counter()
            super().feed(event)
            timings.feed += time.perf_counter() - t0

    tools = []
    for tool in default_tools():
        original = tool.run

        async def run(params: Any, ctx: Any, _original: Any = original) -> Any:
            t0 = time.perf_counter()
            try:
                return await _original(params, ctx)
            finally:
                timings.tool += time.perf_counter() - t0

        tools.append(replace(tool, run=run))
    return TimedAssembler, tools


class TimedClient(ModelClient):
    def __init__(self, timings: Timings, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.timings = timings

    async def stream(self, request: Any, assembler: Any, emit: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return await super().stream(request, assembler, emit)
        finally:
            self.timings.stream.append(time.perf_counter() - t0)


async def one_run(
    round_trips: int, transport: str, workspace: Path, data: Path
) -> dict[str, float]:
    (workspace / "notes.txt").write_text("a line of notes\n" * 60)
    api = ScriptedAPI()
    api.script(*[Reply([tool_use("Read", {"file_path": "notes.txt"})]) for _ in range(round_trips)])
    api.script(Reply([text("done")]))
    timings = Timings()
    assembler_cls, tools = instrumented(timings)
    agent.session.MessageAssembler = assembler_cls  # type: ignore[misc]
    with ExitStack() as stack:
        if transport == "in-process":
            import httpx2

            http_client = httpx2.AsyncClient(transport=api.transport())
            base_url = "http://scripted.invalid"
        else:
            server = stack.enter_context(api.serve())
            http_client, base_url = None, server.base_url
        client = TimedClient(timings, api_key=KEY, base_url=base_url, http_client=http_client)
        config = Config().override(max_turns=round_trips + 1)
        session = Session(
            client=client, config=config, workspace=workspace, sessions_dir=data, tools=tools
        )
        # Warm the SDK (import, client construction, first connection) outside the timing.
        api.steps.insert(0, Reply([text("warm")]))
        await session.submit("warm up")
        timings.stream.clear()
        timings.feed = timings.tool = 0.0
        t0 = time.perf_counter()
        outcome = await session.submit("read the notes again and again")
        total = time.perf_counter() - t0
        await session.aclose()
        await client.aclose()
    agent.session.MessageAssembler = MessageAssembler  # type: ignore[misc]
    assert outcome.stop_reason == "end_turn", outcome
    sdk = sum(timings.stream) - timings.feed
    n = round_trips + 1  # model calls in the timed turn
    return {
        "total_ms": total * 1000 / round_trips,
        "sdk_ms": sdk * 1000 / n,
        "tool_ms": timings.tool * 1000 / round_trips,
        "overhead_ms": (total - sdk - timings.tool) * 1000 / round_trips,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round-trips", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(
        f"agent loop: {args.round_trips} tool round trips (Read of a 1 KB file), "
        f"median of {args.repeats} runs"
    )
    header = ("transport", "per round trip", "SDK + HTTP", "tool", "loop overhead")
    print(f"{header[0]:<16}{header[1]:>16}{header[2]:>12}{header[3]:>10}{header[4]:>16}")
    for transport in ("in-process", "loopback HTTP"):
        runs = []
        for _ in range(args.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                ws, data = Path(tmp, "ws"), Path(tmp, "sessions")
                ws.mkdir()
                runs.append(asyncio.run(one_run(args.round_trips, transport, ws, data)))
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{transport:<16}{med['total_ms']:>13.2f} ms{med['sdk_ms']:>9.2f} ms"
            f"{med['tool_ms']:>7.2f} ms{med['overhead_ms']:>13.2f} ms"
        )


if __name__ == "__main__":
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    main()

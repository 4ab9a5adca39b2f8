"""Parallel subagents against the same work in sequence, with a fixed model latency.

    python -m benchmarks.agents [--latency S] [--workers 1,2,4,8] [--limit N]

A scripted Messages API on 127.0.0.1 (the real anthropic client, real HTTP) answers every
subagent's request after ``--latency`` seconds. For each N the parent session asks for N
explore subagents either in one assistant message (they run side by side, at most
``--limit`` at once: the default is Harken's, 4) or in N messages of one Agent call each
(one after the other). A first, unprinted run loads the SDK. Printed: wall time of the
whole parent turn, both ways, the speed-up, and what a perfect overlap would give
(latency x ceil(N / limit)).

Everything runs in temporary folders; the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import tempfile
import time
from pathlib import Path

KEY = "sk-ant-benchmark-key"


def _agent(i: int) -> dict:
    from tests.scripted_api import tool_use

    call = {"description": f"part {i}", "prompt": f"Look at part {i}", "subagent_type": "explore"}
    return tool_use("Agent", call)


async def one_turn(base_url: str, api: object, workers: int, parallel: bool, limit: int) -> float:
    """Seconds for one parent turn that runs ``workers`` subagents."""
    from agent.agents.factory import attach_agents
    from agent.config import Config
    from agent.model import ModelClient
    from agent.session import Session
    from agent.tools import default_tools
    from tests.scripted_api import Reply, text

    if parallel:
        api.script(Reply([_agent(i) for i in range(workers)]))  # type: ignore[attr-defined]
    else:
        api.script(*(Reply([_agent(i)]) for i in range(workers)))  # type: ignore[attr-defined]
    api.script(Reply([text("All parts looked at.")]))  # type: ignore[attr-defined]
    client = ModelClient(api_key=KEY, base_url=base_url)
    workspace = Path(tempfile.mkdtemp(prefix="harken-bench-ws-"))
    session = Session(
        client=client,
        config=Config().override(mode="bypass"),
        workspace=workspace,
        sessions_dir=workspace.parent / f"{workspace.name}-sessions",
        tools=default_tools(),
    )
    subagents = attach_agents(session, limit=limit)
    try:
        started = time.perf_counter()
        outcome = await session.submit("look at every part")
        elapsed = time.perf_counter() - started
        assert outcome.stop_reason == "end_turn", outcome
        return elapsed
    finally:
        await subagents.aclose()
        await session.aclose()
        await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.3, help="seconds per worker reply")
    parser.add_argument("--workers", default="1,2,4,8", help="comma-separated worker counts")
    parser.add_argument("--limit", type=int, default=4, help="subagents at once")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="harken-bench-"))
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())

    from tests.scripted_api import Reply, ScriptedAPI, text

    api = ScriptedAPI()
    # Subagents' requests (the explore agent's system prompt) answer after the latency;
    # the parent's answer at once. Plenty of steps: the route is shared by all runs.
    latency = args.latency
    api.route(
        lambda r: "You are the explore agent" in str(r.get("system")),
        *(Reply([text("Looked.")], delay=latency) for _ in range(1000)),
    )
    counts = [int(n) for n in args.workers.split(",")]
    print(f"latency {latency:.2f} s per worker reply, at most {args.limit} subagents at once")
    print(f"{'N':>3} {'sequence s':>11} {'parallel s':>11} {'speed-up':>9} {'ideal s':>8}")
    with api.serve() as server:
        asyncio.run(one_turn(server.base_url, api, 1, True, args.limit))  # warm-up: imports
        for n in counts:
            sequential = asyncio.run(one_turn(server.base_url, api, n, False, args.limit))
            parallel = asyncio.run(one_turn(server.base_url, api, n, True, args.limit))
            ideal = latency * math.ceil(n / args.limit)
            print(
                f"{n:>3} {sequential:>11.3f} {parallel:>11.3f} "
                f"{sequential / parallel:>8.2f}x {ideal:>8.2f}"
            )


if __name__ == "__main__":
    main()

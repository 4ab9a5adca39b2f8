"""How quickly Harken reacts where a person waits on it: the numbers tests do not assert.

Tests check that these things happen (a command is judged, a timed-out or interrupted
command is gone, a command returns while the program it started runs on); how soon is
measured here, on this machine, and printed:

1. permission check: a warm analysis of one shell line (tree-sitter parse and judgement
   of every command in it), and a whole ``PermissionEngine.decide`` of a Bash call;
2. timeout: from a command's timeout to its result (its process group killed);
3. left running: how long ``cmd & echo started`` takes while ``cmd`` runs on;
4. interrupt: a turn whose Bash call runs ``sleep``, from ``Session.interrupt()`` to the
   turn's return, against the scripted Messages API in process (no sockets);
   with and without the bubblewrap sandbox (where it works).

    python -m benchmarks.responsiveness [--repeats N]

Speech barge-in (speaker stop to silence on the microphone) is printed by
``harken bench voice``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

KEY = "sk-ant-benchmark-key"
LINE = "git status && ls -l src | wc -l"


def permission_check_ms(repeats: int) -> tuple[float, float]:
    """Median milliseconds per warm shell analysis, and per engine decision of that line."""
    from agent.permissions import Mode, PermissionEngine, ToolCall
    from agent.permissions.shell import analyze
    from agent.tools.base import ToolKind

    analyze("ls")  # the parser is built once per process: outside the timing
    analysis = _median_ms(lambda: analyze(LINE), repeats)
    with tempfile.TemporaryDirectory() as tmp:
        engine = PermissionEngine(mode=Mode.STANDARD, workspace=Path(tmp))
        call = ToolCall("t", "Bash", {"command": LINE}, ToolKind.EXECUTE, "", Path(tmp))
        engine.decide(call)
        decision = _median_ms(lambda: engine.decide(call), repeats)
    return analysis, decision


def _median_ms(work: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        work()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


async def shell_ms(repeats: int, sandboxed: bool) -> tuple[float, float]:
    """Median ms from timeout to result, and for ``sleep & echo`` to return."""
    from agent.tools.context import ToolContext

    after_timeout, left_running = [], []
    timeout = 0.5
    with tempfile.TemporaryDirectory() as tmp:
        ctx = ToolContext(workspace=Path(tmp), sandbox="auto" if sandboxed else None)
        shell = ctx.shell
        assert shell is not None
        try:
            await shell.run("true", 10)  # warm: the first bwrap start pays for the page cache
            for _ in range(repeats):
                t0 = time.perf_counter()
                result = await shell.run("sleep 300", timeout)
                after_timeout.append(time.perf_counter() - t0 - timeout)
                assert result.timed_out
                t0 = time.perf_counter()
                result = await shell.run("sleep 300 & echo started", 60)
                left_running.append(time.perf_counter() - t0)
                assert result.output == "started\n"
        finally:
            await ctx.aclose()
    return statistics.median(after_timeout) * 1000, statistics.median(left_running) * 1000


async def interrupt_ms(workspace: Path, data: Path, sandboxed: bool) -> float:
    """Ms from ``interrupt()`` to the turn's return while Bash runs ``sleep 300``."""
    import httpx2

    from agent.config import Config
    from agent.events import PermissionAnswer
    from agent.model import ModelClient
    from agent.session import Session
    from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

    api = ScriptedAPI()
    api.script(
        Reply([tool_use("Bash", {"command": "touch started; sleep 300"})]), Reply([text("ok")])
    )
    client = ModelClient(
        api_key=KEY,
        base_url="http://scripted.invalid",
        http_client=httpx2.AsyncClient(transport=api.transport()),
    )
    session = Session(
        client=client,
        config=Config().override(mode="bypass"),
        workspace=workspace,
        sessions_dir=data,
    )
    if not sandboxed and session.ctx.shell is not None:
        session.ctx.shell.sandbox = None  # the Bash tool then runs commands unconfined
    running = asyncio.Event()

    def on_event(event: Any) -> None:
        if event.kind == "permission_requested":
            event.answer(PermissionAnswer(True))
        if event.kind == "tool_started":
            running.set()

    session.subscribe(on_event)
    try:
        turn = asyncio.create_task(session.submit("sleep"))
        await running.wait()
        await asyncio.to_thread(_wait_for, workspace / "started")  # bash reached the sleep
        t0 = time.perf_counter()
        session.interrupt()
        await turn
        return (time.perf_counter() - t0) * 1000
    finally:
        await session.aclose()
        await client.aclose()


def _wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{path} did not appear within {timeout:.0f} s")
        time.sleep(0.005)


def interrupts_ms(repeats: int, sandboxed: bool) -> float:
    """Median of ``interrupt_ms``, each in a fresh session and workspace."""
    times = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            workspace, data = Path(tmp, "ws"), Path(tmp, "sessions")
            workspace.mkdir()
            times.append(asyncio.run(interrupt_ms(workspace, data, sandboxed)))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    from agent.sandbox import sandbox_status

    analysis, decision = permission_check_ms(max(args.repeats, 50))
    print(f"permission check of {LINE!r} (median of {max(args.repeats, 50)}):")
    print(f"  shell analysis        {analysis:8.3f} ms")
    print(f"  engine decision       {decision:8.3f} ms")
    variants = [False] + ([True] if sandbox_status().available else [])
    print(f"shell commands (median of {args.repeats}):")
    for sandboxed in variants:
        how = "sandboxed" if sandboxed else "unconfined"
        killed, returned = asyncio.run(shell_ms(args.repeats, sandboxed))
        stopped = interrupts_ms(args.repeats, sandboxed)
        print(f"  {how}:")
        print(f"    timeout to result                 {killed:8.1f} ms")
        print(f"    'sleep 300 & echo' returns after  {returned:8.1f} ms")
        print(f"    interrupt to end of turn          {stopped:8.1f} ms")
    if not sandbox_status().available:
        print(f"  (no sandbox here: {sandbox_status().reason})")


if __name__ == "__main__":
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    main()

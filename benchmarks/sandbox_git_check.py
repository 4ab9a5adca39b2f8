"""What the check for new git directories adds to each sandboxed command
(agent.sandbox_git_check): a confined `true` with and without it, and the walk alone
over workspaces of growing size. Prints numbers; noisy on a shared machine.

    .venv/bin/python benchmarks/sandbox_git_check.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from agent import sandbox_git_check
from agent.tools.context import ToolContext

RUNS = 20


def workspace_with(root: Path, folders: int) -> Path:
    ws = root / f"ws{folders}"
    for i in range(folders):
        (ws / f"d{i // 50}" / f"e{i}").mkdir(parents=True)
    ws.mkdir(exist_ok=True)
    return ws


async def per_command(ws: Path) -> float:
    context = ToolContext(workspace=ws)
    assert context.shell is not None
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        await context.shell.run("true")
        times.append(time.perf_counter() - start)
    await context.aclose()
    return statistics.median(times) * 1000


def walk(ws: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        sandbox_git_check.find_git_dirs(ws)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for folders in (0, 1000, 10_000):
            ws = workspace_with(Path(tmp), folders)
            with_check = asyncio.run(per_command(ws))
            original = sandbox_git_check.GitWatch.finish
            sandbox_git_check.GitWatch.finish = lambda self: ""  # type: ignore[method-assign]
            without = asyncio.run(per_command(ws))
            sandbox_git_check.GitWatch.finish = original  # type: ignore[method-assign]
            print(
                f"{folders:>6} folders: sandboxed `true` {with_check:7.1f} ms with the check, "
                f"{without:7.1f} ms without; walk alone {walk(ws):6.1f} ms (medians of {RUNS})"
            )


if __name__ == "__main__":
    main()

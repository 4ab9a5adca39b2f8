"""What a checkpoint costs an Edit: a 100 KB file, with checkpoints and without.

    python -m benchmarks.checkpoints [--repeat N] [--kilobytes K]

Each round edits one line of a K KB text file through the real Edit tool (each edit makes
new content, so every round keeps a new blob: the worst case). Printed: the median time
of an Edit without checkpoints, with them, the difference (the target is under 2 ms for
100 KB), and ``Recorder.before_change`` alone. Then the same with content already kept
(an edit back and forth: the blob is there, only a manifest line is written).

Everything runs in a temporary folder; the numbers depend on the machine, its disk and
its load (on a shared machine, run it twice).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from agent.checkpoints import CheckpointStore, Recorder
from agent.tools.context import ToolContext
from agent.tools.edit import EDIT, EditInput


def make_file(path: Path, kilobytes: int) -> None:
    line = "x" * 63 + "\n"
    path.write_text("edit-0\n" + line * (kilobytes * 1024 // 64))


async def time_edits(ctx: ToolContext, path: Path, repeat: int, alternate: bool) -> list[float]:
    ctx.files.record(path, path.read_bytes())  # noqa: ASYNC240 (a benchmark, no loop to share)
    times = []
    for i in range(repeat):
        old, new = f"edit-{i}\n", f"edit-{i + 1}\n"
        if alternate:  # back and forth between two contents: both already kept
            old, new = (f"edit-{i % 2}\n", f"edit-{(i + 1) % 2}\n")
        params = EditInput(file_path=str(path), old_string=old, new_string=new)
        started = time.perf_counter()
        await EDIT.run(params, ctx)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def bench(kilobytes: int, repeat: int, alternate: bool) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plain_file, kept_file = root / "plain.txt", root / "kept.txt"
        make_file(plain_file, kilobytes)
        make_file(kept_file, kilobytes)
        plain = ToolContext(workspace=root, sandbox=None)
        kept = ToolContext(workspace=root, sandbox=None)
        store = CheckpointStore(root / "store", "bench")
        kept.checkpoints = Recorder(store, turn=lambda: 1)
        without = await time_edits(plain, plain_file, repeat, alternate)
        with_ = await time_edits(kept, kept_file, repeat, alternate)
        data = kept_file.read_bytes()
        alone = []
        for i in range(repeat):
            after = data + str(i).encode()
            started = time.perf_counter()
            await kept.checkpoints.before_change(kept_file, after, "Edit")
            alone.append((time.perf_counter() - started) * 1000)
            if not alternate:
                kept_file.write_bytes(after)
        await plain.aclose()
        await kept.aclose()
        return statistics.median(without), statistics.median(with_), statistics.median(alone)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="edits to time")
    parser.add_argument("--kilobytes", type=int, default=100, help="size of the edited file")
    args = parser.parse_args()
    for alternate, what in ((False, "new content every edit"), (True, "content already kept")):
        without, with_, alone = asyncio.run(bench(args.kilobytes, args.repeat, alternate))
        print(f"Edit of a {args.kilobytes} KB file, {what} (median of {args.repeat})")
        print(f"  without checkpoints {without:6.2f} ms, with {with_:6.2f} ms")
        print(f"  overhead per Edit   {with_ - without:6.2f} ms (target < 2 ms)")
        print(f"  Recorder.before_change alone {alone:6.2f} ms")


if __name__ == "__main__":
    main()

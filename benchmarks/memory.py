"""How fast memory is: picking relevant notes, and indexing transcripts.

    python -m benchmarks.memory [--repeat N]

1. Relevance selection (tier 2) for 100 and 1,000 generated notes: the first selection
   of a session (reads and indexes every note) and a warm one (a folder scan for
   changes plus one FTS5 bm25 query), median of N prompts. The target is under 20 ms
   for 1,000 notes, warm.
2. Session indexing (tier 3): indexing time per MB of generated transcript, built from
   nothing, and the incremental cost when a turn appends to an indexed transcript.

Everything runs in a temporary folder; the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from agent.memory.folders import MemoryScopes
from agent.memory.relevance import NoteIndex
from agent.memory.session_index import SessionIndex

_VOCABULARY = (
    "server staging deploy kestrel database backup printer coffee meeting invoice "
    "release branch review python docker laptop monitor keyboard garden train flight "
    "hotel budget report standup sprint ticket customer password router firewall "
    "cluster kafka postgres redis nginx certificate calendar dentist birthday recipe "
    "guitar football museum library bicycle umbrella weather holiday spreadsheet"
)
WORDS = _VOCABULARY.split()
PROMPTS = [
    "what is the staging server called",
    "when is the dentist appointment",
    "how do I deploy the release branch to the cluster",
    "remind me what the router password policy was",
    "which postgres backup did we keep",
]


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def make_notes(folder: Path, count: int, rng: random.Random) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        body = "\n".join(words(rng, 12) + "." for _ in range(8))
        (folder / f"note-{i:04d}.md").write_text(
            f"---\nname: {words(rng, 3)}\ndescription: {words(rng, 10)}\n"
            f"type: project\n---\n{body}\n"
        )


def bench_relevance(count: int, repeat: int) -> tuple[float, float]:
    """(cold ms, warm median ms) for ``count`` notes."""
    rng = random.Random(count)
    with tempfile.TemporaryDirectory() as temp:
        scopes = MemoryScopes(user=Path(temp) / "user", workspace=Path(temp) / "ws")
        make_notes(scopes.workspace, count, rng)
        scopes.user.mkdir()
        index = NoteIndex(scopes.all())
        started = time.perf_counter()
        index.select(PROMPTS[0])
        cold = (time.perf_counter() - started) * 1000
        warm = []
        for i in range(repeat):
            started = time.perf_counter()
            index.select(PROMPTS[i % len(PROMPTS)])
            warm.append((time.perf_counter() - started) * 1000)
        index.close()
    return cold, statistics.median(warm)


def make_transcript(path: Path, size: int, rng: random.Random) -> None:
    head = {"type": "session", "id": path.stem, "started": "2026-01-01T00:00:00+00:00", "cwd": "/w"}
    lines = [json.dumps(head)]
    total = len(lines[0])
    while total < size:
        prompt = {"type": "prompt", "text": words(rng, 20), "at": "2026-01-01T00:00:01+00:00"}
        answer = {
            "type": "message",
            "message": {
                "role": "assistant",
                "content": [{"type": "text", "text": words(rng, 120)}],
            },
        }
        for record in (prompt, answer):
            line = json.dumps(record)
            lines.append(line)
            total += len(line) + 1
    path.write_text("\n".join(lines) + "\n")


def bench_indexing(megabytes: int) -> tuple[float, float]:
    """(ms per MB from nothing, ms to index one appended turn)."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as temp:
        sessions = Path(temp) / "sessions"
        sessions.mkdir()
        for i in range(megabytes):
            make_transcript(sessions / f"s{i:03d}.jsonl", 1024 * 1024, rng)
        index = SessionIndex(sessions)
        started = time.perf_counter()
        index.update()
        full = (time.perf_counter() - started) * 1000 / megabytes
        path = sessions / "s000.jsonl"
        turn = {"type": "prompt", "text": words(rng, 30), "at": "2026-01-01T01:00:00+00:00"}
        with path.open("a") as file:
            file.write(json.dumps(turn) + "\n")
        started = time.perf_counter()
        index.update(path)
        incremental = (time.perf_counter() - started) * 1000
        index.close()
    return full, incremental


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="warm selections to time")
    parser.add_argument("--megabytes", type=int, default=4, help="transcript MB to index")
    args = parser.parse_args()
    print("Relevance selection (tier 2), FTS5 bm25 over name, description and body")
    for count in (100, 1000):
        cold, warm = bench_relevance(count, args.repeat)
        print(f"  {count:>5} notes: first selection {cold:7.1f} ms, warm median {warm:6.2f} ms")
    full, incremental = bench_indexing(args.megabytes)
    print("Session index (tier 3)")
    print(f"  indexing from nothing: {full:7.1f} ms per MB of transcript")
    print(f"  one appended turn (incremental): {incremental:6.2f} ms")


if __name__ == "__main__":
    main()

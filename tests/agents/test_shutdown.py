"""Closing before everything has stopped: a late record is dropped, never a crash."""

from __future__ import annotations

from pathlib import Path

from agent import transcript


def test_a_record_written_after_the_transcript_closed_is_dropped_quietly(tmp_path: Path) -> None:
    writer = transcript.TranscriptWriter.create(tmp_path, "s1", cwd=str(tmp_path))
    writer.append({"type": "prompt", "text": "hello", "at": transcript.now_iso()})
    writer.close()

    # A cancelled subagent settling after its session closed does just this.
    writer.append({"type": "message", "message": {"role": "assistant", "content": []}})
    writer.sync()

    loaded = transcript.load(tmp_path / "s1.jsonl")
    assert loaded.id == "s1" and not loaded.repaired and loaded.messages == []

"""Tier 3: past sessions are indexed when a turn ends and found by the SessionSearch tool
(through the real client and the scripted API) and by ``harken sessions search``; the
index is rebuilt when it is deleted or damaged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agent import paths
from agent.config import Config
from agent.memory.session_index import SessionIndex, index_path_for
from agent.model import ModelClient
from agent.session import Session
from tests.conftest import FAST_RETRY, TEST_KEY
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

ROOT = Path(__file__).resolve().parents[3]
FACT = "Noted: the staging server is called kestrel and lives in the basement rack."


async def one_session(api: ScriptedAPI, workspace: Path, prompt: str) -> Session:
    """A finished one-turn session saved where Harken saves them."""
    session = Session(
        client=ModelClient(api_key=TEST_KEY, base_url=api.base_url, retry=FAST_RETRY),  # type: ignore[attr-defined]
        config=Config(),
        workspace=workspace,
        sessions_dir=paths.sessions_dir(),
    )
    try:
        await session.submit(prompt)
    finally:
        await session.aclose()
        await session.client.aclose()
    return session


def result_text(request: dict[str, Any]) -> str:
    (block,) = [b for b in request["messages"][-1]["content"] if b["type"] == "tool_result"]
    assert not block.get("is_error"), block
    body = block["content"]
    return body if isinstance(body, str) else "".join(p.get("text", "") for p in body)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli_memory", *args],
        cwd=ROOT,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_a_fact_from_an_old_session_is_found_by_the_session_search_tool(
    api: ScriptedAPI, workspace: Path
) -> None:
    api.script(Reply([text(FACT)]), Reply([text("Paris is the capital of France.")]))
    old = await one_session(api, workspace, "remember where the staging box is")
    other = await one_session(api, workspace, "what is the capital of France?")
    api.script(
        Reply([tool_use("SessionSearch", {"query": "staging server basement"})]),
        Reply([text("It is kestrel, in the basement rack.")]),
    )

    await one_session(api, workspace, "which server did I tell you was in the basement?")

    found = result_text(api.requests[-1])
    assert old.id in found and "kestrel" in found and str(workspace) in found
    assert other.id not in found


async def test_harken_sessions_search_prints_json_and_survives_a_deleted_index(
    api: ScriptedAPI, workspace: Path
) -> None:
    api.script(Reply([text(FACT)]))
    old = await one_session(api, workspace, "remember where the staging box is")
    index = index_path_for(paths.sessions_dir())
    assert index.is_file()  # written when the turn ended

    done = cli("sessions", "search", "kestrel", "--json")
    assert done.returncode == 0, done.stderr
    (hit,) = json.loads(done.stdout)
    assert hit["session_id"] == old.id and hit["workspace"] == str(workspace)
    assert "kestrel" in hit["excerpt"] and hit["started"].startswith("20")

    index.unlink()
    again = cli("sessions", "search", "basement rack", "--json", "--limit", "3")
    assert again.returncode == 0, again.stderr
    assert [h["session_id"] for h in json.loads(again.stdout)] == [old.id]
    assert index.is_file()

    human = cli("sessions", "search", "nothing-like-this")
    assert human.returncode == 0 and human.stdout == "" and "No past session" in human.stderr


@pytest.mark.parametrize("damage", [b"this is not a database" * 100, b""])
def test_a_damaged_index_is_rebuilt_with_one_warning(
    tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    record = {"type": "session", "id": "s1", "started": "2026-01-02T03:04:05+00:00", "cwd": "/w"}
    prompt = {"type": "prompt", "text": "the kestrel server", "at": "2026-01-02T03:04:06+00:00"}
    (sessions / "s1.jsonl").write_text(json.dumps(record) + "\n" + json.dumps(prompt) + "\n")
    db = index_path_for(sessions)
    SessionIndex(sessions).update()
    if damage:
        db.write_bytes(damage)
    else:  # a schema from elsewhere: a valid database that is not this index
        db.unlink()
        import sqlite3

        with sqlite3.connect(db) as other:
            other.execute("PRAGMA user_version = 99")

    hits = SessionIndex(sessions).search("kestrel")

    assert [h.session_id for h in hits] == ["s1"]
    assert sum("session index" in r.message and "damaged" in r.message for r in caplog.records) == 1


def test_indexing_is_incremental_and_waits_for_a_torn_last_line(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    path = sessions / "s1.jsonl"
    head = {"type": "session", "id": "s1", "started": "2026-01-02T03:04:05+00:00", "cwd": "/w"}
    path.write_text(
        json.dumps(head) + "\n" + json.dumps({"type": "prompt", "text": "alpha"}) + "\n"
    )
    index = SessionIndex(sessions)
    assert index.update(path) == 1
    assert index.update(path) == 0  # nothing new
    answer = {
        "type": "message",
        "message": {"role": "assistant", "content": [{"type": "text", "text": "beta gamma"}]},
    }
    line = json.dumps(answer)
    with path.open("a") as file:
        file.write(line[:20])  # a record still being written
    assert index.update(path) == 0
    with path.open("a") as file:
        file.write(line[20:] + "\n")
    assert index.update(path) == 1
    assert [h.session_id for h in index.search("gamma")] == ["s1"]


def test_an_empty_search_is_a_usage_error() -> None:
    for query in ("", "   "):
        done = cli("sessions", "search", query)
        assert done.returncode == 2
        assert done.stderr.strip().count("\n") == 0 and "harken:" in done.stderr
        assert done.stdout == ""


def test_a_transcript_holding_lone_surrogates_is_indexed_and_dreamt_of(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A transcript written by hand or by an older Harken: JSON escapes of lone surrogates
    # (a file name with byte 0xE9), which SQLite and UTF-8 text cannot take.
    from agent.memory.dream import digest

    sessions = tmp_path / "sessions"
    sessions.mkdir()
    head = {"type": "session", "id": "s1", "started": "2026-01-02T03:04:05+00:00", "cwd": "/w"}
    lines = [
        json.dumps(head),
        '{"type": "prompt", "text": "open caf\\udce9 notes about the kestrel server"}',
    ]
    (sessions / "s1.jsonl").write_text("\n".join(lines) + "\n")

    hits = SessionIndex(sessions).search("kestrel")

    assert [h.session_id for h in hits] == ["s1"]
    assert not [r for r in caplog.records if "cannot index" in r.message]
    told = digest([sessions / "s1.jsonl"])
    assert "caf\ufffd notes about the kestrel" in told
    told.encode("utf-8")  # what the dream sends the model is valid UTF-8

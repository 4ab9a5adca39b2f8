"""An answer with nothing in it is never stored or sent back, and the user hears of it.

The API refuses a request holding ``{"role": "assistant", "content": []}`` (400), so one
stored empty message broke every later turn of the session. The scripted server refuses
such requests as the API does (``tests/api_checks.py``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent import transcript
from agent.transcript import TranscriptWriter
from tests.conftest import Recorder
from tests.scripted_api import Reply, ScriptedAPI, text, thinking, tool_use

EMPTY_REPLIES = [
    pytest.param(Reply([]), "empty answer (stop reason: end_turn)", id="content-is-empty"),
    pytest.param(Reply([text("")]), "empty answer", id="one-empty-text-block"),
    pytest.param(
        Reply([thinking("Let me think about", signature="")], stop_reason="max_tokens"),
        "output limit (max_tokens 8192)",
        id="cut-by-max_tokens-while-thinking",
    ),
    pytest.param(
        Reply([text("")], stop_reason="max_tokens", omit=("content_block_stop",)),
        "output limit",
        id="cut-by-max_tokens-before-a-block-finished",
    ),
]


@pytest.mark.parametrize(("empty", "said"), EMPTY_REPLIES)
async def test_an_empty_answer_is_not_kept_and_the_turn_says_nothing_came_back(
    api: ScriptedAPI, make_session, isolated_env: Path, empty: Reply, said: str
) -> None:
    api.script(empty, Reply([text("Here I am.")]))
    session = make_session()
    events = Recorder()
    session.subscribe(events)

    outcome = await session.submit("hello?")

    assert outcome.stop_reason == "error"
    assert outcome.error.startswith("Nothing came back") and said in outcome.error
    assert "\n" not in outcome.error
    assert [e.message for e in events.of("error")] == [outcome.error]
    assert [m["role"] for m in session.messages] == ["user"]
    assert outcome.usage.input_tokens == 100  # the empty answer was still billed

    second = await session.submit("are you there?")

    assert second.text == "Here I am."
    assert api.rejections == []
    (asked,) = api.requests[1]["messages"]
    assert [b["text"] for b in asked["content"]] == ["hello?", "are you there?"]
    saved = transcript.load(isolated_env / "sessions" / f"{session.id}.jsonl")
    assert saved.messages == session.messages and not saved.repaired


async def test_an_empty_answer_after_tools_keeps_their_results_for_the_next_prompt(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    (workspace / "a.txt").write_text("alpha\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "a.txt"})]),
        Reply([]),
        Reply([text("It says alpha.")]),
    )
    session = make_session()

    first = await session.submit("read a.txt")
    second = await session.submit("so what does it say?")

    assert first.stop_reason == "error" and "Nothing came back" in first.error
    assert second.text == "It says alpha."
    assert api.rejections == []
    last = api.requests[2]["messages"][-1]["content"]
    assert [b["type"] for b in last] == ["tool_result", "text"]


def saved_session(directory: Path, records: list[dict[str, Any]]) -> Path:
    """A transcript as an older Harken wrote it, through the real writer."""
    writer = TranscriptWriter.create(directory, "20260101-000000-abcd", cwd="/", model="m")
    for record in records:
        writer.append(record)
    writer.close()
    return writer.path


def message(role: str, *blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "message": {"role": role, "content": list(blocks)}}


END = {"type": "turn_end", "stop_reason": "end_turn", "usage": {}, "cost_usd": 0.0}


@pytest.mark.parametrize(
    "records",
    [
        pytest.param(
            [message("user", text("hello?")), message("assistant"), END],
            id="ends-on-the-empty-answer",
        ),
        pytest.param(
            [
                message("user", text("hello?")),
                message("assistant"),
                END,
                message("user", text("still there?")),
                message("assistant", text("Yes.")),
                END,
            ],
            id="empty-answer-mid-way",
        ),
    ],
)
async def test_a_saved_session_holding_an_empty_answer_resumes_without_it(
    api: ScriptedAPI, make_session, isolated_env: Path, records: list[dict[str, Any]]
) -> None:
    path = saved_session(isolated_env / "sessions", records)
    loaded = transcript.load(path)
    assert loaded.repaired
    assert all(m["content"] for m in loaded.messages)
    api.script(Reply([text("Resumed.")]), Reply([text("And again.")]))

    session = make_session(resume=loaded)
    assert (await session.submit("one more")).text == "Resumed."
    assert (await session.submit("and another")).text == "And again."
    await session.aclose()

    assert api.rejections == []
    sent_texts = [
        b["text"] for m in api.requests[1]["messages"] for b in m["content"] if b["type"] == "text"
    ]
    assert sent_texts.count("hello?") == 1  # joined once, never repeated
    reloaded = transcript.load(path)
    assert reloaded.messages == session.messages
    assert not reloaded.repaired

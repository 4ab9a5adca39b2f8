"""Streams that break, and tool calls cut by the output limit, through the real client.

A message counts only when its stream says it ended (a stop reason, every block closed):
anything less is a dropped connection, retried like one, and no tool of it ever runs. A
tool call cut by ``max_tokens`` does not run either; the model hears why.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.events import PermissionAnswer
from tests.conftest import Recorder
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

ALLOW = PermissionAnswer(True)


def last_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of the last user message of a request."""
    return [b for b in request["messages"][-1]["content"] if b["type"] == "tool_result"]


def content_text(block: dict[str, Any]) -> str:
    content = block["content"]
    return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)


def write_call(**fields: Any) -> dict[str, Any]:
    return tool_use("Write", {"file_path": "out.txt", **fields})


# -- a message whose stream did not end is never used ------------------------------------


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param({"cut_before": "message_delta"}, id="body-ends-before-message_delta"),
        pytest.param({"cut_before": "message_delta", "cut_mode": "drop"}, id="connection-dropped"),
        pytest.param({"omit": ("content_block_stop",)}, id="no-content_block_stop"),
        pytest.param({"cut_after": 8}, id="tool-json-cut-mid-way"),
        pytest.param({"omit": ("message_delta",)}, id="message_stop-without-message_delta"),
        pytest.param({"cut_before": "message_stop"}, id="body-ends-before-message_stop"),
        pytest.param(
            {"cut_before": "message_stop", "cut_mode": "drop"},
            id="connection-dropped-before-message_stop",
        ),
    ],
)
async def test_a_message_whose_stream_broke_is_retried_and_its_tool_never_runs(
    api: ScriptedAPI, make_session, workspace: Path, broken: dict[str, Any]
) -> None:
    cut = Reply(
        [text("Writing it now."), write_call(content="from the broken stream")],
        json_chunk=8,
        **broken,
    )
    api.script(cut, Reply([text("The connection broke; I wrote nothing.")]))
    session = make_session()
    events = Recorder(answer=lambda _e: ALLOW)
    session.subscribe(events)

    outcome = await session.submit("write out.txt")

    assert not (workspace / "out.txt").exists()
    assert events.of("tool_started") == []
    assert outcome.stop_reason == "end_turn"
    assert outcome.text == "The connection broke; I wrote nothing."
    (retry,) = events.of("retrying")
    assert retry.discarded_text is True and "broke" in retry.reason
    assert [m["role"] for m in session.messages] == ["user", "assistant"]
    assert api.rejections == []


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        pytest.param(
            {"omit": ("content_block_start",)}, "without its start", id="no-content_block_start"
        ),
        pytest.param({"omit": ("message_start",)}, "without message_start", id="no-message_start"),
        pytest.param(
            {"content": [text("Writing it now.")], "stop_reason": "tool_use"},
            "no tool call arrived",
            id="stop-reason-tool_use-without-a-call",
        ),
    ],
)
async def test_a_stream_that_lost_events_is_retried_not_taken_for_an_answer(
    api: ScriptedAPI, make_session, workspace: Path, broken: dict[str, Any], why: str
) -> None:
    """Events lost on the way (a proxy, a broken connection) are a broken stream too: not
    an empty answer, not a turn that ended after its text, never a call that runs."""
    fields = {"content": [text("Writing it now."), write_call(content="lost")], **broken}
    api.script(Reply(**fields), Reply([text("I wrote nothing.")]))
    session = make_session()
    events = Recorder(answer=lambda _e: ALLOW)
    session.subscribe(events)

    outcome = await session.submit("write out.txt")

    assert outcome.stop_reason == "end_turn", outcome.error
    assert outcome.text == "I wrote nothing."
    (retry,) = events.of("retrying")
    assert why in retry.reason
    assert not (workspace / "out.txt").exists()
    assert api.rejections == []


async def test_a_stream_that_keeps_breaking_fails_with_one_line_and_keeps_nothing(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    broken = Reply([text("Half"), write_call(content="x")], cut_before="message_delta")
    api.script(*[broken] * 4)  # FAST_RETRY allows four attempts
    session = make_session()
    events = Recorder(answer=lambda _e: ALLOW)
    session.subscribe(events)

    outcome = await session.submit("write out.txt")

    assert outcome.stop_reason == "error"
    assert "broke off" in outcome.error and "\n" not in outcome.error
    assert len(api.requests) == 4
    assert not (workspace / "out.txt").exists()
    assert [m["role"] for m in session.messages] == ["user"]

    api.script(Reply([text("Back.")]))
    assert (await session.submit("again?")).text == "Back."
    assert api.rejections == []


async def test_a_missing_stop_event_is_retried_even_after_the_text_was_shown(
    api: ScriptedAPI, make_session
) -> None:
    """The issue's example: text, then the body ends; it used to count as end_turn."""
    api.script(
        Reply([text("The answer is 4")], cut_before="message_delta"),
        Reply([text("The answer is 42.")]),
    )
    session = make_session()

    outcome = await session.submit("what is the answer?")

    assert outcome.text == "The answer is 42."
    assert len(api.requests) == 2
    assert session.messages[-1]["content"] == [{"type": "text", "text": "The answer is 42."}]


async def test_an_overloaded_error_event_after_a_tool_call_began_is_retried(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    api.script(
        Reply([text("Writing."), write_call(content="x")], error_after=6),
        Reply([text("Busy server; nothing written.")]),
    )
    session = make_session()
    events = Recorder(answer=lambda _e: ALLOW)
    session.subscribe(events)

    outcome = await session.submit("write out.txt")

    assert outcome.text == "Busy server; nothing written."
    assert "overloaded" in events.of("retrying")[0].reason.lower()
    assert not (workspace / "out.txt").exists()


# -- a tool call cut by the output limit ---------------------------------------------------


@pytest.mark.parametrize(
    "cut_call",
    [
        pytest.param(write_call(), id="input-without-content"),  # the example
        pytest.param(
            tool_use("Write", '{"file_path": "out.txt", "content": "line 1\\nline'),
            id="partial-json",
        ),
        pytest.param(write_call(content="looks whole"), id="input-that-looks-whole"),
    ],
)
async def test_a_call_cut_by_the_output_limit_does_not_run_and_the_model_hears_why(
    api: ScriptedAPI, make_session, workspace: Path, cut_call: dict[str, Any]
) -> None:
    api.script(
        Reply([text("Here is the file."), cut_call], stop_reason="max_tokens"),
        Reply([text("I will write it in smaller pieces.")]),
    )
    session = make_session(max_tokens=4096)
    events = Recorder(answer=lambda _e: ALLOW)
    session.subscribe(events)

    outcome = await session.submit("write out.txt")

    assert not (workspace / "out.txt").exists()
    assert events.of("tool_started") == []
    (result,) = last_results(api.requests[1])
    message = content_text(result)
    assert result["is_error"] is True and result["tool_use_id"] == cut_call["id"]
    assert "output limit" in message and "4096" in message and "smaller" in message
    assert "Field required" not in message and "not valid JSON" not in message
    assert outcome.text == "I will write it in smaller pieces."
    (finished,) = events.of("tool_finished")
    assert finished.is_error and "output limit" in finished.output
    assert api.rejections == []


async def test_calls_finished_before_the_cut_one_still_run(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("remember the milk\n")
    api.script(
        Reply(
            [tool_use("Read", {"file_path": "notes.txt"}), write_call()],
            stop_reason="max_tokens",
        ),
        Reply([text("Read the notes; the write was cut.")]),
    )
    session = make_session()
    session.subscribe(Recorder(answer=lambda _e: ALLOW))

    await session.submit("copy the notes")

    read, cut = last_results(api.requests[1])
    assert "remember the milk" in content_text(read) and not read.get("is_error")
    assert cut["is_error"] is True and "output limit" in content_text(cut)
    assert not (workspace / "out.txt").exists()


async def test_a_call_left_open_by_the_output_limit_is_answered_too(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    """The limit struck before the block's content_block_stop: the text before it stays,
    and the open call still gets its tool_result (it did not run)."""
    call = tool_use("Write", '{"file_path": "out.txt", "content": "par')
    api.script(
        Reply([text("Writing:"), call], stop_reason="max_tokens", omit=("content_block_stop",)),
        Reply([text("Again, shorter.")]),
    )
    session = make_session()
    session.subscribe(Recorder(answer=lambda _e: ALLOW))

    outcome = await session.submit("write out.txt")

    sent = api.requests[1]["messages"]
    assert sent[1]["content"][0] == {"type": "text", "text": "Writing:"}
    assert [b["id"] for b in sent[1]["content"] if b["type"] == "tool_use"] == [call["id"]]
    (result,) = last_results(api.requests[1])
    assert result["is_error"] is True and "output limit" in content_text(result)
    assert outcome.text == "Again, shorter."
    assert not (workspace / "out.txt").exists()


async def test_input_billed_by_attempts_that_broke_counts_in_the_turn(
    api: ScriptedAPI, make_session
) -> None:
    # Each attempt's input was read (and billed) before its stream broke: 3 x 100 tokens.
    broken = Reply([text("Half")], cut_before="message_delta")
    api.script(broken, broken, Reply([text("Whole.")]))
    session = make_session()

    outcome = await session.submit("hello")

    assert outcome.text == "Whole."
    assert outcome.usage.input_tokens == 300 and session.state.usage.input_tokens == 300


async def test_input_billed_by_a_request_that_kept_breaking_counts_in_the_session(
    api: ScriptedAPI, make_session
) -> None:
    broken = Reply([text("Half")], cut_before="message_delta")
    api.script(*[broken] * 4)  # FAST_RETRY allows four attempts
    session = make_session()

    outcome = await session.submit("hello")

    assert outcome.stop_reason == "error"
    assert outcome.usage.input_tokens == 400 and session.state.usage.input_tokens == 400

"""Turns through the real anthropic client against the scripted API, with telemetry on and
captured by the SDK's in-memory reader and exporter: what a telemetry backend would see."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent import telemetry
from agent.events import PermissionAnswer
from agent.usage import Usage, cost_usd
from tests.conftest import Recorder
from tests.scripted_api import Failure, Reply, ScriptedAPI, text, tool_use
from tests.telemetry.memory import Captured, capture

SECRET_PROMPT = "summarise the merger memo for Zanzibar Holdings"
FAKE_KEY = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture
def captured() -> Iterator[Captured]:
    yield capture()
    telemetry.shutdown(timeout=5)


def deny_bash(event: Any) -> PermissionAnswer:
    """A person who lets files be written and refuses commands."""
    return PermissionAnswer(event.name != "Bash", message="not now")


def script_tool_turn(api: ScriptedAPI, workspace: Path) -> None:
    (workspace / "memo.txt").write_text("Zanzibar Holdings merger: confidential figures\n")
    api.script(
        Reply(
            [
                text("Looking."),
                tool_use("Read", {"file_path": "memo.txt"}),
                tool_use("Write", {"file_path": "summary.txt", "content": "Zanzibar summary"}),
                tool_use("Bash", {"command": "touch zanzibar.flag"}),
                tool_use("Teleport", {"to": "Zanzibar"}),
            ],
            usage={
                "input_tokens": 120,
                "output_tokens": 30,
                "cache_creation_input_tokens": 500,
                "cache_read_input_tokens": 0,
            },
        ),
        Reply(
            [text("The Zanzibar memo says the merger is on.")],
            usage={
                "input_tokens": 40,
                "output_tokens": 12,
                "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 500,
            },
        ),
    )


async def test_a_turn_exports_tokens_by_kind_cost_and_a_turn_count(
    api: ScriptedAPI, make_session, workspace: Path, captured: Captured
) -> None:
    script_tool_turn(api, workspace)
    session = make_session(telemetry=True, model="claude-sonnet-4-6")
    session.subscribe(Recorder(answer=deny_bash))
    outcome = await session.submit(SECRET_PROMPT)
    assert outcome.stop_reason == "end_turn"

    tokens = captured.sums("harken.token.usage", "type", "model")
    model = "claude-sonnet-4-6"
    assert tokens == {
        ("input", model): 160,
        ("output", model): 42,
        ("cache_write", model): 500,
        ("cache_read", model): 500,
    }
    (cost,) = captured.sums("harken.cost.usage", "model").values()
    assert cost == pytest.approx(cost_usd(model, Usage(160, 42, 500, 500)))
    assert captured.sums("harken.turn.count", "stop_reason") == {("end_turn",): 1}
    assert captured.sums("harken.session.count") == {(): 1}


async def test_tool_calls_are_counted_by_tool_and_permission_decision(
    api: ScriptedAPI, make_session, workspace: Path, captured: Captured
) -> None:
    script_tool_turn(api, workspace)
    session = make_session(telemetry=True)
    session.subscribe(Recorder(answer=deny_bash))
    await session.submit(SECRET_PROMPT)

    calls = captured.sums("harken.tool.calls", "tool", "decision", "success")
    assert calls == {
        ("Read", "allow", True): 1,
        ("Write", "user_allow", True): 1,
        ("Bash", "user_deny", False): 1,
        ("Teleport", "rejected", False): 1,
    }


async def test_a_call_the_mode_refuses_counts_as_denied(
    api: ScriptedAPI, make_session, workspace: Path, captured: Captured
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "a.txt", "content": "x"})]),
        Reply([text("Plan mode: I cannot write.")]),
    )
    session = make_session(telemetry=True, mode="plan")
    session.subscribe(Recorder())
    await session.submit("write a.txt")
    assert captured.sums("harken.tool.calls", "tool", "decision") == {("Write", "deny"): 1}


async def test_a_turn_is_a_span_with_its_tool_calls_as_children(
    api: ScriptedAPI, make_session, workspace: Path, captured: Captured
) -> None:
    script_tool_turn(api, workspace)
    session = make_session(telemetry=True)
    session.subscribe(Recorder(answer=deny_bash))
    await session.submit(SECRET_PROMPT)

    spans = captured.spans()
    (turn,) = [s for s in spans if s.name == "invoke_agent harken"]
    tools = [s for s in spans if s.name.startswith("execute_tool ")]
    assert sorted(s.name for s in tools) == [
        "execute_tool Bash",
        "execute_tool Read",
        "execute_tool Teleport",
        "execute_tool Write",
    ]
    for span in tools:
        assert span.parent is not None and span.parent.span_id == turn.context.span_id
        assert span.context.trace_id == turn.context.trace_id
        assert turn.start_time <= span.start_time <= span.end_time <= turn.end_time
    by_name = {s.attributes["gen_ai.tool.name"]: s for s in tools}
    assert by_name["Bash"].attributes["harken.tool.decision"] == "user_deny"
    assert [e.name for e in by_name["Bash"].events] == ["harken.permission.asked"]
    assert turn.attributes["gen_ai.conversation.id"] == session.id
    assert turn.attributes["gen_ai.usage.input_tokens"] == 160
    assert turn.attributes["gen_ai.usage.cache_read.input_tokens"] == 500
    assert turn.resource.attributes["service.name"] == "harken"


async def test_without_content_logging_no_prompt_file_or_tool_input_is_exported(
    api: ScriptedAPI, make_session, workspace: Path, captured: Captured
) -> None:
    script_tool_turn(api, workspace)
    session = make_session(telemetry=True)
    session.subscribe(Recorder(answer=deny_bash))
    await session.submit(f"{SECRET_PROMPT} (key {FAKE_KEY})")

    exported = "\n".join(captured.every_exported_text())
    assert captured.spans() and "harken.token.usage" in exported  # something did go out
    # The prompt, the file's content, the tool inputs, the answer: all mention Zanzibar.
    assert "zanzibar" not in exported.lower()
    assert "memo.txt" not in exported and "touch" not in exported
    assert "sk-ant" not in exported


async def test_with_content_logging_the_prompt_goes_along_but_keys_stay_masked(
    api: ScriptedAPI, make_session, workspace: Path, captured: Captured
) -> None:
    script_tool_turn(api, workspace)
    session = make_session(telemetry=True, telemetry_log_content=True)
    session.subscribe(Recorder(answer=deny_bash))
    await session.submit(f"{SECRET_PROMPT} (key {FAKE_KEY})")

    (turn,) = [s for s in captured.spans() if s.name == "invoke_agent harken"]
    (message,) = json.loads(turn.attributes["gen_ai.input.messages"])
    assert SECRET_PROMPT in message["parts"][0]["content"]
    assert "Zanzibar memo says" in turn.attributes["gen_ai.output.messages"]
    (read,) = [s for s in captured.spans() if s.name == "execute_tool Read"]
    assert json.loads(read.attributes["gen_ai.tool.call.arguments"]) == {"file_path": "memo.txt"}
    assert "confidential figures" in read.attributes["gen_ai.tool.call.result"]
    exported = "\n".join(captured.every_exported_text())
    assert FAKE_KEY not in exported and "sk-ant-api0…[redacted]" in exported


async def test_a_failed_turn_counts_an_error_and_marks_its_span(
    api: ScriptedAPI, make_session, captured: Captured
) -> None:
    api.script(Failure(400, "prompt is too long for Zanzibar"))
    session = make_session(telemetry=True)
    session.subscribe(Recorder())
    outcome = await session.submit(SECRET_PROMPT)
    assert outcome.stop_reason == "error"

    errors = captured.sums("harken.error.count", "error_type")
    assert len(errors) == 1 and next(iter(errors.values())) == 1
    (turn,) = captured.spans()
    assert turn.status.status_code.name == "ERROR"
    assert turn.attributes["error.type"] == next(iter(errors))[0]
    assert "zanzibar" not in "\n".join(captured.every_exported_text()).lower()


async def test_a_session_with_telemetry_off_is_not_watched(
    api: ScriptedAPI, make_session, captured: Captured
) -> None:
    api.script(Reply([text("hi")]))
    session = make_session()  # telemetry = false, no OTEL_* variables
    session.subscribe(Recorder())
    await session.submit("hello")
    assert captured.spans() == [] and captured.points("harken.turn.count") == []


def test_release_to_text_is_a_histogram_in_seconds(captured: Captured) -> None:
    from agent.config import Config

    on = Config().override(telemetry=True)
    for seconds in (0.08, 0.12, 0.4):
        telemetry.record_release_to_text(seconds, on)
    telemetry.record_release_to_text(9.0, Config())  # telemetry off in these settings
    (point,) = captured.points("harken.voice.release_to_text")
    assert point.count == 3 and point.sum == pytest.approx(0.6)
    assert 0.1 in point.explicit_bounds  # sub-second buckets: seconds, not milliseconds


async def test_a_resumed_session_counts_only_its_new_turns(
    api: ScriptedAPI, make_session, isolated_env: Path, captured: Captured
) -> None:
    from agent import transcript

    api.script(Reply([text("one")]), Reply([text("two")]))
    first = make_session(telemetry=True)
    first.subscribe(Recorder())
    await first.submit("first")
    await first.aclose()
    loaded = transcript.load(transcript.find_session(isolated_env / "sessions", "latest"))
    resumed = make_session(telemetry=True, resume=loaded)
    resumed.subscribe(Recorder())
    await resumed.submit("second")

    # Each scripted reply uses 100 input tokens; the resumed session starts at 100 already.
    assert captured.sums("harken.token.usage", "type")[("input",)] == 200
    assert captured.sums("harken.turn.count") == {(): 2}


async def test_a_question_the_turn_ends_before_is_unanswered(
    api: ScriptedAPI, make_session, captured: Captured
) -> None:
    api.script(Reply([tool_use("Write", {"file_path": "a.txt", "content": "x"})]))
    session = make_session(telemetry=True)
    session.subscribe(lambda e: session.interrupt() if e.kind == "permission_requested" else None)
    outcome = await session.submit("write a.txt")
    assert outcome.stop_reason == "interrupted"

    assert captured.sums("harken.tool.calls", "tool", "decision") == {("Write", "unanswered"): 1}
    assert captured.sums("harken.turn.count", "stop_reason") == {("interrupted",): 1}
    (write,) = [s for s in captured.spans() if s.name == "execute_tool Write"]
    assert write.end_time is not None

"""The query engine against the scripted Messages API through the real anthropic client."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from agent import conversation, transcript
from agent.events import PermissionAnswer
from agent.permissions.settings import store_path
from agent.tools import default_tools
from agent.tools.base import Tool, ToolKind
from tests.conftest import Recorder
from tests.processes import HANG_S, wait_matching, wait_none_matching
from tests.scripted_api import Failure, Reply, ScriptedAPI, StreamFailure, text, thinking, tool_use

ALLOW = PermissionAnswer(True)


def tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of the last user message of a request."""
    last = request["messages"][-1]
    assert last["role"] == "user"
    return [b for b in last["content"] if b["type"] == "tool_result"]


def result_text(block: dict[str, Any]) -> str:
    content = block["content"]
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content)


def without_cache_marks(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            **m,
            "content": [{k: v for k, v in b.items() if k != "cache_control"} for b in m["content"]],
        }
        for m in messages
    ]


def first_text_delta(session: Any) -> asyncio.Event:
    """Set once the session has published the first piece of the answer's text: the point
    at which an interruption lands mid-stream (the scripted stream then holds)."""
    seen = asyncio.Event()

    def on_event(event: Any) -> None:
        if event.kind == "text_delta":
            seen.set()

    session.subscribe(on_event)
    return seen


def assert_valid_conversation(messages: list[dict[str, Any]]) -> None:
    """Alternating roles, and every tool_use answered in the next message."""
    for earlier, later in itertools.pairwise(messages):
        assert earlier["role"] != later["role"], messages
    for i, message in enumerate(messages):
        wanted = {b["id"] for b in conversation.tool_uses(message)}
        if wanted:
            answered = {
                b["tool_use_id"] for b in messages[i + 1]["content"] if b["type"] == "tool_result"
            }
            assert wanted <= answered


async def test_tool_loop_reads_a_file_then_answers(api, make_session, workspace: Path) -> None:
    (workspace / "notes.txt").write_text("buy oat milk\n")
    api.script(
        Reply([text("Let me look."), tool_use("Read", {"file_path": "notes.txt"})]),
        Reply([text("Your note says to buy oat milk.")]),
    )
    session = make_session()
    events = Recorder()
    session.subscribe(events)

    outcome = await session.submit("what is in my notes?")

    assert outcome.stop_reason == "end_turn"
    assert outcome.text == "Your note says to buy oat milk."
    (result,) = tool_results(api.requests[1])
    assert "buy oat milk" in result_text(result) and not result.get("is_error")
    assert events.kinds()[0] == "turn_started"
    assert events.kinds()[-1] == "turn_finished"
    started = events.of("tool_started")[0]
    assert started.name == "Read" and "notes.txt" in started.description
    assert events.text() == "Let me look.Your note says to buy oat milk."
    assert_valid_conversation(session.messages)


async def test_thinking_blocks_are_kept_with_their_signature(api, make_session) -> None:
    api.script(
        Reply([thinking("The user greets me.", "sig-1"), text("Hello!")]),
        Reply([text("Again, hello.")]),
    )
    session = make_session()
    events = Recorder()
    session.subscribe(events)
    await session.submit("hi")
    await session.submit("hi again")

    assert [e.text for e in events.of("thinking_delta")] == ["The user greets me."]
    sent_back = api.requests[1]["messages"][1]["content"][0]
    assert sent_back == {
        "type": "thinking",
        "thinking": "The user greets me.",
        "signature": "sig-1",
    }


def _probe_tool(name: str, concurrent: bool, log: list[str], barrier: asyncio.Barrier | None):
    class ProbeInput(BaseModel):
        label: str

    async def run(params: ProbeInput, ctx: Any) -> str:
        log.append(f"start {params.label}")
        if barrier is not None:
            # Both calls must be inside the tool at the same time to pass the barrier.
            await asyncio.wait_for(barrier.wait(), HANG_S)  # only a hang (or serial calls) waits
        await asyncio.sleep(0.01)
        log.append(f"end {params.label}")
        return f"done {params.label}"

    kind = ToolKind.READ if concurrent else ToolKind.INTERNAL
    return Tool(name, "probe", ProbeInput, kind, run, lambda p, c: p.label, concurrent=concurrent)


async def test_read_only_calls_of_one_message_run_concurrently(api, make_session) -> None:
    log: list[str] = []
    probe = _probe_tool("Probe", True, log, asyncio.Barrier(2))
    api.script(
        Reply([tool_use("Probe", {"label": "a"}), tool_use("Probe", {"label": "b"})]),
        Reply([text("ok")]),
    )
    session = make_session()
    session.tools = {"Probe": probe}

    await session.submit("probe twice")

    results = tool_results(api.requests[1])
    assert [result_text(r) for r in results] == ["done a", "done b"]
    assert not any(r.get("is_error") for r in results)
    assert log[:2] == ["start a", "start b"]


async def test_calls_that_change_things_run_one_after_another(api, make_session) -> None:
    log: list[str] = []
    step = _probe_tool("Step", False, log, None)
    api.script(
        Reply([tool_use("Step", {"label": "a"}), tool_use("Step", {"label": "b"})]),
        Reply([text("ok")]),
    )
    session = make_session()
    session.tools = {"Step": step}

    await session.submit("two steps")

    assert log == ["start a", "end a", "start b", "end b"]


async def test_edit_through_the_loop_refuses_a_file_changed_since_read(
    api, make_session, workspace: Path
) -> None:
    target = workspace / "app.py"
    target.write_text("print('one')\n")

    def change_file_then_edit(request: dict[str, Any]) -> Reply:
        target.write_text("print('changed by someone else')\n")
        return Reply(
            [tool_use("Edit", {"file_path": str(target), "old_string": "one", "new_string": "two"})]
        )

    api.script(
        Reply([tool_use("Read", {"file_path": str(target)})]),
        change_file_then_edit,
        Reply([text("The file changed; I stopped.")]),
    )
    session = make_session()
    session.subscribe(Recorder(answer=lambda _e: ALLOW))

    await session.submit("change one to two")

    (result,) = tool_results(api.requests[2])
    assert result["is_error"] is True
    assert "changed" in result_text(result).lower()
    assert target.read_text() == "print('changed by someone else')\n"


async def test_edit_through_the_loop_requires_a_unique_match(
    api, make_session, workspace: Path
) -> None:
    target = workspace / "twice.txt"
    target.write_text("x = 1\nx = 1\n")
    api.script(
        Reply([tool_use("Read", {"file_path": str(target)})]),
        Reply(
            [
                tool_use(
                    "Edit", {"file_path": str(target), "old_string": "x = 1", "new_string": "x = 2"}
                )
            ]
        ),
        Reply([text("ambiguous")]),
    )
    session = make_session()
    session.subscribe(Recorder(answer=lambda _e: ALLOW))

    await session.submit("set x to 2")

    (result,) = tool_results(api.requests[2])
    assert result["is_error"] is True and "2" in result_text(result)
    assert target.read_text() == "x = 1\nx = 1\n"


async def test_malformed_tool_input_becomes_an_error_result_and_the_loop_goes_on(
    api, make_session
) -> None:
    api.script(
        Reply(
            [
                tool_use("Read", '{"file_path": "a.txt", '),  # cut-off JSON
                tool_use("Read", {"path": "a.txt"}),  # wrong field name
                tool_use("Teleport", {"to": "mars"}),  # no such tool
            ]
        ),
        Reply([text("Sorry, let me fix my input.")]),
    )
    session = make_session()
    outcome = await session.submit("read a.txt")

    bad_json, wrong_field, unknown = tool_results(api.requests[1])
    assert bad_json["is_error"] and "not valid JSON" in result_text(bad_json)
    assert wrong_field["is_error"] and "file_path" in result_text(wrong_field)
    assert unknown["is_error"] and "Teleport" in result_text(unknown)
    assert outcome.stop_reason == "end_turn"
    sent_inputs = [b["input"] for b in api.requests[1]["messages"][1]["content"]]
    assert sent_inputs[0] == {}  # the unreadable input is not sent back as a string


async def test_denied_call_tells_the_model_it_was_denied(api, make_session, workspace) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "new.txt", "content": "hi"})]),
        Reply([text("Understood, I did not write it.")]),
    )
    session = make_session()
    events = Recorder(answer=lambda _e: PermissionAnswer(False, message="not now"))
    session.subscribe(events)

    await session.submit("write new.txt")

    (result,) = tool_results(api.requests[1])
    assert (
        result["is_error"] and "denied" in result_text(result) and "not now" in result_text(result)
    )
    assert not (workspace / "new.txt").exists()
    (question,) = events.of("permission_requested")
    assert question.name == "Write" and "new.txt" in question.description


async def test_without_anyone_to_ask_a_write_is_denied(api, make_session, workspace) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "new.txt", "content": "hi"})]),
        Reply([text("ok")]),
    )
    await make_session().submit("write new.txt")

    (result,) = tool_results(api.requests[1])
    # Refused, and not told to the model as the user's no: nobody was asked.
    told = result_text(result)
    assert result["is_error"] and "nobody was there to ask" in told and "denied" not in told
    assert not (workspace / "new.txt").exists()


async def test_plan_mode_denies_writes_without_asking(api, make_session, workspace) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "new.txt", "content": "hi"})]),
        Reply([text("Here is my plan instead.")]),
    )
    session = make_session(mode="plan")
    events = Recorder(answer=lambda _e: ALLOW)
    session.subscribe(events)
    await session.submit("write new.txt")

    (result,) = tool_results(api.requests[1])
    assert "plan mode" in result_text(result)
    assert events.of("permission_requested") == []
    assert not (workspace / "new.txt").exists()


async def test_interrupt_mid_stream_keeps_a_valid_conversation_that_goes_on(
    api: ScriptedAPI, make_session
) -> None:
    api.script(
        Reply(
            [text("I will now read every file, one by one"), tool_use("Read", {"file_path": "x"})],
            pause_after=4,
        ),
        Reply([text("Stopped. What next?")]),
    )
    session = make_session()
    streaming = first_text_delta(session)
    turn = asyncio.create_task(session.submit("read everything"))
    await asyncio.wait_for(streaming.wait(), HANG_S)
    session.interrupt()
    outcome = await asyncio.wait_for(turn, HANG_S)

    assert outcome.stop_reason == "interrupted"
    # The cut request's input was billed: it counts in the turn and the session.
    assert outcome.usage.input_tokens == 100 and session.state.usage.input_tokens == 100
    assert_valid_conversation(session.messages)
    assert session.messages[-1]["role"] == "assistant"
    assert session.messages[-1]["content"][0]["type"] == "text"

    second = await session.submit("never mind")
    assert second.stop_reason == "end_turn"
    sent = api.requests[1]["messages"]
    assert_valid_conversation(sent)
    assert sent[-1]["content"][-1]["text"] == "never mind"


async def test_interrupt_mid_tool_answers_the_call_and_resume_continues(
    api: ScriptedAPI, make_session, isolated_env: Path, workspace: Path
) -> None:
    tag = f"300.{uuid.uuid4().int % 10**8:08d}"
    api.script(
        Reply(
            [
                tool_use("Read", {"file_path": "a.txt"}),
                # Unique, so pgrep finds this sleep (in the sandbox's own PID namespace).
                tool_use("Bash", {"command": f"touch started; sleep {tag}"}),
            ]
        ),
        Reply([text("Picking up where we left off.")]),
    )
    (workspace / "a.txt").write_text("alpha\n")
    session = make_session()
    started = asyncio.Event()

    def on_event(event: Any) -> None:
        if event.kind == "permission_requested":
            event.answer(ALLOW)
        if event.kind == "tool_started" and event.name == "Bash":
            started.set()

    session.subscribe(on_event)
    turn = asyncio.create_task(session.submit("read then sleep"))
    await asyncio.wait_for(started.wait(), HANG_S)
    await wait_matching(f"^sleep {tag}$")  # the command runs: now the interruption lands
    assert (workspace / "started").exists()
    session.interrupt()
    # The sleep lasts 300 s: a turn that waited for it would hit this deadline. How soon
    # the stop comes is measured by benchmarks/responsiveness.py.
    outcome = await asyncio.wait_for(turn, HANG_S)
    assert await wait_none_matching(f"sleep {tag}"), "the interrupted command still runs"

    assert outcome.stop_reason == "interrupted"
    read_result, bash_result = session.messages[-1]["content"]
    assert "alpha" in result_text(read_result)
    assert bash_result["is_error"] and "nterrupted" in result_text(bash_result)
    await session.aclose()

    loaded = transcript.load(transcript.find_session(isolated_env / "sessions", "latest"))
    assert loaded.messages == session.messages
    resumed = make_session(resume=loaded)
    outcome = await resumed.submit("go on")
    assert outcome.text == "Picking up where we left off."
    sent = without_cache_marks(api.requests[1]["messages"])
    assert_valid_conversation(sent)
    assert sent[:2] == session.messages[:2]
    assert sent[2]["content"] == [
        *session.messages[2]["content"],
        {"type": "text", "text": "go on"},
    ]


async def test_overloaded_twice_then_success(api: ScriptedAPI, make_session) -> None:
    api.script(
        Failure(529, "Overloaded"),
        Failure(529, "Overloaded", headers={"retry-after": "0"}),
        Reply([text("Made it.")]),
    )
    session = make_session()
    events = Recorder()
    session.subscribe(events)

    outcome = await session.submit("hello")

    assert outcome.text == "Made it."
    assert len(api.requests) == 3
    retries = events.of("retrying")
    assert [r.attempt for r in retries] == [1, 2]
    assert retries[1].delay == 0  # retry-after honoured
    assert "overloaded" in retries[0].reason.lower()


async def test_an_error_event_mid_stream_is_retried_and_partial_text_discarded(
    api: ScriptedAPI, make_session
) -> None:
    api.script(
        StreamFailure(Reply([text("Half an answ")]), after_events=3), Reply([text("Whole.")])
    )
    session = make_session()
    events = Recorder()
    session.subscribe(events)

    outcome = await session.submit("hello")

    assert outcome.text == "Whole."
    (retry,) = events.of("retrying")
    assert retry.discarded_text is True
    assert session.messages[-1]["content"] == [{"type": "text", "text": "Whole."}]


async def test_rate_limited_past_the_retries_fails_with_one_line(
    api: ScriptedAPI, make_session
) -> None:
    api.script(*[Failure(429, "Number of requests has exceeded your rate limit")] * 4)
    session = make_session()
    events = Recorder()
    session.subscribe(events)

    outcome = await session.submit("hello")

    assert outcome.stop_reason == "error"
    assert outcome.error.startswith("Rate limited by the API (429)")
    assert "\n" not in outcome.error
    assert len(api.requests) == 4  # FAST_RETRY allows four attempts
    assert events.of("error")[0].message == outcome.error


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (401, "The API key was rejected"),
        (403, "403 permission denied"),
        (400, "The API rejected the request (400)"),
    ],
)
async def test_client_errors_fail_at_once_with_one_line(
    api: ScriptedAPI, make_session, status: int, expected: str
) -> None:
    api.script(Failure(status, "bad things"))
    outcome = await make_session().submit("hello")

    assert outcome.stop_reason == "error"
    assert expected in outcome.error and "\n" not in outcome.error
    assert len(api.requests) == 1


async def test_requests_carry_cache_breakpoints_on_prefix_and_latest_turn(
    api: ScriptedAPI, make_session
) -> None:
    api.script(Reply([text("one")]), Reply([text("two")]))
    session = make_session()
    await session.submit("first")
    await session.submit("second")

    request = api.requests[1]
    assert request["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert request["tools"][-1]["cache_control"] == {"type": "ephemeral"}
    messages = request["messages"]
    assert messages[-1]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    assert messages[0]["content"][-1]["cache_control"] == {"type": "ephemeral"}
    marks = sum("cache_control" in b for m in messages for b in m["content"])
    assert marks == 2
    # The stored conversation stays clean: breakpoints are added per request only.
    assert all("cache_control" not in b for m in session.messages for b in m["content"])


async def test_usage_and_cost_add_up_per_turn_and_session(api: ScriptedAPI, make_session) -> None:
    usage = {
        "input_tokens": 1000,
        "output_tokens": 200,
        "cache_creation_input_tokens": 4000,
        "cache_read_input_tokens": 0,
    }
    cached = {**usage, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 4000}
    api.script(
        Reply([tool_use("Glob", {"pattern": "*"})], usage=usage),
        Reply([text("done")], usage=cached),
        Reply([text("again")], usage=cached),
    )
    session = make_session(model="claude-sonnet-4-6")
    events = Recorder()
    session.subscribe(events)
    await session.submit("list files")
    await session.submit("again")

    first, second = events.of("turn_finished")
    assert first.usage.input_tokens == 2000 and first.usage.output_tokens == 400
    assert first.usage.cache_write_tokens == 4000 and first.usage.cache_read_tokens == 4000
    # Sonnet: $3 in, $15 out, cache write 3.75, cache read 0.30 per million tokens.
    expected = (2000 * 3 + 400 * 15 + 4000 * 3.75 + 4000 * 0.3) / 1e6
    assert first.cost_usd == pytest.approx(expected)
    assert second.session_usage.input_tokens == 3000
    assert second.session_cost_usd == pytest.approx(first.cost_usd + second.cost_usd)


async def test_turn_limit_stops_a_model_that_never_ends(api: ScriptedAPI, make_session) -> None:
    api.script(*[Reply([tool_use("Glob", {"pattern": "*"})]) for _ in range(3)])
    outcome = await make_session(max_turns=3).submit("loop forever")

    assert outcome.stop_reason == "max_turns"
    assert len(api.requests) == 3


async def test_a_conversation_near_the_window_is_compacted_instead_of_failing(
    api: ScriptedAPI, make_session
) -> None:
    big = "word " * 1500  # about 1900 tokens by the local estimate
    api.script(
        Reply([text("first answer " + big)], usage={"input_tokens": 2500, "output_tokens": 1900}),
        # The API reports 5700 prompt tokens: past 80 % of (8000 - 1000) for the next turn.
        Reply([text("second answer")], usage={"input_tokens": 5700, "output_tokens": 5}),
        Reply([text("Summary: the user asked twice; answers were given.")]),  # the summary call
        Reply([text("third answer")]),
    )
    api.count_tokens = 6000
    session = make_session(context_window=8000, max_tokens=1000)
    events = Recorder()
    session.subscribe(events)
    await session.submit("first question")
    await session.submit("second question")
    outcome = await session.submit("third question")

    assert outcome.text == "third answer"
    (compacted,) = events.of("compacted")
    assert compacted.tokens_before == 6000 and compacted.messages_replaced > 0
    summary_request = api.requests[2]
    assert not summary_request.get("stream")
    assert "first question" in summary_request["messages"][0]["content"]
    final = api.requests[3]["messages"]
    assert final[0]["content"][0]["text"].startswith("<summary of the earlier conversation>")
    assert "first question" not in str(final)
    assert_valid_conversation(final)


async def test_count_tokens_failure_falls_back_to_the_local_estimate(
    api: ScriptedAPI, make_session
) -> None:
    big = "word " * 2500
    api.script(
        Reply([text(big)], usage={"input_tokens": 3000, "output_tokens": 3200}),
        Reply([text("summary")]),
        Reply([text("ok")]),
    )
    api.count_tokens = Failure(500)
    session = make_session(context_window=8000, max_tokens=1000)
    events = Recorder()
    session.subscribe(events)
    await session.submit("one")
    await session.submit("two")

    assert len(api.count_requests) == 1
    assert len(events.of("compacted")) == 1


async def test_a_torn_last_transcript_line_is_skipped_and_the_session_resumes(
    api: ScriptedAPI, make_session, isolated_env: Path
) -> None:
    api.script(Reply([text("first")]), Reply([text("second")]))
    session = make_session()
    await session.submit("one")
    await session.aclose()
    path = isolated_env / "sessions" / f"{session.id}.jsonl"
    torn = '{"type": "message", "message": {"role": "user", "cont'  # a crash mid-write
    path.write_text(path.read_text() + torn)

    loaded = transcript.load(path)
    assert len(loaded.warnings) == 1 and "cut off" in loaded.warnings[0]
    assert loaded.messages == session.messages

    resumed = make_session(resume=loaded)
    await resumed.submit("two")
    await resumed.aclose()
    again = transcript.load(path)
    assert again.warnings == []
    assert [m["role"] for m in again.messages] == ["user", "assistant", "user", "assistant"]
    assert again.turns == 2


def test_damage_before_the_last_line_is_reported(isolated_env: Path) -> None:
    directory = isolated_env / "sessions"
    directory.mkdir(parents=True)
    path = directory / "20260101-000000-abcd.jsonl"
    path.write_text(
        '{"type": "session", "id": "20260101-000000-abcd"}\nGARBAGE\n{"type": "prompt"}\n'
    )

    with pytest.raises(transcript.TranscriptDamaged, match="line 2"):
        transcript.load(path)
    (summary,) = transcript.list_sessions(directory)
    assert "damaged" in summary.problem


def test_every_default_tool_has_a_schema_the_api_accepts() -> None:
    for tool in default_tools():
        schema = tool.api_schema()
        if "type" in schema:  # one of Anthropic's typed tools (memory): no schema of ours
            assert set(schema) == {"type", "name"}
            continue
        assert schema["input_schema"]["type"] == "object"
        assert schema["description"]
        assert "title" not in schema["input_schema"]


async def test_a_turn_cancelled_from_outside_is_saved_before_it_stops(
    api: ScriptedAPI, make_session, isolated_env: Path
) -> None:
    api.script(Reply([text("Partial answer that never ends")], pause_after=3))
    session = make_session()
    streaming = first_text_delta(session)
    turn = asyncio.create_task(session.submit("talk"))
    await asyncio.wait_for(streaming.wait(), HANG_S)
    turn.cancel()  # e.g. the app shutting down, not the user's stop button
    with pytest.raises(asyncio.CancelledError):
        await turn

    loaded = transcript.load(isolated_env / "sessions" / f"{session.id}.jsonl")
    assert loaded.turns == 1
    assert loaded.messages[-1]["content"][0]["text"].startswith("Partial")


async def test_always_allow_saves_a_precise_rule_and_stops_asking(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    write = {"file_path": "notes.txt", "content": "one\n"}
    api.script(
        Reply([tool_use("Write", write)]),
        Reply([text("Written.")]),
        Reply([tool_use("Write", {**write, "content": "two\n"})]),
        Reply([text("Written again.")]),
    )
    (workspace / "notes.txt").write_text("zero\n")
    session = make_session()
    session.ctx.files.record(workspace / "notes.txt", b"zero\n")
    questions = Recorder(answer=lambda _e: PermissionAnswer(True, always=True))
    session.subscribe(questions)

    await session.submit("write one")
    session.ctx.files.record(workspace / "notes.txt", b"one\n")
    await session.submit("write two")

    (question,) = questions.of("permission_requested")
    assert question.always_rule == "Edit(notes.txt)"
    assert (workspace / "notes.txt").read_text() == "two\n"
    stored = json.loads(store_path().read_text())
    assert stored["workspaces"][str(session.engine.workspace)]["allow"] == ["Edit(notes.txt)"]


async def test_an_api_key_in_an_api_error_is_not_stored_in_the_transcript(
    api: ScriptedAPI, make_session, isolated_env: Path
) -> None:
    key = "sk-ant-api03-" + "Q" * 40
    api.script(Failure(400, f"the key {key} is not valid"))
    session = make_session()

    await session.submit("hello")

    stored = session.transcript.path.read_text()
    assert key not in stored and "sk-ant-api0" in stored  # masked, not dropped

"""Speaking while Harken works: what is said mid-turn reaches the running turn's next
request, after the round's tool_results, and the conversation stays valid (the scripted
API refuses an invalid one with a 400, as the real API does)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent import conversation
from agent.events import PermissionAnswer
from agent.follow_ups import PREFIX, FollowUps
from tests.conftest import Recorder
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


def last_user_blocks(request: dict[str, Any]) -> list[dict[str, Any]]:
    last = request["messages"][-1]
    assert last["role"] == "user"
    return last["content"]


async def test_follow_up_said_during_a_tool_joins_the_next_request_after_its_result(
    api: ScriptedAPI, make_session: Any, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("buy oat milk\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "notes.txt"})]),
        Reply([text("Done, and the linter too.")]),
    )
    session = make_session()
    session.subscribe(Recorder(lambda _: PermissionAnswer(True)))
    # Said while the tool runs: the hotkey's take is queued from another thread.
    session.subscribe(
        lambda e: (
            session.follow_ups.add("also run the linter") if e.kind == "tool_started" else None
        )
    )

    outcome = await session.submit("read my notes")

    assert outcome.stop_reason == "end_turn"
    assert api.rejections == []
    blocks = last_user_blocks(api.requests[1])
    assert [b["type"] for b in blocks] == ["tool_result", "text"]
    assert blocks[1]["text"] == PREFIX + "also run the linter"
    assert conversation.problems(session.messages) == []
    assert session.follow_ups.pending == 0


async def test_follow_up_said_while_the_model_answers_makes_the_turn_go_on(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply([text("Here is the plan.")]), Reply([text("Using tabs, then.")]))
    session = make_session()
    said = []

    def on_event(event: Any) -> None:
        if event.kind == "text_delta" and not said:
            said.append(True)
            session.follow_ups.add("use tabs, not spaces")

    session.subscribe(on_event)

    outcome = await session.submit("write a style guide")

    assert outcome.text == "Using tabs, then."
    assert len(api.requests) == 2
    assert api.rejections == []
    assert last_user_blocks(api.requests[1]) == [
        {
            "type": "text",
            "text": PREFIX + "use tabs, not spaces",
            "cache_control": {"type": "ephemeral"},
        }
    ]
    assert conversation.problems(session.messages) == []


async def test_a_turn_without_follow_ups_sends_one_request(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply([text("Hi.")]))
    session = make_session()
    await session.submit("hello")
    assert len(api.requests) == 1


def test_follow_ups_keep_their_order_and_ignore_blank_text() -> None:
    queue = FollowUps()
    queue.add("first")
    queue.add("   ")
    queue.add("second")
    assert [b["text"] for b in queue.blocks()] == [PREFIX + "first", PREFIX + "second"]
    assert queue.blocks() == []


def test_join_merges_into_a_message_of_tool_results_after_them() -> None:
    messages: list[dict[str, Any]] = [
        conversation.user_text("go"),
        {"role": "assistant", "content": [tool_use("Read", {"file_path": "a"}, id="t1")]},
        {"role": "user", "content": [conversation.tool_result("t1", "ok")]},
    ]
    recorded: list[dict[str, Any]] = []
    queue = FollowUps()
    assert not queue.join(messages, recorded.append)
    queue.add("and b")
    assert queue.join(messages, recorded.append)
    assert [b["type"] for b in messages[-1]["content"]] == ["tool_result", "text"]
    assert recorded == [messages[-1]]
    assert conversation.problems(messages) == []

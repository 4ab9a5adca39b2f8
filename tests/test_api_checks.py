"""The scripted server refuses what the real Messages API refuses; many tests rely on it
(``api.rejections == []`` means Harken sent nothing the API would turn down)."""

from __future__ import annotations

import json
from typing import Any

import anthropic
import pytest

from tests.api_checks import request_problem
from tests.conftest import TEST_KEY
from tests.scripted_api import Reply, ScriptedAPI, text


def body(*messages: dict[str, Any]) -> bytes:
    return json.dumps({"model": "m", "max_tokens": 10, "messages": list(messages)}).encode()


def user(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "user", "content": list(blocks)}


def assistant(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": list(blocks)}


USE = {"type": "tool_use", "id": "toolu_1", "name": "Read", "input": {}}
RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "ok"}


@pytest.mark.parametrize(
    ("raw", "refused_for"),
    [
        (body(user(text("hi")), assistant(), user(text("again"))), "non-empty content"),
        (body(user(text(""))), "text content blocks must be non-empty"),
        (body(user(text("hi")), assistant(USE), user(text("no result"))), "without `tool_result`"),
        (body(user(RESULT, text("hi"))), "unexpected `tool_use_id`"),
        (body(user(text("caf\udce9"))), "no low surrogate"),
        (b'{"messages": [{"role": "user", "content": "caf\xe9"}]}', "not valid UTF-8"),
    ],
    ids=["empty-message", "empty-text", "unanswered-call", "orphan-result", "surrogate", "bytes"],
)
def test_a_request_the_api_refuses_is_refused(raw: bytes, refused_for: str) -> None:
    problem = request_problem(raw)
    assert problem is not None and refused_for in problem


def test_a_valid_conversation_passes() -> None:
    raw = body(
        user(text("hi")),
        assistant(text("Reading."), USE),
        user(RESULT, text("and then?")),
        assistant(),  # an empty final assistant message is a prefill: allowed
    )
    assert request_problem(raw) is None


def test_the_server_answers_400_and_keeps_its_script(api: ScriptedAPI) -> None:
    api.script(Reply([text("fine")]))
    client = anthropic.Anthropic(api_key=TEST_KEY, base_url=api.base_url, max_retries=0)  # type: ignore[attr-defined]
    bad = [user(text("hi")), assistant(), user(text("again"))]

    with pytest.raises(anthropic.BadRequestError, match="non-empty content"):
        client.messages.create(model="m", max_tokens=10, messages=bad)
    answer = client.messages.create(model="m", max_tokens=10, messages=bad[:1])

    assert answer.content[0].text == "fine"
    assert len(api.rejections) == 1
    client.close()

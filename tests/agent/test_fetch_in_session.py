"""WebFetch of a local host through a whole session: the question, the answer, the rule.

A "yes" to one fetch is not a rule: WebFetch still refuses a loopback host and says which
rule would let it through. "Always allow" saves exactly that rule, so the same call
fetches at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agent.events import PermissionAnswer
from tests.conftest import Recorder
from tests.recording_server import RecordingServer
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingServer]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with RecordingServer("127.0.0.1") as recording:
        yield recording


def tool_result(api: ScriptedAPI, request: int) -> dict[str, Any]:
    (block,) = api.requests[request]["messages"][-1]["content"]
    assert block["type"] == "tool_result"
    return block


def result_text(block: dict[str, Any]) -> str:
    content = block["content"]
    return content if isinstance(content, str) else "".join(b["text"] for b in content)


async def test_always_allow_for_a_local_host_lets_that_very_call_fetch(
    api: ScriptedAPI, make_session: Any, server: RecordingServer
) -> None:
    url = f"{server.url}/docs"
    api.script(Reply([tool_use("WebFetch", {"url": url, "prompt": "read"})]), Reply([text("ok")]))
    session = make_session(mode="standard")
    questions = Recorder(answer=lambda _e: PermissionAnswer(True, always=True))
    session.subscribe(questions)

    await session.submit("read the local docs")

    (question,) = questions.of("permission_requested")
    assert question.always_rule == "WebFetch(domain:127.0.0.1)"
    block = tool_result(api, 1)
    assert not block.get("is_error"), result_text(block)
    assert server.requests == ["/docs"]


async def test_allow_once_for_a_local_host_is_refused_with_the_rule_to_add(
    api: ScriptedAPI, make_session: Any, server: RecordingServer
) -> None:
    url = f"{server.url}/collect?d=API_KEY%3Dsk-live-123"
    api.script(Reply([tool_use("WebFetch", {"url": url, "prompt": "read"})]), Reply([text("ok")]))
    session = make_session(mode="standard")
    session.subscribe(Recorder(answer=lambda _e: PermissionAnswer(True)))

    await session.submit("send it")

    block = tool_result(api, 1)
    assert block.get("is_error")
    assert "a loopback address" in result_text(block)
    assert "WebFetch(domain:127.0.0.1)" in result_text(block)
    assert server.requests == []

"""Shared parts of the subagent and coordinator tests: routes and checks."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent import conversation, transcript
from tests.processes import HANG_S
from tests.scripted_api import request_text


def system_text(request: dict[str, Any]) -> str:
    system = request.get("system") or ""
    return system if isinstance(system, str) else "\n".join(b["text"] for b in system)


def last_text(request: dict[str, Any]) -> str:
    return request_text({"messages": request["messages"]})


def agent_of(kind: str, *, last: str = "") -> Callable[[dict[str, Any]], bool]:
    """Picks requests of an agent whose system prompt starts ``You are <kind>`` and, if
    given, whose last message holds ``last``."""

    def picks(request: dict[str, Any]) -> bool:
        return system_text(request).startswith(f"You are {kind}") and last in last_text(request)

    return picks


def parent(*, last: str = "") -> Callable[[dict[str, Any]], bool]:
    """Picks the ordinary (Harken) session's requests."""

    def picks(request: dict[str, Any]) -> bool:
        return system_text(request).startswith("You are Harken") and last in last_text(request)

    return picks


def tool_names(request: dict[str, Any]) -> set[str]:
    return {tool["name"] for tool in request.get("tools", [])}


def tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    last = request["messages"][-1]
    assert last["role"] == "user"
    return [b for b in last["content"] if b["type"] == "tool_result"]


def result_text(block: dict[str, Any]) -> str:
    content = block["content"]
    if isinstance(content, str):
        return content
    return "".join(b.get("text", "") for b in content)


def assert_valid_conversation(messages: list[dict[str, Any]]) -> None:
    """Alternating roles, and every tool_use answered in the next message."""
    assert messages and messages[0]["role"] == "user"
    for earlier, later in itertools.pairwise(messages):
        assert earlier["role"] != later["role"], messages
    for i, message in enumerate(messages):
        wanted = {b["id"] for b in conversation.tool_uses(message)}
        if wanted:
            answered = {
                b["tool_use_id"] for b in messages[i + 1]["content"] if b["type"] == "tool_result"
            }
            assert wanted <= answered


def subagent_transcripts(sessions_dir: Path, parent_id: str) -> list[Path]:
    return sorted((sessions_dir / parent_id / "subagents").glob("*.jsonl"))


def assert_valid_transcript(path: Path) -> transcript.LoadedSession:
    loaded = transcript.load(path)
    assert not loaded.repaired
    assert_valid_conversation(loaded.messages)
    return loaded


async def until(condition: Callable[[], bool]) -> None:
    """Wait until ``condition()`` holds (checked every few milliseconds; HANG_S at most)."""
    async with asyncio.timeout(HANG_S):
        while not condition():  # noqa: ASYNC110 (the state is the server thread's)
            await asyncio.sleep(0.005)

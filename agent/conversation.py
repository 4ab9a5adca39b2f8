"""Operations on the message list that keep it valid for the Messages API.

The list alternates user and assistant messages; every ``tool_use`` block of an assistant
message is answered by a ``tool_result`` in the next user message. These helpers keep that
true across new prompts, interruptions and resumes.
"""

from __future__ import annotations

import copy
from typing import Any

Message = dict[str, Any]

INTERRUPTED = "Interrupted by the user: this tool call did not run."


def user_text(text: str) -> Message:
    return {"role": "user", "content": [{"type": "text", "text": text}]}


def tool_result(
    tool_use_id: str, content: str | list[dict[str, Any]], is_error: bool = False
) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": tool_use_id, "content": content}
    if is_error:
        block["is_error"] = True
    return block


def tool_uses(message: Message) -> list[dict[str, Any]]:
    """The tool_use blocks of an assistant message."""
    content = message.get("content")
    if message.get("role") != "assistant" or not isinstance(content, list):
        return []
    return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_use"]


def unanswered_tool_uses(messages: list[Message]) -> list[str]:
    """Ids of tool_use blocks in the last assistant message that have no tool_result."""
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].get("role") == "assistant":
            answered = set()
            for later in messages[i + 1 :]:
                for block in later.get("content") or []:
                    if isinstance(block, dict) and block.get("type") == "tool_result":
                        answered.add(block.get("tool_use_id"))
            return [b["id"] for b in tool_uses(messages[i]) if b["id"] not in answered]
    return []


def add_user_content(messages: list[Message], blocks: list[dict[str, Any]]) -> Message:
    """Append ``blocks`` as user content, merging into a trailing user message.

    Returns the message that now holds them (new or merged), for the transcript.
    """
    if messages and messages[-1].get("role") == "user":
        last = messages[-1]
        if isinstance(last["content"], str):
            last["content"] = [{"type": "text", "text": last["content"]}]

        # tool_results must come first in a user message, before any text.
        def results(content: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [b for b in content if b.get("type") == "tool_result"]

        def others(content: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [b for b in content if b.get("type") != "tool_result"]

        old = last["content"]
        last["content"] = results(old) + results(blocks) + others(old) + others(blocks)
        return last
    message = {"role": "user", "content": list(blocks)}
    messages.append(message)
    return message


def settle(messages: list[Message], note: str = INTERRUPTED) -> list[dict[str, Any]]:
    """Answer every unanswered tool_use with an error result; returns the blocks added."""
    missing = unanswered_tool_uses(messages)
    blocks = [tool_result(tool_id, note, is_error=True) for tool_id in missing]
    if blocks:
        add_user_content(messages, blocks)
    return blocks


def turn_starts(messages: list[Message]) -> list[int]:
    """Indexes of user messages that begin a turn (hold text, not only tool results)."""
    starts = []
    for i, message in enumerate(messages):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str) or any(
            isinstance(b, dict) and b.get("type") != "tool_result" for b in content or []
        ):
            starts.append(i)
    return starts


def with_cache_breakpoints(messages: list[Message]) -> list[Message]:
    """A copy with ``cache_control`` on the last block of the last message and of the user
    message before it, so each request reads the previous request's prefix from cache."""
    marked = list(messages)
    user_positions = [i for i, m in enumerate(messages) if m.get("role") == "user"]
    targets = {len(messages) - 1} if messages else set()
    if len(user_positions) >= 2:
        targets.add(user_positions[-2])
    for i in targets:
        message = copy.copy(messages[i])
        content = message["content"]
        if isinstance(content, str):
            content = [{"type": "text", "text": content}]
        content = list(content)
        if not content:
            continue
        last = dict(content[-1])
        if last.get("type") in ("thinking", "redacted_thinking"):
            continue  # thinking blocks cannot carry cache_control
        last["cache_control"] = {"type": "ephemeral"}
        content[-1] = last
        message["content"] = content
        marked[i] = message
    return marked

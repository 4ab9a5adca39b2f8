"""No empty message in a conversation: the API refuses the whole request if one is there.

A reply with ``"content": []`` (or only empty text) stored by an older Harken makes every
later request of that session fail with a 400 ("all messages must have non-empty
content"). Such a message is dropped, and the two messages it separated, now of the same
role, become one (tool results first, as a user message needs them).

    is_empty(message)                  no content the API would take
    without_empty_messages(messages)   a repaired copy (the same list if nothing changed)
"""

from __future__ import annotations

from typing import Any

Message = dict[str, Any]


def is_empty(message: Message) -> bool:
    """True when ``message`` has no content, or only text blocks without text."""
    content = message.get("content")
    if isinstance(content, str):
        return not content
    if not content:
        return True
    return all(
        isinstance(block, dict) and block.get("type") == "text" and not block.get("text")
        for block in content
    )


def without_empty_messages(messages: list[Message]) -> list[Message]:
    """``messages`` without empty messages or empty text blocks, neighbours of one role
    joined. Returns ``messages`` itself when it needed no repair; never changes it."""
    if not any(is_empty(m) or _has_empty_text(m) for m in messages):
        return messages
    repaired: list[Message] = []
    for message in messages:
        if is_empty(message):
            continue
        message = _without_empty_text(message)
        if repaired and repaired[-1].get("role") == message.get("role"):
            repaired[-1] = _joined(repaired[-1], message)
        else:
            repaired.append(message)
    return repaired


def _has_empty_text(message: Message) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(
        isinstance(b, dict) and b.get("type") == "text" and not b.get("text") for b in content
    )


def _without_empty_text(message: Message) -> Message:
    if not _has_empty_text(message):
        return message
    content = [
        b
        for b in message["content"]
        if not (isinstance(b, dict) and b.get("type") == "text" and not b.get("text"))
    ]
    return {**message, "content": content}


def _blocks(message: Message) -> list[dict[str, Any]]:
    content = message["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else list(content)


def _joined(first: Message, second: Message) -> Message:
    blocks = _blocks(first) + _blocks(second)
    if first.get("role") == "user":
        # tool_result blocks must open a user message, before any text.
        results = [b for b in blocks if b.get("type") == "tool_result"]
        blocks = results + [b for b in blocks if b.get("type") != "tool_result"]
    return {**first, "content": blocks}

"""No empty message in a conversation: the API refuses the whole request if one is there.

What the API refuses (each with a 400, on this and every later request of the session):
a message without content; a text block that is empty or only whitespace ("text content
blocks must contain non-whitespace text"); an assistant message whose last block is
``thinking`` ("The final block in an assistant message cannot be `thinking`"), so a
reply that held only thinking is as empty as one that held nothing.

A message stored by an older Harken with such content is repaired: blank text blocks
(also inside tool results) go, trailing thinking goes, a message left with nothing is
dropped, and the two messages it separated, now of the same role, become one (tool
results first, as a user message needs them).

    is_blank(block)                    a text block without visible text
    keepable(blocks)                   an assistant reply's blocks as the API takes them back
    is_empty(message)                  no content the API would take
    without_empty_messages(messages)   a repaired copy (the same list if nothing changed)
"""

from __future__ import annotations

from typing import Any

Message = dict[str, Any]

THINKING = ("thinking", "redacted_thinking")
NO_OUTPUT = "(no output)"  # a tool result left with no text at all


def is_blank(block: Any) -> bool:
    """True for a text block whose text is empty or only whitespace."""
    return (
        isinstance(block, dict)
        and block.get("type") == "text"
        and not str(block.get("text") or "").strip()
    )


def keepable(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``blocks`` (an assistant message's) without blank text and without thinking at
    the end; empty when nothing else was there (a reply of only thinking says nothing)."""
    kept = [b for b in blocks if not is_blank(b)]
    while kept and isinstance(kept[-1], dict) and kept[-1].get("type") in THINKING:
        kept.pop()
    return kept


def is_empty(message: Message) -> bool:
    """True when ``message`` has no content the API would take."""
    content = message.get("content")
    if isinstance(content, str):
        return not content.strip()
    return not keepable(list(content or []))


def without_empty_messages(messages: list[Message]) -> list[Message]:
    """``messages`` without empty messages, blank text blocks or trailing thinking,
    neighbours of one role joined. Returns ``messages`` itself when it needed no repair;
    never changes it."""
    if not any(is_empty(m) or _repaired(m) is not m for m in messages):
        return messages
    repaired: list[Message] = []
    for message in messages:
        if is_empty(message):
            continue
        message = _repaired(message)
        if repaired and repaired[-1].get("role") == message.get("role"):
            repaired[-1] = _joined(repaired[-1], message)
        else:
            repaired.append(message)
    return repaired


def _repaired(message: Message) -> Message:
    """``message`` without blank text, trailing thinking (assistant) or blank text in
    tool results; the same object when it had none."""
    content = message.get("content")
    if not isinstance(content, list):
        return message
    blocks = [_result_repaired(b) for b in content]
    if message.get("role") == "assistant":
        blocks = keepable(blocks)
    else:
        blocks = [b for b in blocks if not is_blank(b)]
    same = len(blocks) == len(content) and all(a is b for a, b in zip(blocks, content, strict=True))
    return message if same else {**message, "content": blocks}


def _result_repaired(block: Any) -> Any:
    if not isinstance(block, dict) or block.get("type") != "tool_result":
        return block
    body = block.get("content")
    if not isinstance(body, list) or not any(is_blank(part) for part in body):
        return block
    parts = [part for part in body if not is_blank(part)]
    return {**block, "content": parts or NO_OUTPUT}


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

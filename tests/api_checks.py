"""What the real Messages API refuses with a 400, so the scripted server refuses it too.

Every test that talks to ``tests/scripted_api.py`` then also checks that Harken never sends
a request the real API would reject. The rules and their messages are the API's own, as
its 400 responses word them:

- the body is UTF-8 JSON without lone surrogates ("no low surrogate in string");
- no message has empty content, and no text block is empty;
- every ``tool_use`` of an assistant message is answered by a ``tool_result`` in the next
  message, and every ``tool_result`` answers a ``tool_use`` of the message before it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def request_problem(body: bytes) -> str | None:
    """Why the API would refuse this request body, or None when it would take it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"The request body is not valid UTF-8: {exc.reason} at byte {exc.start}"
    try:
        request = json.loads(text or "{}")
    except ValueError as exc:
        return f"The request body is not valid JSON: {exc}"
    for path, value in _strings(request, "body"):
        if _SURROGATE.search(value):
            return f"The request body is not valid JSON: no low surrogate in string ({path})"
    messages = request.get("messages")
    if not isinstance(messages, list):
        return None
    return _messages_problem(messages)


def _messages_problem(messages: list[Any]) -> str | None:
    for i, message in enumerate(messages):
        content = message.get("content")
        final_assistant = i == len(messages) - 1 and message.get("role") == "assistant"
        if not content and not final_assistant:
            return (
                f"messages.{i}: all messages must have non-empty content except for the "
                "optional final assistant message"
            )
        if isinstance(content, str):
            continue
        for block in content:
            if block.get("type") == "text" and not block.get("text"):
                return "messages: text content blocks must be non-empty"
        problem = _results_problem(messages, i)
        if problem:
            return problem
    return None


def _results_problem(messages: list[Any], i: int) -> str | None:
    """Checks the tool_use blocks of message ``i`` against the results in ``i + 1``."""
    message = messages[i]
    uses = [b["id"] for b in _blocks(message) if b.get("type") == "tool_use"]
    later = messages[i + 1] if i + 1 < len(messages) else None
    answered = [b.get("tool_use_id") for b in _blocks(later) if b.get("type") == "tool_result"]
    if message.get("role") == "assistant" and later is not None:
        missing = [tool_id for tool_id in uses if tool_id not in answered]
        if missing:
            return (
                f"messages.{i + 1}: `tool_use` ids were found without `tool_result` blocks "
                f"immediately after: {', '.join(missing)}. Each `tool_use` block must have a "
                "corresponding `tool_result` block in the next message."
            )
    if message.get("role") == "user":
        earlier = messages[i - 1] if i > 0 else None
        offered = {b.get("id") for b in _blocks(earlier) if b.get("type") == "tool_use"}
        for j, block in enumerate(_blocks(message)):
            if block.get("type") == "tool_result" and block.get("tool_use_id") not in offered:
                return (
                    f"messages.{i}.content.{j}: unexpected `tool_use_id` found in "
                    f"`tool_result` blocks: {block.get('tool_use_id')}. Each `tool_result` "
                    "block must have a corresponding `tool_use` block in the previous message."
                )
    return None


def _blocks(message: Any) -> list[dict[str, Any]]:
    if not isinstance(message, dict) or not isinstance(message.get("content"), list):
        return []
    return [b for b in message["content"] if isinstance(b, dict)]


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON value (keys too), with where it is."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}", key
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}")

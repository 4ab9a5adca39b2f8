"""The context guard: notice a conversation nearing the model's window, and compact it.

Counting is cheap most of the time: the last response's usage says exactly how many
tokens the prompt had, and only what was added since is estimated locally. Near the limit
the count_tokens endpoint gives the exact figure (falling back to the estimate when it
fails). Compaction summarises the oldest turns with the model and keeps recent turns whole,
cutting only at turn boundaries so tool calls and their results stay paired.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.conversation import Message, turn_starts
from agent.model import ModelClient, ModelRequest
from agent.prompts import compaction_prompt
from agent.usage import Usage

log = logging.getLogger(__name__)

IMAGE_TOKENS = 1600  # what the API bills for a typical screenshot-sized image
SUMMARY_INPUT_CAP = 2000  # characters kept of each tool input or result in the summary input


def estimate_tokens(value: Any) -> int:
    """A local estimate: about four characters per token for English and code."""
    if isinstance(value, str):
        return len(value) // 4 + 1
    if isinstance(value, list):
        return sum(estimate_tokens(v) for v in value)
    if isinstance(value, dict):
        if value.get("type") == "image":
            return IMAGE_TOKENS
        return sum(estimate_tokens(v) for k, v in value.items() if k != "cache_control") + 2
    return len(json.dumps(value, default=str)) // 4 + 1


@dataclass
class ContextGuard:
    """Tracks how full the context is; ``over_limit`` tells when to compact."""

    window: int
    max_output: int
    threshold: float = 0.8
    known_tokens: int = 0
    known_messages: int = 0

    @property
    def limit(self) -> int:
        return int((self.window - self.max_output) * self.threshold)

    def estimate(self, fixed_tokens: Callable[[], int], messages: list[Message]) -> int:
        """Prompt tokens now: the last exact count plus an estimate of what came since.
        ``fixed_tokens`` (system prompt and tools) is only estimated when no count is known."""
        if self.known_tokens and self.known_messages <= len(messages):
            return self.known_tokens + estimate_tokens(messages[self.known_messages :])
        return fixed_tokens() + estimate_tokens(messages)

    def observe(self, usage: Usage, message_count: int) -> None:
        """Remember the exact prompt size of a request that had ``message_count`` messages."""
        self.known_tokens = usage.prompt_tokens
        self.known_messages = message_count

    def forget(self) -> None:
        self.known_tokens = 0
        self.known_messages = 0


def split_point(messages: list[Message], keep_budget: int) -> int:
    """The index where kept messages begin: the earliest turn start whose tail fits in
    ``keep_budget`` tokens, else the last turn start. 0 means nothing can be compacted."""
    starts = [i for i in turn_starts(messages) if i > 0]
    for start in starts:
        if estimate_tokens(messages[start:]) <= keep_budget:
            return start
    return starts[-1] if starts else 0


async def compact(
    client: ModelClient, model: str, messages: list[Message], keep_budget: int
) -> tuple[list[Message], int, Usage] | None:
    """Summarise the older part of ``messages``. Returns the new list, how many messages
    were replaced and the summary call's usage; None when there is nothing to compact."""
    split = split_point(messages, keep_budget)
    if split == 0:
        return None
    transcript = render_for_summary(messages[:split])
    request = ModelRequest(
        model=model,
        system=[{"type": "text", "text": compaction_prompt()}],
        messages=[{"role": "user", "content": transcript}],
        max_tokens=2048,
    )
    reply = await client.complete(request)
    summary = "".join(b.get("text", "") for b in reply.content if b.get("type") == "text")
    first = dict(messages[split])
    content = first["content"]
    if isinstance(content, str):
        content = [{"type": "text", "text": content}]
    note = {
        "type": "text",
        "text": "<summary of the earlier conversation>\n"
        + summary.strip()
        + "\n</summary of the earlier conversation>",
    }
    first["content"] = [note, *content]
    return [first, *messages[split + 1 :]], split, reply.usage


def render_for_summary(messages: list[Message]) -> str:
    """The conversation as plain text for the summariser (long tool traffic cut short)."""
    lines = []
    for message in messages:
        role = "User" if message["role"] == "user" else "Assistant"
        content = message["content"]
        if isinstance(content, str):
            lines.append(f"{role}: {content}")
            continue
        for block in content:
            kind = block.get("type")
            if kind == "text":
                lines.append(f"{role}: {block['text']}")
            elif kind == "tool_use":
                args = _cut(json.dumps(block.get("input", {}), ensure_ascii=False))
                lines.append(f"Assistant called {block['name']} {args}")
            elif kind == "tool_result":
                body = block.get("content", "")
                if not isinstance(body, str):
                    body = " ".join(b.get("text", "[image]") for b in body)
                flag = " (error)" if block.get("is_error") else ""
                lines.append(f"Tool result{flag}: {_cut(body)}")
    return "\n\n".join(lines)


def _cut(text: str) -> str:
    if len(text) <= SUMMARY_INPUT_CAP:
        return text
    return text[:SUMMARY_INPUT_CAP] + f" [... {len(text) - SUMMARY_INPUT_CAP} characters cut]"

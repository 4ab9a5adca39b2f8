"""The request one round of a turn sends the model: the system prompt, tool schemas and
conversation with their prompt-cache breakpoints, and the thinking budget."""

from __future__ import annotations

from typing import Any

from agent import conversation
from agent.config import Config
from agent.model import ModelRequest


def build_request(
    config: Config,
    system: list[dict[str, Any]],
    tools: list[dict[str, Any]],
    messages: list[dict[str, Any]],
) -> ModelRequest:
    """The request for the next round of a conversation."""
    return ModelRequest(
        model=config.model,
        system=cached(system),
        tools=cached(tools),
        messages=conversation.with_cache_breakpoints(messages),
        max_tokens=config.max_tokens,
        thinking=thinking(config),
    )


def thinking(config: Config) -> dict[str, Any] | None:
    """Extended thinking within the configured budget (below ``max_tokens``, as the API
    requires), or None when it is off."""
    budget = config.thinking_budget
    if budget <= 0:
        return None
    return {"type": "enabled", "budget_tokens": min(budget, config.max_tokens - 1)}


def cached(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy with a cache breakpoint on the last block (caches everything up to it)."""
    if not blocks:
        return blocks
    return [*blocks[:-1], {**blocks[-1], "cache_control": {"type": "ephemeral"}}]

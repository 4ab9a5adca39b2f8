"""The context guard: notice a conversation nearing the model's window, and make it fit.

Counting is cheap most of the time: the last response's usage says exactly how many
tokens the prompt had, and only what was added since is estimated locally. Near the limit
the count_tokens endpoint gives the exact figure (falling back to the estimate when it
fails). ``fit_context`` then, in order:

1. compacts: summarises the oldest turns with the model and keeps recent turns whole,
   cutting only where ``conversation.cut_points`` says the list stays valid (a tool_use is
   never separated from its tool_result);
2. when that is not enough (or no older turn can go), shortens the largest tool results
   (``agent.shorten``), to a lower floor each time the exact count says it still cannot
   be sent;
3. when even then the request cannot fit the window, refuses to send it: ``ContextTooLarge``,
   and the prompt that made it too large is not kept (else every later request of the
   session would be as large). An empty summary never replaces older turns.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from agent import conversation
from agent.conversation import Message, cut_points
from agent.errors import ApiFailure, HarkenError
from agent.model import ModelClient, ModelRequest
from agent.prompts import compaction_prompt
from agent.shorten import (
    CHARS_PER_TOKEN,
    FLOOR_CHARS,
    LAST_RESORT_FLOORS,
    shorten_tool_results,
)
from agent.usage import Usage

log = logging.getLogger(__name__)

IMAGE_TOKENS = 1600  # what the API bills for a typical screenshot-sized image
SUMMARY_INPUT_CAP = 2000  # characters kept of each tool input or result in the summary input
SUMMARY_MAX_TOKENS = 2048


class ContextTooLarge(HarkenError):
    """The next request cannot fit the model's context window, even shortened."""


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
        """Past this many prompt tokens the conversation is made smaller before sending."""
        return int((self.window - self.max_output) * self.threshold)

    @property
    def hard_limit(self) -> int:
        """A prompt of this many tokens or more cannot be sent: the API checks that the
        prompt plus ``max_tokens`` fits the context window."""
        return self.window - self.max_output

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


def split_point(messages: list[Message], keep_budget: int, loose: bool = False) -> int:
    """The index where kept messages begin: the earliest cut point whose tail fits in
    ``keep_budget`` tokens, else the last cut point. 0 means nothing can be compacted.
    ``loose``: any user message may begin the kept part (``conversation.loose_cut_points``)."""
    points = conversation.loose_cut_points(messages) if loose else cut_points(messages)
    for point in points:
        if estimate_tokens(messages[point:]) <= keep_budget:
            return point
    return points[-1] if points else 0


def summarised(
    messages: list[Message], split: int, summary: str, loose: bool = False
) -> list[Message]:
    """``messages[:split]`` replaced by ``summary``, put at the head of ``messages[split]``.
    Raises ``ValueError`` when ``split`` is not one of ``cut_points(messages)`` (with
    ``loose``, of ``loose_cut_points``: then its tool results become text)."""
    points = conversation.loose_cut_points(messages) if loose else cut_points(messages)
    if split not in points:
        raise ValueError(f"message {split} is not a place where the conversation can be cut")
    first = dict(conversation.results_as_text(messages[split]) if loose else messages[split])
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
    return [first, *messages[split + 1 :]]


async def compact(
    client: ModelClient,
    model: str,
    messages: list[Message],
    keep_budget: int,
    input_budget: int | None = None,
    loose: bool = False,
) -> tuple[list[Message], int, Usage] | None:
    """Summarise the older part of ``messages``. Returns the new list, how many messages
    were replaced and the summary call's usage; None when there is nothing to compact.
    ``input_budget`` (tokens) caps what the summariser is sent, keeping its start and end."""
    split = split_point(messages, keep_budget, loose)
    if split == 0:
        return None
    transcript = render_for_summary(messages[:split])
    if input_budget is not None:
        transcript = _keep_ends(transcript, max(input_budget, 1000) * CHARS_PER_TOKEN)
    request = ModelRequest(
        model=model,
        system=[{"type": "text", "text": compaction_prompt()}],
        messages=[{"role": "user", "content": transcript}],
        max_tokens=SUMMARY_MAX_TOKENS,
    )
    reply = await client.complete(request)
    summary = "".join(b.get("text", "") for b in reply.content if b.get("type") == "text")
    if not summary.strip():
        # An empty summary would drop the older turns without a trace: keep them (and
        # let shortening, or the refusal to send, deal with the size).
        log.warning("the summary came back empty (%s); not compacting", reply.stop_reason)
        return None
    if reply.stop_reason == "max_tokens":
        summary += "\n[This summary was cut short by the output limit.]"
    result = summarised(messages, split, summary, loose)
    broken = conversation.problems(result)
    if broken and not conversation.problems(messages):
        # cut_points should make this impossible; sending a broken list would fail every
        # later request, so keep the long conversation instead.
        log.error("compaction would break the conversation (%s); not compacting", broken[0])
        return None
    return result, split, reply.usage


@dataclass
class Fitted:
    """What ``fit_context`` did: the conversation to use from now on, the prompt size it
    started from, how many messages a summary replaced, how many tool results were cut,
    what the summary call cost, and (when it still cannot fit) the one-line error."""

    messages: list[Message]
    tokens_before: int
    replaced: int = 0
    shortened: int = 0
    usage: Usage = field(default_factory=Usage)
    error: str = ""


async def fit_context(
    client: ModelClient,
    model: str,
    guard: ContextGuard,
    system: Any,
    tools: list[dict[str, Any]],
    messages: list[Message],
    before_compact: Callable[[], Awaitable[None]] | None = None,
) -> Fitted | None:
    """Make ``messages`` fit under ``guard.limit`` before the next request; None when it
    already fits. A valid conversation stays valid (``conversation.problems``): summaries
    replace only whole turns and shortening changes only tool-result text. When it cannot
    fit under ``guard.hard_limit``, ``Fitted.error`` says so and nothing may be sent.
    ``before_compact`` is awaited just before older turns are summarised (PreCompact hooks).
    Raises ``ApiFailure`` when the summary call fails."""

    def fixed() -> int:
        return estimate_tokens(system) + estimate_tokens(tools)

    estimate = guard.estimate(fixed, messages)
    if estimate < guard.limit:
        return None
    request = ModelRequest(model=model, system=system, tools=tools, messages=messages)
    tokens = await _count(client, request, estimate)
    if tokens < guard.limit:
        return None
    # The exact count calibrates the local estimate for what changes below.
    ratio = tokens / max(fixed() + estimate_tokens(messages), 1)

    def calibrated(current: list[Message]) -> int:
        return math.ceil(ratio * (fixed() + estimate_tokens(current)))

    fitted = Fitted(messages, tokens)
    budget = guard.window - SUMMARY_MAX_TOKENS - estimate_tokens(compaction_prompt())
    if before_compact is not None and split_point(messages, guard.limit // 3):
        await before_compact()
    compacted = await compact(client, model, messages, guard.limit // 3, budget)
    if compacted is not None:
        fitted.messages, fitted.replaced, fitted.usage = compacted
        tokens = calibrated(fitted.messages)
    floors = [FLOOR_CHARS, *LAST_RESORT_FLOORS] if tokens >= guard.limit else []
    for floor in floors:
        excess = math.ceil((tokens - guard.limit) / ratio) + 1
        shorter, count = shorten_tool_results(fitted.messages, excess, floor)
        if count:
            fitted.messages, fitted.shortened = shorter, max(fitted.shortened, count)
            # The exact count decides whether it can be sent or must be cut further.
            exact = replace(request, messages=fitted.messages)
            tokens = await _count(client, exact, calibrated(fitted.messages))
        if tokens < guard.hard_limit:
            break
        if floor == LAST_RESORT_FLOORS[0]:
            # One long turn of many rounds: summarise its older rounds rather than cut
            # every result to almost nothing.
            if before_compact is not None and split_point(fitted.messages, guard.limit // 3, True):
                await before_compact()  # PreCompact hooks hear of this summary too
            tokens = await _loose_compact(client, model, guard, fitted, budget, calibrated)
            if tokens < guard.limit:
                break
    if tokens >= guard.hard_limit:
        # Only an exact count (when there is one) may stop a turn.
        tokens = await _count(client, replace(request, messages=fitted.messages), tokens)
        if tokens >= guard.hard_limit:
            fitted.error = too_large(tokens, guard)
            kept, dropped = without_new_text(fitted.messages)
            if dropped:
                # What the user just said was never sent: keeping it would make every later
                # request of this session as large, so it goes, and the user hears so.
                fitted.messages = kept
                fitted.error += " Your message was not sent and is not kept in the session"
                too_long = calibrated(kept) < guard.hard_limit  # it alone was too much
                fitted.error += "; send a shorter one." if too_long else "."
    guard.forget()
    return fitted


async def _loose_compact(
    client: ModelClient,
    model: str,
    guard: ContextGuard,
    fitted: Fitted,
    budget: int,
    calibrated: Callable[[list[Message]], int],
) -> int:
    """Summarise older rounds of ``fitted.messages`` at any user message (see
    ``loose_cut_points``); the estimated prompt size afterwards."""
    compacted = await compact(client, model, fitted.messages, guard.limit // 3, budget, True)
    if compacted is not None:
        fitted.messages, replaced, usage = compacted
        fitted.replaced += replaced
        fitted.usage = fitted.usage + usage
    return calibrated(fitted.messages)


def too_large(tokens: int, guard: ContextGuard) -> str:
    """The one line saying a request cannot fit the window."""
    return (
        f"The conversation needs about {tokens:,} tokens, more than the model's "
        f"{guard.window:,}-token context window leaves after {guard.max_output:,} "
        "for the answer, even with older turns summarised and long tool results "
        "cut; start a new session (or raise context_window if the model allows more)."
    )


def without_new_text(messages: list[Message]) -> tuple[list[Message], bool]:
    """``messages`` without the blocks of the last user message that are not tool
    results (the prompt and what came with it, not yet answered), and whether there were
    any. A message left empty goes; tool results stay with their calls."""
    if not messages or messages[-1].get("role") != "user":
        return messages, False
    content = messages[-1].get("content")
    if isinstance(content, str):
        return messages[:-1], True
    results = [b for b in content or [] if b.get("type") == "tool_result"]
    if len(results) == len(content or []):
        return messages, False
    if not results:
        return messages[:-1], True
    return [*messages[:-1], {**messages[-1], "content": results}], True


async def _count(client: ModelClient, request: ModelRequest, fallback: int) -> int:
    """The exact prompt size from count_tokens, or ``fallback`` when that fails."""
    try:
        return await client.count_tokens(request)
    except ApiFailure as exc:
        log.info("count_tokens failed (%s); using the local estimate", exc)
        return fallback


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


def _cut(text: str, cap: int = SUMMARY_INPUT_CAP) -> str:
    if len(text) <= cap:
        return text
    return text[:cap] + f" [... {len(text) - cap} characters cut]"


def _keep_ends(text: str, cap: int) -> str:
    """``text`` cut to about ``cap`` characters: its first third and its last two thirds
    (the recent part matters most to a summary)."""
    if len(text) <= cap:
        return text
    head = cap // 3
    tail = cap - head
    return f"{text[:head]}\n[... {len(text) - cap} characters cut ...]\n{text[len(text) - tail :]}"

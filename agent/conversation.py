"""Operations on the message list that keep it valid for the Messages API.

The list alternates user and assistant messages; every ``tool_use`` block of an assistant
message is answered by a ``tool_result`` in the next user message. These helpers keep that
true across new prompts, interruptions, resumes and compaction; ``problems`` states the
whole rule and says where a list breaks it.
"""

from __future__ import annotations

import copy
from typing import Any

from agent.empty_messages import is_blank
from agent.errors import HarkenError

Message = dict[str, Any]


class EmptyPrompt(HarkenError):
    """A prompt with nothing in it: the API refuses a message without visible text."""

    def __init__(self) -> None:
        super().__init__("Nothing to ask: the message is empty. Say or type what you want.")


INTERRUPTED = "Interrupted by the user: this tool call did not run."
NOT_STARTED = "Harken stopped before this tool call started: it did not run."
OUTCOME_UNKNOWN = (
    "Harken stopped (it was killed or crashed) while this tool call was running: its outcome "
    "is unknown. It may have run partly or fully; check its effects before running it again."
)


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

    Returns the message that now holds them (new or merged), for the transcript. Blank
    text blocks are left out (the API refuses them); raises ``EmptyPrompt`` when that
    leaves nothing for a new message.
    """
    blocks = [b for b in blocks if not is_blank(b)]
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
    if not blocks:
        raise EmptyPrompt()
    message = {"role": "user", "content": list(blocks)}
    messages.append(message)
    return message


def settle(
    messages: list[Message],
    note: str = INTERRUPTED,
    started: frozenset[str] | set[str] | None = None,
) -> list[dict[str, Any]]:
    """Answer every unanswered tool_use with an error result; returns the blocks added.

    ``started`` holds the ids of calls known to have begun running (the transcript's
    ``tool_started`` records): they get ``OUTCOME_UNKNOWN``, since a call that started may
    have done its work; the others get ``note``."""
    missing = unanswered_tool_uses(messages)
    began = started or frozenset()
    blocks = [
        tool_result(tool_id, OUTCOME_UNKNOWN if tool_id in began else note, is_error=True)
        for tool_id in missing
    ]
    if blocks:
        add_user_content(messages, blocks)
    return blocks


def cut_points(messages: list[Message]) -> list[int]:
    """Indexes ``i > 0`` where ``messages[:i]`` can be replaced by a summary put at the head
    of ``messages[i]`` and the list stays valid: user messages holding no tool_result (a
    result kept without its tool_use is an orphan the API rejects). A prompt merged into a
    message of tool results is therefore not a cut point."""
    points = []
    for i, message in enumerate(messages):
        if i == 0 or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            if content:
                points.append(i)
            continue
        blocks = [b for b in content or [] if isinstance(b, dict)]
        if blocks and not any(b.get("type") == "tool_result" for b in blocks):
            points.append(i)
    return points


ORPHAN_NOTE = "[The result of an earlier tool call, whose call was summarised away:]\n"
RESULT_TEXT_CAP = 2000  # characters kept of a result that becomes text (see results_as_text)


def loose_cut_points(messages: list[Message]) -> list[int]:
    """Every index ``i > 0`` of a user message: where a summary may begin when no
    ``cut_points`` index is left (one long turn of many tool rounds), provided the tool
    results of ``messages[i]`` become text (``results_as_text``), as their calls go.
    Never the last message when it holds results: the latest round stays whole (its
    results can still be shortened, text cannot)."""
    last = len(messages) - 1
    return [
        i
        for i, m in enumerate(messages)
        if i > 0
        and m.get("role") == "user"
        and (i < last or not any(b.get("type") == "tool_result" for b in _blocks(m)))
    ]


def results_as_text(message: Message) -> Message:
    """``message`` (a user message) with each tool_result turned into text after the
    other results' place, cut to ``RESULT_TEXT_CAP`` characters: what is kept of the
    results whose calls were summarised away."""
    content = message.get("content")
    if not isinstance(content, list):
        return message
    results = [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]
    if not results:
        return message
    texts = []
    for block in results:
        body = _result_text(block)
        if len(body) > RESULT_TEXT_CAP:
            body = body[:RESULT_TEXT_CAP] + f" [... {len(body) - RESULT_TEXT_CAP} characters cut]"
        texts.append({"type": "text", "text": ORPHAN_NOTE + body})
    others = [b for b in content if not any(b is r for r in results)]
    return {**message, "content": texts + others}


def without_orphaned_results(messages: list[Message]) -> list[Message]:
    """``messages`` with each tool_result that answers no tool_use right before it turned
    into text after the message's other results (an older Harken's compaction could
    leave such orphans, and the API refuses every request that holds one). Returns
    ``messages`` itself when nothing needed repair; never changes it."""
    repaired: list[Message] | None = None
    for i, message in enumerate(messages):
        content = message.get("content")
        if message.get("role") != "user" or not isinstance(content, list):
            continue
        offered = {b.get("id") for b in tool_uses(messages[i - 1])} if i else set()
        orphans = [
            b
            for b in content
            if isinstance(b, dict)
            and b.get("type") == "tool_result"
            and b.get("tool_use_id") not in offered
        ]
        if not orphans:
            continue
        kept = [b for b in content if not any(b is o for o in orphans)]
        texts = [{"type": "text", "text": ORPHAN_NOTE + _result_text(o)} for o in orphans]
        results = [b for b in kept if b.get("type") == "tool_result"]
        others = [b for b in kept if b.get("type") != "tool_result"]
        if repaired is None:
            repaired = list(messages)
        repaired[i] = {**message, "content": results + texts + others}
    return messages if repaired is None else repaired


def _result_text(block: dict[str, Any]) -> str:
    body = block.get("content", "")
    if isinstance(body, str):
        return body or "(empty)"
    return "\n".join(p.get("text", "[image]") for p in body if isinstance(p, dict)) or "(empty)"


def problems(messages: list[Message]) -> list[str]:
    """What makes ``messages`` unfit to send to the Messages API; empty when it is fit.

    The rules (from the API's documented validation): the list starts with a user message
    and alternates user and assistant; no message is empty; tool_use ids are unique; every
    tool_use is answered by a tool_result in the next message (the last message may still
    wait for its results); every tool_result answers a tool_use of the message right before
    it, once; in a user message, tool_results come before any other block."""
    found: list[str] = []
    if not messages:
        return ["the conversation is empty"]
    seen_ids: set[str] = set()
    for i, message in enumerate(messages):
        role = message.get("role")
        where = f"message {i} ({role})"
        if role not in ("user", "assistant"):
            found.append(f"{where}: unknown role")
            continue
        expected = "user" if i % 2 == 0 else "assistant"
        if role != expected:
            found.append(f"{where}: expected a {expected} message (roles must alternate)")
        blocks = _blocks(message)
        if not blocks:
            found.append(f"{where}: empty content")
        if role == "assistant":
            for block in tool_uses(message):
                if block.get("id") in seen_ids:
                    found.append(f"{where}: tool_use id {block.get('id')} used twice")
                seen_ids.add(block.get("id"))
            wanted = {b.get("id") for b in tool_uses(message)}
            if wanted and i + 1 < len(messages):
                answered = {
                    b.get("tool_use_id")
                    for b in _blocks(messages[i + 1])
                    if b.get("type") == "tool_result"
                }
                for tool_id in sorted(wanted - answered):
                    found.append(f"{where}: tool_use {tool_id} has no tool_result after it")
            continue
        offered = {b.get("id") for b in tool_uses(messages[i - 1])} if i else set()
        answered_here: set[str] = set()
        text_seen = False
        for block in blocks:
            if block.get("type") != "tool_result":
                text_seen = True
                continue
            tool_id = block.get("tool_use_id")
            if tool_id not in offered:
                found.append(f"{where}: tool_result {tool_id} answers no tool_use before it")
            if tool_id in answered_here:
                found.append(f"{where}: tool_result {tool_id} given twice")
            answered_here.add(tool_id)
            if text_seen:
                found.append(f"{where}: tool_result {tool_id} comes after other content")
    return found


def _blocks(message: Message) -> list[dict[str, Any]]:
    content = message.get("content")
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    return [b for b in content or [] if isinstance(b, dict)]


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

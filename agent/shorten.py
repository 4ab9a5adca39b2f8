"""Shortening oversized tool results when no older turn can be compacted away.

A turn of many tool rounds, or one tool that printed a lot, can fill the context before
there is any earlier turn to summarise. Then the largest tool results are cut down (their
beginning and end kept, a note in the middle saying why) instead of sending a request that
is known to be too large. Only the content of tool_result blocks changes: ids, order and
every other block stay as they are, so the conversation stays valid.

The inputs of calls that were already answered count too: a Write of a long file fills the
context as much as a long output, and once its result is there, its input is history
(long string values are cut the same way, with a note saying so).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from agent.conversation import Message

FLOOR_CHARS = 2000  # what is kept of each tool result, unless even that cannot fit
# Lower floors, tried in turn when results cut to FLOOR_CHARS still do not fit (many
# results in one turn): a short result is better than a session that can send nothing.
LAST_RESORT_FLOORS = (500, 100)
CHARS_PER_TOKEN = 4  # as the local estimate counts (compaction.estimate_tokens)
IMAGE_NOTE = "[an image was removed here to fit the context window]"
IMAGE_CHARS = 1600 * CHARS_PER_TOKEN  # an image as the local estimate counts it


def cut_note(dropped: int, what: str = "tool result") -> str:
    """The note put where a tool result (or ``what`` else) was cut."""
    return f"\n[... {dropped} characters of this {what} were cut to fit the context window ...]\n"


@dataclass
class _Piece:
    """One text of a tool result: ``holder[key]`` is the text, ``owner`` the tool_result."""

    owner: dict[str, Any]
    holder: Any
    key: Any
    size: int
    what: str = "tool result"


def shorten_tool_results(
    messages: list[Message], excess_tokens: int, floor: int = FLOOR_CHARS
) -> tuple[list[Message], int]:
    """A copy of ``messages`` whose largest tool-result texts are cut by about
    ``excess_tokens`` (local estimate) in all, and how many tool results changed.

    Texts are cut to a common cap, never below ``floor`` characters; when that is not enough,
    images in tool results are replaced by a note, oldest first. Returns the input list
    itself and 0 when there is nothing to cut."""
    if excess_tokens <= 0:
        return messages, 0
    copied = copy.deepcopy(messages)
    texts, images = _pieces(copied)
    # A few characters more per text: the estimate rounds each text down to whole tokens.
    need = (excess_tokens + len(texts)) * CHARS_PER_TOKEN
    cap = _cap([p.size for p in texts], need, floor)
    changed: dict[int, dict[str, Any]] = {}
    removed = 0
    for piece in texts:
        if cap is not None and piece.size > cap:
            piece.holder[piece.key] = _cut(piece.holder[piece.key], cap, piece.what)
            removed += piece.size - cap
            changed[id(piece.owner)] = piece.owner
    for piece in images:
        if removed >= need:
            break
        piece.holder[piece.key] = {"type": "text", "text": IMAGE_NOTE}
        removed += piece.size
        changed[id(piece.owner)] = piece.owner
    if not changed:
        return messages, 0
    return copied, len(changed)


def _pieces(messages: list[Message]) -> tuple[list[_Piece], list[_Piece]]:
    """The texts and the images of every tool result, and the long string inputs of the
    calls those results answer, oldest first."""
    texts: list[_Piece] = []
    images: list[_Piece] = []
    answered = {
        b.get("tool_use_id")
        for m in messages
        if m.get("role") == "user" and isinstance(m.get("content"), list)
        for b in m["content"]
        if isinstance(b, dict) and b.get("type") == "tool_result"
    }
    for message in messages:
        content = message.get("content")
        if message.get("role") == "assistant" and isinstance(content, list):
            for block in content:
                if isinstance(block, dict) and block.get("type") == "tool_use":
                    params = block.get("input")
                    if block.get("id") in answered and isinstance(params, dict):
                        for key, value in params.items():
                            if isinstance(value, str):
                                piece = _Piece(block, params, key, len(value), "tool input")
                                texts.append(piece)
            continue
        if message.get("role") != "user" or not isinstance(content, list):
            continue
        for block in content:
            if not isinstance(block, dict) or block.get("type") != "tool_result":
                continue
            body = block.get("content")
            if isinstance(body, str):
                texts.append(_Piece(block, block, "content", len(body)))
                continue
            for i, part in enumerate(body or []):
                if not isinstance(part, dict):
                    continue
                if part.get("type") == "text":
                    texts.append(_Piece(block, part, "text", len(part.get("text", ""))))
                elif part.get("type") == "image":
                    images.append(_Piece(block, body, i, IMAGE_CHARS))
    return texts, images


def _cap(sizes: list[int], need: int, floor: int) -> int | None:
    """The largest cap (>= ``floor``) that removes at least ``need`` characters when
    every text longer than it is cut to it; ``floor`` when none does; None when no
    text is longer than the floor."""
    if not any(size > floor for size in sizes):
        return None
    low, high = floor, max(sizes)
    if _removed(sizes, low) < need:
        return low
    while high - low > 1:  # _removed(low) >= need > _removed(high) when high is max(sizes)
        middle = (low + high) // 2
        if _removed(sizes, middle) >= need:
            low = middle
        else:
            high = middle
    return low


def _removed(sizes: list[int], cap: int) -> int:
    return sum(size - cap for size in sizes if size > cap)


def _cut(text: str, total: int, what: str = "tool result") -> str:
    """``text`` cut to at most ``total`` characters, the note included: two thirds of what
    is kept from its start, one third from its end, the note between them."""
    if len(text) <= total:
        return text
    keep = max(total - len(cut_note(len(text), what)), 0)
    head = math.ceil(keep * 2 / 3)
    end = text[len(text) - (keep - head) :] if keep > head else ""
    return text[:head] + cut_note(len(text) - keep, what) + end

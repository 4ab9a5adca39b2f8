"""Compaction and shortening keep the conversation valid, over many shapes of conversation.

Conversations are generated from seeds the way sessions build them: prompts, tool rounds,
turns stopped after their tool results (max turns, interruptions) whose next prompt is
merged into the results, huge outputs, images. Each is checked by an oracle written here
from the API's rules, independent of ``conversation.problems`` (which is itself checked
against the oracle).
"""

from __future__ import annotations

import copy
import itertools
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from agent import conversation
from agent.compaction import ContextGuard, estimate_tokens, fit_context, split_point, summarised
from agent.model import ModelClient, ModelRequest
from agent.retry import RetryPolicy
from agent.shorten import FLOOR_CHARS, shorten_tool_results
from tests.conftest import TEST_KEY
from tests.scripted_api import Reply, ScriptedAPI, text

Message = dict[str, Any]
SEEDS = range(300)
IMAGE = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBO"}}


# -- the oracle --------------------------------------------------------------------------


def rejected_by_the_api(messages: list[Message]) -> str:
    """Why the Messages API would refuse ``messages`` as a request (empty: it would not)."""
    if not messages or messages[0]["role"] != "user" or messages[-1]["role"] != "user":
        return "must start and end with a user message"
    for i, message in enumerate(messages):
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if not blocks or blocks == [{"type": "text", "text": ""}]:
            return f"message {i} is empty"
        if i and message["role"] == messages[i - 1]["role"]:
            return f"message {i} repeats a role"
        kinds = [b["type"] for b in blocks]
        results = [b["tool_use_id"] for b in blocks if b["type"] == "tool_result"]
        if results and kinds[: len(results)] != ["tool_result"] * len(results):
            return f"message {i} puts other content before a tool_result"
        before = messages[i - 1]["content"] if i else []
        offered = [b["id"] for b in before if isinstance(b, dict) and b["type"] == "tool_use"]
        if message["role"] == "assistant":
            continue
        if not set(results) <= set(offered):
            return f"message {i} answers a tool_use that is not right before it"
        if len(results) != len(set(results)):
            return f"message {i} answers a tool_use twice"
        if set(offered) - set(results):
            return f"message {i} leaves a tool_use unanswered"
    return ""


# -- conversations as sessions build them ---------------------------------------------


def random_text(rng: random.Random, size: int) -> str:
    words = ["alpha", "beta", "gamma", "delta", "line\n", "x" * 40, "é"]
    out: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(words)
        out.append(word)
        length += len(word) + 1
    return " ".join(out)[:size] or "."


def random_conversation(rng: random.Random) -> list[Message]:
    """A conversation ending with a user message, as it stands before a request."""
    ids = itertools.count()
    messages: list[Message] = []
    for _turn in range(rng.randint(1, 5)):
        prompt = {"type": "text", "text": random_text(rng, rng.choice([5, 200, 3000]))}
        if messages and messages[-1]["role"] == "user":
            conversation.add_user_content(messages, [prompt])  # the last turn stopped early
        elif rng.random() < 0.3:
            messages.append({"role": "user", "content": prompt["text"]})
        else:
            messages.append({"role": "user", "content": [prompt]})
        for _round in range(rng.choice([0, 0, 1, 2, 4])):
            calls = [
                {"type": "tool_use", "id": f"toolu_{next(ids)}", "name": "Bash", "input": {}}
                for _ in range(rng.randint(1, 3))
            ]
            said = [{"type": "text", "text": "Let me look."}] if rng.random() < 0.5 else []
            messages.append({"role": "assistant", "content": [*said, *calls]})
            results = []
            for call in calls:
                size = rng.choice([10, 300, 3000, 20_000, 60_000])
                body: Any = random_text(rng, size)
                if rng.random() < 0.15:
                    body = [{"type": "text", "text": body}, IMAGE]
                results.append(conversation.tool_result(call["id"], body, rng.random() < 0.1))
            messages.append({"role": "user", "content": results})
        if rng.random() < 0.7:
            answer = random_text(rng, rng.choice([20, 2000]))
            messages.append({"role": "assistant", "content": [{"type": "text", "text": answer}]})
    if messages[-1]["role"] == "assistant":
        messages.append({"role": "user", "content": [{"type": "text", "text": "and now?"}]})
    return messages


def conversations() -> list[tuple[int, list[Message]]]:
    return [(seed, random_conversation(random.Random(seed))) for seed in SEEDS]


def test_the_generated_shapes_include_prompts_merged_into_tool_results() -> None:
    merged = 0
    for _seed, messages in conversations():
        assert rejected_by_the_api(messages) == ""
        merged += any(
            m["role"] == "user"
            and not isinstance(m["content"], str)
            and {"tool_result", "text"} <= {b["type"] for b in m["content"]}
            for m in messages
        )
    assert merged > 30


# -- the rule itself ----------------------------------------------------------------


def mutations(messages: list[Message], rng: random.Random) -> list[list[Message]]:
    """Copies of ``messages`` each broken (or not) in one way a bug could break them."""
    out = []
    for i in range(len(messages)):
        dropped = copy.deepcopy(messages)
        del dropped[: i + 1]
        if dropped:
            out.append(dropped)  # older messages cut away at an arbitrary place
        moved = copy.deepcopy(messages)
        content = moved[i]["content"]
        if isinstance(content, list) and len(content) > 1:
            content.insert(0, content.pop())  # the last block first
            out.append(moved)
        emptied = copy.deepcopy(messages)
        emptied[i]["content"] = []
        out.append(emptied)
    doubled = copy.deepcopy(messages)
    doubled.insert(rng.randrange(len(doubled) + 1), copy.deepcopy(rng.choice(messages)))
    out.append(doubled)
    return out


def test_conversation_problems_agrees_with_the_api_rules() -> None:
    checked = rejected = 0
    for seed, messages in conversations()[:80]:
        for variant in mutations(messages, random.Random(seed)):
            expected = rejected_by_the_api(variant)
            found = conversation.problems(variant)
            # ``problems`` lets a list end on an assistant message (it may be stored that
            # way between turns); the oracle judges a request, which ends with the user.
            if variant[-1]["role"] == "assistant" and not found:
                continue
            assert bool(found) == bool(expected), (seed, expected, found)
            checked += 1
            rejected += bool(found)
    assert rejected > 100 and checked - rejected > 20


# -- compaction --------------------------------------------------------------------


def test_a_prompt_merged_into_tool_results_is_not_a_place_to_cut() -> None:
    messages: list[Message] = [
        {"role": "user", "content": [{"type": "text", "text": "print a lot"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Bash"}]},
        {"role": "user", "content": [conversation.tool_result("t1", "x\n" * 10_000)]},
    ]
    conversation.add_user_content(messages, [{"type": "text", "text": "what did it print?"}])

    assert conversation.cut_points(messages) == []
    assert split_point(messages, keep_budget=10) == 0
    with pytest.raises(ValueError):
        summarised(messages, 2, "a summary")


def test_every_place_compaction_may_cut_leaves_a_valid_conversation() -> None:
    cuts = 0
    for seed, messages in conversations():
        for budget in (0, 500, 5_000, 50_000):
            split = split_point(messages, budget)
            if split:
                kept = summarised(messages, split, "What happened before.")
                assert rejected_by_the_api(kept) == "", (seed, budget, split)
                assert kept[1:] == messages[split + 1 :]
                cuts += 1
        for point in conversation.cut_points(messages):
            assert rejected_by_the_api(summarised(messages, point, "s")) == "", (seed, point)
    assert cuts > 200


def test_every_loose_place_to_cut_one_long_turn_leaves_a_valid_conversation() -> None:
    """Within one turn of many rounds no prompt stands between rounds: a summary may then
    begin at any user message (its results become text), never at the last one when it
    holds results (the latest round stays whole)."""
    cuts = 0
    for seed, messages in conversations():
        points = conversation.loose_cut_points(messages)
        last = messages[-1]
        if any(b.get("type") == "tool_result" for b in last["content"] if isinstance(b, dict)):
            assert len(messages) - 1 not in points
        for point in points:
            kept = summarised(messages, point, "s", loose=True)
            assert rejected_by_the_api(kept) == "", (seed, point)
            assert kept[1:] == messages[point + 1 :]
            cuts += 1
    assert cuts > 200


def test_what_an_older_compaction_broke_is_repaired_into_a_valid_conversation() -> None:
    repaired_any = 0
    for seed, messages in conversations():
        # The old rule cut at every user message that held any text, results or not.
        for i, message in enumerate(messages):
            content = message["content"]
            if i == 0 or message["role"] != "user" or isinstance(content, str):
                continue
            if not any(b["type"] == "text" for b in content):
                continue
            note = {"type": "text", "text": "<summary of the earlier conversation>"}
            broken = [{**message, "content": [note, *content]}, *messages[i + 1 :]]
            repaired = conversation.without_orphaned_results(broken)
            assert rejected_by_the_api(repaired) == "", (seed, i)
            assert len(repaired) == len(broken)
            if repaired is not broken:
                repaired_any += 1
                kept = " ".join(b.get("text", "") for b in repaired[0]["content"])
                for block in content:
                    if block["type"] == "tool_result" and isinstance(block["content"], str):
                        assert block["content"] in kept
            else:
                assert conversation.problems(broken) == []
    assert repaired_any > 30


# -- shortening --------------------------------------------------------------------


def shape(messages: list[Message]) -> list[Any]:
    """Everything but the text of tool results."""
    out = []
    for message in messages:
        content = message["content"]
        if isinstance(content, str):
            out.append((message["role"], content))
            continue
        blocks = []
        for block in content:
            if block["type"] == "tool_result":
                blocks.append(("tool_result", block["tool_use_id"], block.get("is_error")))
            else:
                blocks.append(block)
        out.append((message["role"], blocks))
    return out


def result_texts(messages: list[Message]) -> list[str]:
    texts = []
    for message in messages:
        for block in message["content"] if isinstance(message["content"], list) else []:
            if block["type"] == "tool_result":
                body = block["content"]
                parts = (
                    [body] if isinstance(body, str) else [p.get("text", "[image]") for p in body]
                )
                texts.extend(parts)
    return texts


def test_shortening_cuts_only_tool_result_text_and_says_so() -> None:
    shortened_any = 0
    for seed, messages in conversations():
        original = copy.deepcopy(messages)
        for excess in (1, 2_000, 20_000, 1_000_000):
            result, count = shorten_tool_results(messages, excess)
            assert messages == original  # the input is never changed in place
            assert rejected_by_the_api(result) == "", (seed, excess)
            assert shape(result) == shape(messages)
            before, after = result_texts(messages), result_texts(result)
            for old, new in zip(before, after, strict=False):
                if new != old and old == "[image]":
                    assert "image was removed" in new
                elif new != old:
                    assert "cut to fit the context window" in new
                    assert len(old) > FLOOR_CHARS and len(new) < len(old)
                    assert new.startswith(old[: FLOOR_CHARS // 2])
            saved = estimate_tokens(messages) - estimate_tokens(result)
            if saved < excess:  # then nothing more could go
                assert all(len(t) <= FLOOR_CHARS for t in after if t != "[image]")
                assert "[image]" not in after
            shortened_any += count > 0
    assert shortened_any > 100


def test_shortening_replaces_an_image_only_when_text_is_not_enough() -> None:
    result_block = conversation.tool_result("t1", [{"type": "text", "text": "a screenshot"}, IMAGE])
    messages = [
        {"role": "user", "content": [{"type": "text", "text": "look"}]},
        {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "Read"}]},
        {"role": "user", "content": [result_block]},
    ]
    result, count = shorten_tool_results(messages, 1000)

    assert count == 1
    parts = result[2]["content"][0]["content"]
    assert parts[0] == {"type": "text", "text": "a screenshot"}
    assert parts[1]["type"] == "text" and "image was removed" in parts[1]["text"]


# -- fitting a request to the window, with the real client ---------------------------


def last_words(messages: list[Message]) -> tuple[list[str], Any]:
    """The tool calls the last message answers, and its last block (the user's prompt)."""
    content = messages[-1]["content"]
    blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
    ids = [b["tool_use_id"] for b in blocks if b["type"] == "tool_result"]
    last = blocks[-1] if blocks[-1]["type"] == "text" else blocks[-1]["tool_use_id"]
    return ids, last


@pytest.fixture
async def client(api: ScriptedAPI) -> AsyncIterator[ModelClient]:
    made = ModelClient(
        api_key=TEST_KEY,
        base_url=api.base_url,  # type: ignore[attr-defined]
        retry=RetryPolicy(attempts=1),
    )
    yield made
    await made.aclose()


async def test_fitting_any_conversation_keeps_it_valid_and_within_the_window(
    api: ScriptedAPI, client: ModelClient
) -> None:
    system = [{"type": "text", "text": "You are a test."}]
    outcomes = {"fits": 0, "compacted": 0, "shortened": 0, "refused": 0}
    for seed, messages in conversations()[:120]:
        window = random.Random(seed).choice([2_000, 4_000, 12_000, 30_000, 60_000])
        guard = ContextGuard(window, 1_000)
        # Two summaries at most: of older turns, then of older rounds of the last turn.
        api.steps = [Reply([text("A summary of what came before.")])] * 2
        fitted = await fit_context(client, "claude-test", guard, system, [], messages)
        if fitted is None:
            outcomes["fits"] += 1
            continue
        assert rejected_by_the_api(fitted.messages) == "", seed
        request = ModelRequest("claude-test", system, fitted.messages)
        tokens = await client.count_tokens(request)
        if fitted.error:
            outcomes["refused"] += 1
            assert "context window" in fitted.error and "\n" not in fitted.error
            # The prompt that was never sent is not kept (every later request would be
            # as large); the tool results it came with stay with their calls.
            ids, prompt = last_words(messages)
            if isinstance(prompt, dict):
                assert "not sent and is not kept" in fitted.error, seed
                assert prompt not in fitted.messages[-1]["content"], seed
            if fitted.messages[-1]["role"] == "user":
                assert last_words(fitted.messages)[0] == ids, seed
        else:
            assert last_words(fitted.messages) == last_words(messages)
            assert tokens < guard.hard_limit, seed
        outcomes["compacted"] += fitted.replaced > 0
        outcomes["shortened"] += fitted.shortened > 0
    # Refusals are rare (results are cut below FLOOR_CHARS before a request is refused),
    # but the generated shapes must still reach every outcome.
    assert outcomes["refused"] > 0, outcomes
    assert all(outcomes[k] > 3 for k in ("fits", "compacted", "shortened")), outcomes

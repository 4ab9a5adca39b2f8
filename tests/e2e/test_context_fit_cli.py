"""A conversation that outgrows a small context window, through the real `harken ask`:
what reaches the API stays a valid conversation, and a request that cannot fit is not sent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agent import conversation, transcript
from tests.e2e.conftest import write_config
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

PRINT_20000 = "yes x | head -n 10000"  # 20,000 characters of output
SMALL_WINDOW = "context_window = 10000\nmax_tokens = 1000\n"


def orphaned_results(messages: list[dict[str, Any]]) -> list[str]:
    """Ids of tool_results whose tool_use is not in the message right before them (what
    the API rejects), checked without the product's own rule."""
    orphans = []
    for i, message in enumerate(messages):
        if message["role"] != "user" or isinstance(message["content"], str):
            continue
        before = messages[i - 1]["content"] if i else []
        offered = {b["id"] for b in before if isinstance(b, dict) and b["type"] == "tool_use"}
        for block in message["content"]:
            if block["type"] == "tool_result" and block["tool_use_id"] not in offered:
                orphans.append(block["tool_use_id"])
    return orphans


def block_text(block: dict[str, Any]) -> str:
    content = block.get("content", block.get("text", ""))
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)


def answer_requests(api: ScriptedAPI) -> list[dict[str, Any]]:
    """The streamed requests: the turn's own, not a summary call."""
    return [r for r in api.requests if r.get("stream")]


def answer_or_summary(answer: str, summary: str = "The user said hi and was greeted."):
    """A script step that answers the turn's request with ``answer`` and a summary call
    (not streamed) with ``summary``."""

    def step(request: dict[str, Any]) -> Reply:
        return Reply([text(answer if request.get("stream") else summary)])

    return step


def stop_after_a_big_tool_result(api: ScriptedAPI, harken, *resume: str) -> None:
    """A turn whose one round trip prints 20,000 characters, then stops (``--max-turns 1``)."""
    api.script(Reply([tool_use("Bash", {"command": PRINT_20000})]))
    first = harken("ask", "print a lot", "--yes", "--max-turns", "1", *resume)
    assert first.returncode == 1, first.stderr
    assert "stopped after 1 model round trips" in first.stderr


def say_hi(api: ScriptedAPI, harken) -> None:
    """A first turn, "hi", answered "Hello."."""
    api.script(Reply([text("Hello.")]))
    assert harken("ask", "hi").returncode == 0


def hi_then_a_big_tool_result(api: ScriptedAPI, harken) -> None:
    """An earlier turn to summarise, then a big result in the same session."""
    say_hi(api, harken)
    stop_after_a_big_tool_result(api, harken, "--resume", "latest")


def ask_again(harken, question: str) -> Any:
    """``question`` in the latest session; it must succeed. The finished process."""
    result = harken("ask", question, "--resume", "latest")
    assert result.returncode == 0, result.stderr
    return result


def test_resuming_after_a_huge_tool_result_sends_a_valid_shortened_conversation(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    write_config(isolated_env, SMALL_WINDOW)
    stop_after_a_big_tool_result(api, harken)
    api.script(*[answer_or_summary("It printed a column of x.")] * 2)
    second = ask_again(harken, "what did it print?")

    sent = answer_requests(api)[-1]["messages"]
    assert orphaned_results(sent) == []
    assert conversation.problems(sent) == []
    assert second.stdout == "It printed a column of x.\n"
    result = next(b for b in sent[-1]["content"] if b["type"] == "tool_result")
    body = block_text(result)
    assert body.startswith("x\nx\n") and len(body) < 20_000
    assert "cut to fit the context window" in body
    assert block_text(sent[-1]["content"][-1]) == "what did it print?"


def test_an_earlier_turn_is_summarised_and_the_huge_result_kept_with_its_call(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    write_config(isolated_env, SMALL_WINDOW)
    hi_then_a_big_tool_result(api, harken)
    api.script(*[answer_or_summary("Done.")] * 2)
    ask_again(harken, "what did it print?")

    sent = answer_requests(api)[-1]["messages"]
    assert orphaned_results(sent) == []
    assert conversation.problems(sent) == []
    assert block_text(sent[0]["content"][0]).startswith("<summary of the earlier conversation>")
    assert "The user said hi" in block_text(sent[0]["content"][0])
    assert [b["type"] for b in sent[1]["content"]] == ["tool_use"]
    # The summary calls are paid for too, and a resumed session still counts them: every
    # scripted reply used 100 input tokens.
    (saved,) = (isolated_env / "xdg_data_home" / "harken" / "sessions").glob("*.jsonl")
    assert transcript.load(saved).usage.input_tokens == 100 * len(api.requests)


def test_a_request_that_cannot_fit_the_window_is_not_sent(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    # The tools' descriptions alone are larger than this window allows for a prompt.
    write_config(isolated_env, "context_window = 3000\nmax_tokens = 500\n")
    api.script(Reply([text("never")]))
    result = harken("ask", "hello")

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("harken: The conversation needs about")
    assert "context window" in lines[0]
    assert api.requests == []


def test_a_session_an_older_compaction_left_broken_resumes_with_a_valid_conversation(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    say_hi(api, harken)
    # What the old compaction stored: the tool_use summarised away, its result kept.
    broken = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "<summary of the earlier conversation>\nBash ran."},
                {"type": "tool_result", "tool_use_id": "toolu_gone", "content": "x\nx\n"},
                {"type": "text", "text": "what did it print?"},
            ],
        },
        {"role": "assistant", "content": [{"type": "text", "text": "Some x."}]},
    ]
    sessions = isolated_env / "xdg_data_home" / "harken" / "sessions"
    (path,) = sessions.glob("*.jsonl")
    record = {"type": "compaction", "messages": broken, "tokens_before": 9000}
    path.write_text(path.read_text() + json.dumps(record) + "\n")

    api.script(Reply([text("Still x.")]))
    ask_again(harken, "and now?")

    sent = api.requests[-1]["messages"]
    assert orphaned_results(sent) == []
    assert conversation.problems(sent) == []
    first = [block_text(b) for b in sent[0]["content"]]
    assert any(t.endswith("x\nx\n") for t in first)  # the output is still there, as text
    assert first[-1] == "what did it print?"


# -- variants: an empty summary, a prompt too large, many results in one round -------------


def test_an_empty_summary_never_replaces_the_older_turns(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    """A summary call that answers nothing must not cut the conversation silently."""
    write_config(isolated_env, SMALL_WINDOW)
    hi_then_a_big_tool_result(api, harken)
    api.script(*[answer_or_summary("Done.", summary="")] * 2)
    second = ask_again(harken, "what did it print?")

    assert "summary came back empty" in second.stderr
    sent = answer_requests(api)[-1]["messages"]
    assert conversation.problems(sent) == []
    assert block_text(sent[0]["content"][0]) == "hi"  # the first turn is still there
    assert not any("<summary" in block_text(b) for m in sent for b in m["content"])


def test_a_prompt_too_large_for_the_window_is_not_kept_and_the_session_goes_on(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    write_config(isolated_env, SMALL_WINDOW)
    first = harken("ask", "x " * 30_000)

    assert first.returncode == 1
    assert "Your message was not sent and is not kept" in first.stderr
    assert api.requests == []
    api.script(*[answer_or_summary("Hi.")] * 2)
    second = ask_again(harken, "a short one")

    assert second.stdout == "Hi.\n"
    (request,) = answer_requests(api)
    assert [block_text(b) for b in request["messages"][-1]["content"]] == ["a short one"]


def test_many_large_results_of_one_round_are_cut_further_until_the_request_fits(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    """Six results cut to the usual floor still overfill the window: the session must not
    be left refusing every later prompt."""
    write_config(isolated_env, SMALL_WINDOW)
    calls = [tool_use("Bash", {"command": f"yes {n} | head -n 2500"}) for n in range(6)]
    api.script(Reply(calls))
    first = harken("ask", "print", "--yes", "--max-turns", "1")
    assert first.returncode == 1, first.stderr
    api.script(*[answer_or_summary("Six columns.")] * 2)
    second = ask_again(harken, "what was printed?")

    assert second.stdout == "Six columns.\n"
    sent = answer_requests(api)[-1]["messages"]
    assert conversation.problems(sent) == []
    results = [b for b in sent[-1]["content"] if b["type"] == "tool_result"]
    assert len(results) == 6
    assert all("cut to fit the context window" in block_text(b) for b in results)


def test_a_long_input_of_a_call_that_ran_is_cut_so_the_turn_goes_on(
    api: ScriptedAPI, harken, isolated_env: Path, workspace: Path
) -> None:
    """A Write of a long file fills the context as much as a long output: once its result
    is in, its input is history and may be cut (the file keeps every line)."""
    write_config(isolated_env, SMALL_WINDOW)
    content = "line of text\n" * 2500  # 32,500 characters
    api.script(
        Reply([tool_use("Write", {"file_path": "big.txt", "content": content})]),
        *[answer_or_summary("Wrote it.")] * 2,
    )
    first = harken("ask", "write big.txt", "--yes")

    assert first.returncode == 0, first.stderr
    assert first.stdout == "Wrote it.\n"
    assert (workspace / "big.txt").read_text() == content
    sent = answer_requests(api)[-1]["messages"]
    assert conversation.problems(sent) == []
    sent_input = sent[1]["content"][0]["input"]["content"]
    assert len(sent_input) < len(content) and "tool input were cut" in sent_input
    api.script(*[answer_or_summary("You are welcome.")] * 2)
    ask_again(harken, "thanks")


def test_a_summary_cut_by_the_output_limit_says_so(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    write_config(isolated_env, SMALL_WINDOW)
    hi_then_a_big_tool_result(api, harken)

    def step(request: dict[str, Any]) -> Reply:
        if request.get("stream"):
            return Reply([text("Done.")])
        return Reply([text("The user said hi and")], stop_reason="max_tokens")

    api.script(step, step)
    ask_again(harken, "what did it print?")

    summary = block_text(answer_requests(api)[-1]["messages"][0]["content"][0])
    assert "The user said hi and" in summary and "cut short by the output limit" in summary


def test_one_long_turn_of_many_rounds_is_summarised_at_a_round(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    """No prompt stands between the rounds of one turn, so no ordinary place to cut: the
    older rounds are summarised anyway (their results kept as text), rather than every
    later prompt of the session being refused."""
    write_config(isolated_env, SMALL_WINDOW)
    rounds = 36
    command = "yes x | head -c 2000"  # 2,000 characters: at the floor, not cut by it
    api.script(*[Reply([tool_use("Bash", {"command": command})]) for _ in range(rounds)])
    first = harken("ask", "print", "--yes", "--max-turns", str(rounds))
    assert first.returncode == 1, first.stderr
    api.script(*[answer_or_summary("Many x.", summary="Bash printed x many times.")] * 3)
    second = ask_again(harken, "what was printed?")

    assert second.stdout == "Many x.\n"
    sent = answer_requests(api)[-1]["messages"]
    assert conversation.problems(sent) == []
    assert orphaned_results(sent) == []
    head = [block_text(b) for b in sent[0]["content"]]
    assert head[0].startswith("<summary of the earlier conversation>")
    assert "Bash printed x many times." in head[0]
    assert block_text(sent[-1]["content"][-1]) == "what was printed?"

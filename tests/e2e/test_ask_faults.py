"""`harken ask` when the conversation could break: bad bytes, empty answers, broken
streams, calls cut by the output limit. What a user sees: the exit code, one line on
failure, no traceback, no file written by a call that should not run; and the next
request is one the real API takes (the scripted server refuses the others with a 400).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from agent.transcript import TranscriptWriter
from tests.e2e.conftest import failure_lines, write_config
from tests.scripted_api import Reply, ScriptedAPI, text, thinking, tool_use

pytestmark = pytest.mark.e2e


def answered_cleanly(api: ScriptedAPI, result: Any, answer: str) -> None:
    """The turn ended well: exit 0, no traceback, ``answer`` on stdout, and nothing sent
    that the API refused."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == answer
    assert api.rejections == []


def read_then_edit(api: ScriptedAPI, harken, name: str, old: str, new: str) -> dict[str, Any]:
    """The model Reads the file ``name``, then Edits ``old`` into ``new`` there (``--yes``):
    the turn ends well, the Edit succeeds and the API refused nothing. What Read showed."""
    edit = {"file_path": name, "old_string": old, "new_string": new}
    api.script(
        Reply([tool_use("Read", {"file_path": name})]),
        Reply([tool_use("Edit", edit)]),
        Reply([text("Changed.")]),
    )
    result = harken("ask", f"change {name}", "--yes")

    assert result.returncode == 0, result.stderr
    (edited,) = api.requests[2]["messages"][-1]["content"]
    assert not edited.get("is_error"), edited["content"]
    assert api.rejections == []
    (shown,) = api.requests[1]["messages"][-1]["content"]
    return shown


def nothing_came_back_then_resumed(api: ScriptedAPI, harken, answer: Reply) -> Any:
    """Ask "hello?" and get ``answer``: harken says nothing came back and exits 1; the same
    session is resumed and answered, the API refusing nothing. The first run, finished."""
    api.script(answer)
    first = harken("ask", "hello?")

    assert first.returncode == 1
    assert failure_lines(first.stderr)[-1].startswith("harken: Nothing came back")
    api.script(Reply([text("Hello!")]))
    second = harken("ask", "--resume", "latest", "are you there?")

    assert second.returncode == 0, second.stderr
    assert second.stdout == "Hello!\n"
    assert api.rejections == []
    return first


# -- text that is not valid UTF-8 -----------------------------------------------------------


def test_a_file_name_that_is_not_utf8_found_by_glob_does_not_end_the_turn(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    """The issue's example: Glob finds a name holding byte 0xE9."""
    with open(os.path.join(os.fsencode(workspace), b"caf\xe9.txt"), "wb") as handle:
        handle.write(b"bonjour\n")
    api.script(
        Reply([tool_use("Glob", {"pattern": "*.txt"})]),
        Reply([tool_use("Read", {"file_path": "caf\ufffd.txt"})]),
        Reply([text("It says bonjour.")]),
    )
    result = harken("ask", "what is in the text file?")

    answered_cleanly(api, result, "It says bonjour.\n")


def test_a_tool_input_holding_a_lone_surrogate_does_not_end_the_turn(
    api: ScriptedAPI, harken
) -> None:
    api.script(Reply([tool_use("Glob", {"pattern": "\ud99c*"})]), Reply([text("No match.")]))
    result = harken("ask", "find it")

    answered_cleanly(api, result, "No match.\n")


def test_json_events_stay_valid_when_the_answer_holds_a_lone_surrogate(
    api: ScriptedAPI, harken
) -> None:
    api.script(Reply([text("Voil\ud99c, done.")]))
    result = harken("ask", "go", "--json")

    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert events[-1]["kind"] == "turn_finished"
    assert events[-1]["text"] == "Voil\ufffd, done."


def test_a_prompt_with_bytes_that_are_not_utf8_is_asked(api: ScriptedAPI, harken) -> None:
    api.script(Reply([text("Yes.")]))
    result = harken("ask", os.fsdecode(b"caf\xe9?"))  # argv as a Latin-1 terminal sends it

    assert result.returncode == 0, result.stderr
    assert api.requests[0]["messages"][0]["content"][0]["text"] == "caf\ufffd?"
    assert api.rejections == []


# -- empty answers ---------------------------------------------------------------------------


def test_an_empty_answer_says_nothing_came_back_and_the_session_goes_on(
    api: ScriptedAPI, harken
) -> None:
    first = nothing_came_back_then_resumed(api, harken, Reply([]))

    assert failure_lines(first.stderr) == [
        "harken: Nothing came back: the model sent an empty answer (stop reason: end_turn)."
        " Ask again, perhaps in other words."
    ]
    assert first.stderr.strip().splitlines()[-1].startswith("harken: Nothing came back")
    assert first.stdout == ""


@pytest.mark.parametrize(
    "saved",
    [
        [],
        [text("")],
        [text(" \n")],
        [thinking("Hmm.", "sig-0")],
        [thinking("Hmm.", "sig-0"), text("\n\n")],
    ],
    ids=["no-content", "empty-text", "whitespace-text", "only-thinking", "thinking-and-blank"],
)
def test_a_session_saved_with_an_empty_answer_resumes(
    api: ScriptedAPI, harken, isolated_env: Path, workspace: Path, saved: list[Any]
) -> None:
    """Sessions written before the fix hold {"role": "assistant", "content": []} (or an
    answer the API refuses as just as empty)."""
    folder = isolated_env / "xdg_data_home" / "harken" / "sessions"
    writer = TranscriptWriter.create(folder, "20260101-000000-abcd", cwd=str(workspace), model="m")
    writer.append({"type": "prompt", "text": "hello?", "at": "2026-01-01T00:00:00+00:00"})
    for message in (
        {"role": "user", "content": [text("hello?")]},
        {"role": "assistant", "content": saved},
    ):
        writer.append({"type": "message", "message": message})
    writer.append({"type": "turn_end", "stop_reason": "end_turn", "usage": {}, "cost_usd": 0})
    writer.close()
    api.script(Reply([text("Back again.")]))

    result = harken("ask", "--resume", "latest", "are you there?")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "Back again.\n"
    assert api.rejections == []


# -- streams that end before their stop events ----------------------------------------------


def test_a_stream_cut_before_its_stop_events_is_asked_again(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    """The issue's example: it printed the partial text and exited 0."""
    write_config(isolated_env, "max_retries = 1\n")
    api.script(
        Reply([text("The answer is 4")], cut_before="message_delta"),
        Reply([text("The answer is 42.")]),
    )
    result = harken("ask", "what is the answer?")

    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("The answer is 42.\n")
    assert "broke off" in result.stderr and "Retrying" in result.stderr
    assert len(api.requests) == 2


def test_a_cut_stream_never_runs_its_tool_and_fails_in_one_line_when_retries_run_out(
    api: ScriptedAPI, harken, isolated_env: Path, workspace: Path
) -> None:
    write_config(isolated_env, "max_retries = 1\n")
    cut = Reply(
        [text("Writing."), tool_use("Write", {"file_path": "out.txt", "content": "x"})],
        cut_before="message_delta",
    )
    api.script(cut, cut)
    result = harken("ask", "write out.txt", "--yes")

    assert result.returncode == 1
    assert failure_lines(result.stderr) == [
        "harken: The API's answer broke off before it was complete: the stream ended before "
        "the message's stop reason arrived."
    ]
    assert result.stderr.strip().splitlines()[-1].startswith("harken: The API's answer broke")
    assert not (workspace / "out.txt").exists()
    assert "Traceback" not in result.stderr


# -- a call cut by the output limit -------------------------------------------------------------


def test_a_write_cut_by_the_output_limit_is_not_run_and_the_model_hears_why(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    """The issue's example: a Write without `content` because the reply hit max_tokens."""
    api.script(
        Reply([tool_use("Write", {"file_path": "big.txt"})], stop_reason="max_tokens"),
        Reply([text("I will write it in parts.")]),
    )
    result = harken("ask", "write big.txt", "--yes")

    assert result.returncode == 0, result.stderr
    assert not (workspace / "big.txt").exists()
    assert "✗ Write: This Write call was cut off by the output limit" in result.stderr
    (answer,) = api.requests[1]["messages"][-1]["content"]
    assert answer["is_error"] is True and "smaller pieces" in answer["content"]
    assert "Field required" not in answer["content"]
    assert api.rejections == []


# -- variants of an empty answer: only thinking, only whitespace, a blank prompt ----------------


def test_an_answer_of_only_thinking_says_nothing_came_back_and_is_not_sent_back(
    api: ScriptedAPI, harken
) -> None:
    """The API refuses an assistant message whose last block is thinking."""
    only_thinking = Reply([thinking("Let me think about it.", "sig-1")])
    nothing_came_back_then_resumed(api, harken, only_thinking)


def test_whitespace_the_model_sends_before_a_tool_call_is_not_sent_back(
    api: ScriptedAPI, harken
) -> None:
    """The API refuses a text block of only whitespace ("must contain non-whitespace
    text"); models do send "\\n\\n" before a tool call."""
    api.script(
        Reply([text("\n\n"), tool_use("Glob", {"pattern": "*.txt"})]),
        Reply([text("No text files.")]),
    )
    result = harken("ask", "any text files?")

    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("No text files.\n")
    assert api.rejections == []
    assert [b["type"] for b in api.requests[1]["messages"][1]["content"]] == ["tool_use"]


def test_an_answer_of_only_whitespace_says_nothing_came_back(api: ScriptedAPI, harken) -> None:
    nothing_came_back_then_resumed(api, harken, Reply([text(" \n ")]))


@pytest.mark.parametrize("prompt", ["", "  \n\t "])
def test_a_blank_prompt_is_not_sent(api: ScriptedAPI, harken, prompt: str) -> None:
    result = harken("ask", prompt)

    assert result.returncode == 1
    assert failure_lines(result.stderr) == [
        "harken: Nothing to ask: the message is empty. Say or type what you want."
    ]
    assert api.requests == []


def test_a_file_with_bytes_that_are_not_utf8_is_read_and_edited_keeping_those_bytes(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    """A Latin-1 'café' is not a binary file: Read shows U+FFFD for the byte, Edit finds
    text copied from Read, and the byte stays where the text does not change."""
    (workspace / "notes.txt").write_bytes(b"caf\xe9 au lait\r\nbar\r\n")
    shown = read_then_edit(
        api, harken, "notes.txt", "caf\ufffd au lait\nbar", "caf\ufffd au lait\nbaz"
    )

    assert "1\tcaf\ufffd au lait" in shown["content"] and not shown.get("is_error")
    assert "Edit matches \ufffd copied from Read to such a byte" in shown["content"]
    assert (workspace / "notes.txt").read_bytes() == b"caf\xe9 au lait\r\nbaz\r\n"


def test_text_copied_from_read_across_a_stray_cr_is_found_by_edit(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    """A stray CR before a CRLF (``a\\r\\r\\n``): Read shows ``1\\ta\\r``, so the model
    copies ``a\\r\\nb``; Edit finds it and keeps the file's other bytes."""
    (workspace / "stray.txt").write_bytes(b"a\r\r\nb\r\n")
    shown = read_then_edit(api, harken, "stray.txt", "a\r\nb", "a\r\nc")

    assert "1\ta\r\n" in shown["content"] and "2\tb" in shown["content"]
    assert (workspace / "stray.txt").read_bytes() == b"a\r\r\nc\r\n"


@pytest.mark.parametrize(
    ("call", "advice"),
    [
        (tool_use("Bash", {"command": "printf 'a\\n' > ran.txt; cat <<'EOF'\nlong"}), "commands"),
        (tool_use("Agent", {"description": "look", "prompt": "Write ran.txt and"}), "prompt"),
        (tool_use("Glob", {"pattern": "*.t"}), "several calls"),
    ],
    ids=["Bash", "Agent", "Glob"],
)
def test_any_call_cut_by_the_output_limit_is_not_run_and_hears_how_to_send_less(
    api: ScriptedAPI, harken, workspace: Path, call: dict[str, Any], advice: str
) -> None:
    api.script(Reply([call], stop_reason="max_tokens"), Reply([text("I will send less.")]))
    result = harken("ask", "go", "--yes")

    assert result.returncode == 0, result.stderr
    assert not (workspace / "ran.txt").exists()
    (answer,) = api.requests[1]["messages"][-1]["content"]
    assert answer["is_error"] is True
    assert "cut off by the output limit" in answer["content"] and "did not run" in answer["content"]
    assert "smaller pieces" in answer["content"] and advice in answer["content"]
    if call["name"] != "Write":
        assert "create the file" not in answer["content"]
    assert api.rejections == []

"""Text that is not valid UTF-8 (file names, command output, the model's own escapes)
never ends a turn: it reaches the transcript, the API and listeners as valid UTF-8.

A name with byte 0xE9 comes out of ``os`` as a lone surrogate (U+DCE9); the model's JSON
can hold ``"\\ud99c"``. Writing either to the transcript raised ``UnicodeEncodeError``,
and the API answers a request holding one with a 400. The scripted server refuses such
requests as the API does, so every request here is checked.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from agent import transcript
from agent.events import PermissionAnswer
from tests.conftest import Recorder
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

SHOWN = "caf\ufffd.txt"  # how b"caf\xe9.txt" reaches the model
NOTE_WORDS = "not valid UTF-8"


def latin1_file(folder: Path, name: bytes, data: bytes) -> Path:
    """A file whose name is not UTF-8 (as left by an old archive or a Windows share)."""
    path = os.path.join(os.fsencode(folder), name)
    with open(path, "wb") as handle:
        handle.write(data)
    return Path(os.fsdecode(path))


def result_of(request: dict[str, Any]) -> dict[str, Any]:
    (block,) = [b for b in request["messages"][-1]["content"] if b["type"] == "tool_result"]
    return block


def result_text(block: dict[str, Any]) -> str:
    content = block["content"]
    return content if isinstance(content, str) else "".join(b.get("text", "") for b in content)


def assert_saved_and_printable(session: Any, isolated_env: Path, events: Recorder) -> None:
    """The transcript loads as written, and every event encodes as UTF-8 JSON."""
    saved = transcript.load(isolated_env / "sessions" / f"{session.id}.jsonl")
    assert saved.messages == session.messages
    for event in events.events:
        json.dumps(event.to_dict(), ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(tool_use("Glob", {"pattern": "*.txt"}), id="glob"),
        pytest.param(tool_use("Grep", {"pattern": "bonjour"}), id="grep-files"),
        pytest.param(
            tool_use("Grep", {"pattern": "bonjour", "output_mode": "content"}), id="grep-lines"
        ),
        pytest.param(tool_use("Bash", {"command": "ls; printf 'bad \\351 byte\\n'"}), id="bash"),
        pytest.param(tool_use("Read", {"file_path": "dossier\ufffd"}), id="read-a-folder"),
    ],
)
async def test_a_name_that_is_not_utf8_reaches_the_model_as_valid_text_and_the_turn_goes_on(
    api: ScriptedAPI,
    make_session,
    workspace: Path,
    isolated_env: Path,
    call: dict[str, Any],
) -> None:
    latin1_file(workspace, b"caf\xe9.txt", b"bonjour\n")
    os.mkdir(os.path.join(os.fsencode(workspace), b"dossier\xe9"))
    api.script(Reply([call]), Reply([text("Done.")]))
    session = make_session(mode="bypass")
    events = Recorder()
    session.subscribe(events)

    outcome = await session.submit("look around")

    assert outcome.stop_reason == "end_turn", outcome.error
    assert api.rejections == []
    shown = result_text(result_of(api.requests[1]))
    assert "\ufffd" in shown and NOTE_WORDS in shown
    assert_saved_and_printable(session, isolated_env, events)


async def test_the_model_can_open_and_edit_the_file_by_the_name_it_was_shown(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    original = latin1_file(workspace, b"caf\xe9.txt", b"bonjour\n")
    api.script(
        Reply([tool_use("Glob", {"pattern": "*.txt"})]),
        Reply([tool_use("Read", {"file_path": SHOWN})]),
        Reply(
            [tool_use("Edit", {"file_path": SHOWN, "old_string": "bonjour", "new_string": "salut"})]
        ),
        Reply([text("Changed.")]),
    )
    session = make_session()
    events = Recorder(answer=lambda _e: PermissionAnswer(True))
    session.subscribe(events)

    outcome = await session.submit("greet less formally in the café file")

    assert outcome.text == "Changed."
    assert SHOWN in result_text(result_of(api.requests[1]))
    assert "bonjour" in result_text(result_of(api.requests[2]))
    assert not result_of(api.requests[3]).get("is_error")
    assert original.read_bytes() == b"salut\n"
    assert not (workspace / SHOWN).exists()
    (asked,) = events.of("permission_requested")  # the gate judged the real file
    assert SHOWN in asked.description
    assert api.rejections == []


async def test_two_names_that_differ_only_in_bad_bytes_are_not_guessed(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    latin1_file(workspace, b"caf\xe9.txt", b"FIRST FILE\n")
    latin1_file(workspace, b"caf\xe8.txt", b"SECOND FILE\n")
    api.script(Reply([tool_use("Read", {"file_path": SHOWN})]), Reply([text("Ambiguous.")]))
    session = make_session()

    outcome = await session.submit("read it")

    result = result_of(api.requests[1])
    assert result["is_error"] is True
    assert "FIRST FILE" not in result_text(result)
    assert "SECOND FILE" not in result_text(result)
    assert outcome.text == "Ambiguous."
    assert api.rejections == []


async def test_a_lone_surrogate_in_the_models_tool_input_is_cleaned_before_it_runs(
    api: ScriptedAPI, make_session, workspace: Path, isolated_env: Path
) -> None:
    """The issue's example: a tool input holding "\\ud99c" (here raw JSON, as streamed)."""
    api.script(
        Reply([tool_use("Write", '{"file_path": "s.txt", "content": "a\\ud99cb\\n"}')]),
        Reply([tool_use("Glob", {"pattern": "\ud99c*"})]),
        Reply([text("Wrote it.")]),
    )
    session = make_session(mode="bypass")
    events = Recorder()
    session.subscribe(events)

    outcome = await session.submit("write s.txt")

    assert outcome.text == "Wrote it."
    assert (workspace / "s.txt").read_text(encoding="utf-8") == "a\ufffdb\n"
    sent_call = api.requests[1]["messages"][1]["content"][0]
    assert sent_call["input"]["content"] == "a\ufffdb\n"
    assert api.rejections == []
    assert_saved_and_printable(session, isolated_env, events)


async def test_a_lone_surrogate_in_the_models_text_and_in_the_prompt_is_cleaned(
    api: ScriptedAPI, make_session, isolated_env: Path
) -> None:
    api.script(Reply([text("Voil\ud99c!")]), Reply([text("Yes.")]))
    session = make_session()
    events = Recorder()
    session.subscribe(events)

    outcome = await session.submit("caf\udce9?")  # argv bytes that are not UTF-8 look so
    await session.submit("again")

    assert outcome.text == "Voil\ufffd!" and events.text().startswith("Voil\ufffd!")
    assert api.rejections == []
    first = api.requests[1]["messages"]
    assert first[0]["content"][0]["text"] == "caf\ufffd?"
    assert first[1]["content"] == [{"type": "text", "text": "Voil\ufffd!"}]
    assert_saved_and_printable(session, isolated_env, events)

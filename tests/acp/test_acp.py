"""``harken acp`` as an editor sees it: the ACP SDK's client drives the real command over
stdio, and the model is the scripted Messages API."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from acp import RequestError
from acp.schema import AgentMessageChunk, AgentThoughtChunk, McpServerStdio

from tests.acp.conftest import Editor, StartHarken
from tests.scripted_api import Failure, Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

TIME_SERVER = Path(sys.executable).parent / "mcp-server-time"  # a published MCP server


def tool_result_text(request: dict[str, Any]) -> str:
    """The text of the tool results the last message of ``request`` carries."""
    parts = []
    for block in request["messages"][-1]["content"]:
        if block.get("type") == "tool_result":
            content = block["content"]
            if isinstance(content, str):
                parts.append(content)
            else:
                parts.extend(b.get("text", "") for b in content)
    return "\n".join(parts)


async def test_a_prompt_reaches_the_model_and_its_answer_streams_back(
    api: ScriptedAPI, start_harken: StartHarken, workspace: Path, isolated_env: Path
) -> None:
    api.script(Reply([text("Hello from the scripted model, in several chunks.")]))
    editor = Editor()
    async with start_harken(editor) as harken:
        assert harken.hello.agent_info is not None and harken.hello.agent_info.name == "harken"
        assert harken.hello.agent_capabilities.load_session
        session_id = await harken.new_session(workspace)
        stop = await harken.prompt(session_id, "Say hello to the editor")

    assert stop == "end_turn"
    chunks = [u for u in editor.updates if isinstance(u, AgentMessageChunk)]
    assert len(chunks) > 1  # streamed, not sent at the end in one piece
    assert editor.answer_text() == "Hello from the scripted model, in several chunks."
    (request,) = api.requests
    assert "Say hello to the editor" in str(request["messages"][-1]["content"])
    # The session is Harken's own: saved where `harken sessions` finds it, in that folder.
    saved = isolated_env / "xdg_data_home" / "harken" / "sessions" / f"{session_id}.jsonl"
    assert saved.is_file()
    assert str(workspace) in saved.read_text().splitlines()[0]


async def test_the_editor_answers_permission_questions_allow_runs_reject_does_not(
    api: ScriptedAPI, start_harken: StartHarken, workspace: Path
) -> None:
    allowed = tool_use("Write", {"file_path": "allowed.txt", "content": "yes\n"})
    refused = tool_use("Write", {"file_path": "refused.txt", "content": "no\n"})
    api.script(
        Reply([allowed]),
        Reply([text("Wrote it.")]),
        Reply([refused]),
        Reply([text("Did not write it.")]),
    )
    editor = Editor()
    editor.picks = ["allow_once", "reject_once"]
    async with start_harken(editor, args=("--mode", "standard")) as harken:
        session_id = await harken.new_session(workspace)
        assert await harken.prompt(session_id, "write allowed.txt") == "end_turn"
        assert await harken.prompt(session_id, "write refused.txt") == "end_turn"

    assert (workspace / "allowed.txt").read_text() == "yes\n"
    assert not (workspace / "refused.txt").exists()
    # The questions were the editor's own, about those calls, with the three answers.
    (first, options), (second, _) = editor.questions
    assert first.tool_call_id == allowed["id"] and second.tool_call_id == refused["id"]
    assert first.kind == "edit"
    assert {o.kind for o in options} == {"allow_once", "allow_always", "reject_once"}
    # Tool activity: shown pending while asked, then run; the refused one failed.
    assert editor.statuses(allowed["id"]) == ["pending", "in_progress", "completed"]
    assert editor.statuses(refused["id"]) == ["pending", "failed"]
    # Shown with the change it would make, as a diff the editor draws.
    diff = editor.tool_calls(allowed["id"])[0].content[0]  # type: ignore[index]
    target = str(workspace / "allowed.txt")
    assert (diff.type, diff.path, diff.new_text) == ("diff", target, "yes\n")
    assert "denied" in tool_result_text(api.requests[3])
    assert editor.answer_text() == "Wrote it.Did not write it."


async def test_read_and_edit_go_through_the_editor_and_see_its_unsaved_buffer(
    api: ScriptedAPI, start_harken: StartHarken, workspace: Path
) -> None:
    notes = workspace / "notes.txt"
    notes.write_text("saved on disk\n")
    editor = Editor()
    editor.buffers[str(notes)] = "typed but unsaved\n"
    editor.picks = ["allow_once"]
    edit = {"file_path": str(notes), "old_string": "unsaved", "new_string": "edited"}
    api.script(
        Reply([tool_use("Read", {"file_path": str(notes)})]),
        Reply([text("It says typed but unsaved.")]),
        Reply([tool_use("Edit", edit)]),
        Reply([text("Edited.")]),
    )
    async with start_harken(editor, fs=True, args=("--mode", "standard")) as harken:
        session_id = await harken.new_session(workspace)
        assert await harken.prompt(session_id, "what does notes.txt say?") == "end_turn"
        assert await harken.prompt(session_id, "change unsaved to edited") == "end_turn"

    seen = tool_result_text(api.requests[1])
    assert "typed but unsaved" in seen and "saved on disk" not in seen
    # The edit matched the buffer (the disk never held that text) and went to the editor.
    assert "Edited notes.txt" in tool_result_text(api.requests[3])
    assert editor.writes == [(str(notes), "typed but edited\n")]
    assert notes.read_text() == "saved on disk\n"


async def test_cancel_interrupts_the_turn_and_the_next_prompt_works(
    api: ScriptedAPI, start_harken: StartHarken, workspace: Path
) -> None:
    # The first answer stops after its first words until the test ends (a slow model).
    api.script(
        Reply([text("This answer is cut off after its first words")], pause_after=3),
        Reply([text("Second answer.")]),
    )
    editor = Editor()
    async with start_harken(editor) as harken:
        session_id = await harken.new_session(workspace)
        first = asyncio.create_task(harken.prompt(session_id, "a long question"))
        await editor.until(lambda: editor.answer_text() != "")
        await harken.conn.cancel(session_id=session_id)
        assert await first == "cancelled"

        assert await harken.prompt(session_id, "and now?") == "end_turn"

    assert editor.answer_text().endswith("Second answer.")
    assert api.rejections == []  # the conversation stayed one the API accepts
    second = api.requests[-1]["messages"]
    assert "a long question" in str(second) and "and now?" in str(second[-1])


async def test_a_saved_session_is_listed_and_loads_with_its_conversation_replayed(
    api: ScriptedAPI, start_harken: StartHarken, workspace: Path
) -> None:
    api.script(Reply([text("Noted: banana.")]), Reply([text("It was banana.")]))
    async with start_harken(Editor()) as harken:
        session_id = await harken.new_session(workspace)
        assert await harken.prompt(session_id, "remember the word banana") == "end_turn"

    editor = Editor()
    async with start_harken(editor) as harken:
        listed = await harken.conn.list_sessions(cwd=str(workspace))
        assert [(i.session_id, i.title) for i in listed.sessions] == [
            (session_id, "remember the word banana")
        ]
        await harken.conn.load_session(cwd=str(workspace), session_id=session_id, mcp_servers=[])
        assert editor.user_text() == "remember the word banana"
        assert editor.answer_text() == "Noted: banana."
        assert await harken.prompt(session_id, "which word?") == "end_turn"

    assert "remember the word banana" in str(api.requests[-1]["messages"])


async def test_cancel_while_the_editor_asks_ends_the_turn_and_the_tool_never_runs(
    api: ScriptedAPI, start_harken: StartHarken, workspace: Path
) -> None:
    write = tool_use("Write", {"file_path": "later.txt", "content": "no\n"})
    api.script(Reply([write]), Reply([text("Fresh start.")]))
    editor = Editor()
    editor.picks = ["hold"]
    async with start_harken(editor, args=("--mode", "standard")) as harken:
        session_id = await harken.new_session(workspace)
        first = asyncio.create_task(harken.prompt(session_id, "write later.txt"))
        await editor.until(lambda: bool(editor.questions))
        await harken.conn.cancel(session_id=session_id)
        # The turn ends at once, without waiting for the editor to close its question.
        assert await first == "cancelled"
        editor.release.set()

        assert await harken.prompt(session_id, "never mind") == "end_turn"

    assert not (workspace / "later.txt").exists()
    assert editor.statuses(write["id"]) == ["pending", "failed"]
    assert api.rejections == []
    assert editor.answer_text() == "Fresh start."


async def test_the_editor_mode_selector_switches_harken_to_plan_mode(
    api: ScriptedAPI, start_harken: StartHarken, workspace: Path
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "plan.txt", "content": "x\n"})]),
        Reply([text("Planning only.")]),
    )
    editor = Editor()
    editor.picks = ["allow_once"]  # never used: plan mode refuses without asking
    async with start_harken(editor, args=("--mode", "standard")) as harken:
        response = await harken.conn.new_session(cwd=str(workspace), mcp_servers=[])
        assert response.modes is not None and response.modes.current_mode_id == "standard"
        assert {m.id for m in response.modes.available_modes} == {
            "plan",
            "standard",
            "auto",
            "bypass",
        }
        await harken.conn.set_session_mode(session_id=response.session_id, mode_id="plan")
        assert await harken.prompt(response.session_id, "write plan.txt") == "end_turn"

    assert not (workspace / "plan.txt").exists()
    assert editor.questions == []
    assert "plan mode" in tool_result_text(api.requests[1]).lower()


async def test_a_failed_turn_is_an_error_answer_and_no_key_asks_to_authenticate(
    api: ScriptedAPI,
    start_harken: StartHarken,
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api.script(Failure(400, "prompt is too long for this scripted model"))
    async with start_harken(Editor()) as harken:
        session_id = await harken.new_session(workspace)
        with pytest.raises(RequestError) as failed:
            await harken.prompt(session_id, "hello")
    assert "prompt is too long" in str(failed.value)

    # No key, and the endpoint is Anthropic's own (a local one would need none).
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    async with start_harken(Editor(), env={"ANTHROPIC_BASE_URL": ""}) as harken:
        with pytest.raises(RequestError) as refused:
            await harken.new_session(workspace)
    assert refused.value.code == RequestError.auth_required().code
    assert "harken key set" in str(refused.value.data)


async def test_an_mcp_server_the_editor_hands_over_serves_the_session(
    api: ScriptedAPI, start_harken: StartHarken, workspace: Path
) -> None:
    paris = {"timezone": "Europe/Paris"}
    api.script(
        Reply([tool_use("mcp__time__get_current_time", paris)]),
        Reply([text("It is evening in Paris.")]),
    )
    time_server = McpServerStdio(
        name="time", command=str(TIME_SERVER), args=["--local-timezone", "UTC"], env=[]
    )
    editor = Editor()
    editor.picks = ["allow_once"]
    async with start_harken(editor, args=("--mode", "standard")) as harken:
        assert harken.hello.agent_capabilities.mcp_capabilities.http
        response = await harken.conn.new_session(cwd=str(workspace), mcp_servers=[time_server])
        assert await harken.prompt(response.session_id, "time in Paris?") == "end_turn"

    assert "mcp__time__get_current_time" in {t["name"] for t in api.requests[0]["tools"]}
    assert "Europe/Paris" in tool_result_text(api.requests[1])
    assert editor.answer_text() == "It is evening in Paris."


async def test_the_editor_hears_why_a_project_rule_is_off(
    api: ScriptedAPI, start_harken: StartHarken, workspace: Path
) -> None:
    (workspace / ".harken").mkdir()
    (workspace / ".harken" / "settings.json").write_text(
        json.dumps({"permissions": {"allow": ["Write(out.txt)"]}})
    )
    api.script(Reply([text("Hello.")]))
    editor = Editor()
    async with start_harken(editor) as harken:
        session_id = await harken.new_session(workspace)
        assert await harken.prompt(session_id, "hello") == "end_turn"

    thoughts = "".join(u.content.text for u in editor.updates if isinstance(u, AgentThoughtChunk))
    assert "Write(out.txt)" in thoughts and "harken permissions trust" in thoughts

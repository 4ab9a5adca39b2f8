"""Checkpoints in a live session, through the scripted Messages API: what Write and Edit
keep, the Undo tool, the desktop's direct undo, and a store that cannot be written."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from agent.checkpoints import undo_in_session
from agent.events import PermissionAnswer
from tests.conftest import Recorder
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

ALLOW = PermissionAnswer(True)
NO = PermissionAnswer(False)


def results(request: dict[str, Any]) -> list[str]:
    """The texts of the tool results in a request's last message."""
    out = []
    for block in request["messages"][-1]["content"]:
        if block.get("type") == "tool_result":
            content = block["content"]
            out.append(content if isinstance(content, str) else content[0]["text"])
    return out


ODD_FILES = {
    "empty.txt": b"",
    "windows.txt": b"one\r\ntwo\r\n",
    "latin1.txt": b"caf\xe9 cr\xe8me\n",
}


async def test_empty_crlf_and_non_utf8_files_come_back_byte_for_byte(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    for name, data in ODD_FILES.items():
        (workspace / name).write_bytes(data)
    reads = [tool_use("Read", {"file_path": n}) for n in ODD_FILES]
    writes = [tool_use("Write", {"file_path": n, "content": "replaced\n"}) for n in ODD_FILES]
    api.script(Reply(reads), Reply(writes), Reply([text("Replaced them.")]))
    session = make_session(mode="bypass")
    session.subscribe(Recorder(answer=lambda e: ALLOW))
    await session.submit("replace the three files")
    assert all((workspace / n).read_bytes() != d for n, d in ODD_FILES.items())

    done = await undo_in_session(session)

    assert done is not None and len(done.result.done) == 3
    for name, data in ODD_FILES.items():
        assert (workspace / name).read_bytes() == data, name


async def test_a_file_whose_name_is_not_utf8_comes_back(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    name = os.fsdecode(b"caf\xe9.txt")  # a Latin-1 name on disk, as the agent is shown it
    path = workspace / name
    path.write_bytes(b"bonjour\n")
    edit = {"file_path": name, "old_string": "bonjour", "new_string": "salut"}
    api.script(
        Reply([tool_use("Read", {"file_path": name})]),
        Reply([tool_use("Edit", edit)]),
        Reply([text("Done.")]),
    )
    session = make_session(mode="bypass")
    session.subscribe(Recorder(answer=lambda e: ALLOW))
    await session.submit("greet less formally")
    assert path.read_bytes() == b"salut\n"

    done = await undo_in_session(session)

    assert done is not None and len(done.result.done) == 1
    assert path.read_bytes() == b"bonjour\n"


async def test_undoing_two_steps_takes_back_the_last_two_turns_and_no_more(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    session = make_session(mode="bypass")
    session.subscribe(Recorder(answer=lambda e: ALLOW))
    for turn in (1, 2, 3):
        api.script(
            Reply([tool_use("Write", {"file_path": "log.txt", "content": f"turn {turn}\n"})]),
            Reply([text(f"Wrote turn {turn}.")]),
        )
        await session.submit(f"write turn {turn}")
    assert (workspace / "log.txt").read_text() == "turn 3\n"

    done = await undo_in_session(session, count=2)

    assert done is not None and len(done.result.done) == 1
    assert (workspace / "log.txt").read_text() == "turn 1\n"  # as it was after turn 1


async def test_the_undo_tool_takes_back_the_last_turn_and_the_model_is_told(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    (workspace / "plan.md").write_text("step one\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "plan.md"})]),
        Reply([tool_use("Edit", {"file_path": "plan.md", "old_string": "one", "new_string": "1"})]),
        Reply([tool_use("Write", {"file_path": "extra.md", "content": "more\n"})]),
        Reply([text("Edited.")]),
        Reply([tool_use("Undo", {})]),
        Reply([text("Undone.")]),
    )
    session = make_session(mode="bypass")
    await session.submit("number the steps")
    assert (workspace / "plan.md").read_text() == "step 1\n"

    await session.submit("undo that")

    assert (workspace / "plan.md").read_text() == "step one\n"
    assert not (workspace / "extra.md").exists()
    [said] = results(api.requests[-1])
    assert 'took back turn 1 ("number the steps")' in said
    assert "- extra.md: removed" in said and "- plan.md: back to its content from before" in said


async def test_undo_since_a_named_turn_takes_back_every_later_turn(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "a.txt", "content": "a\n"})]),
        Reply([text("ok")]),
        Reply([tool_use("Write", {"file_path": "tests.txt", "content": "t\n"})]),
        Reply([text("ok")]),
        Reply([tool_use("Write", {"file_path": "c.txt", "content": "c\n"})]),
        Reply([text("ok")]),
        Reply([tool_use("Undo", {"action": "list"})]),
        Reply([tool_use("Undo", {"since_turn": 2})]),
        Reply([text("Back to before the tests.")]),
    )
    session = make_session(mode="bypass")
    for prompt in ("make a", "ask about the tests", "make c"):
        await session.submit(prompt)

    await session.submit("undo everything since I asked about the tests")

    listing = results(api.requests[-2])[0]
    assert '2 back: turn 2 ("ask about the tests"): tests.txt (created)' in listing
    assert (workspace / "a.txt").exists()
    assert not (workspace / "tests.txt").exists() and not (workspace / "c.txt").exists()


async def test_undo_of_an_undo_brings_the_change_back(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "a.txt", "content": "agent\n"})]),
        Reply([text("ok")]),
    )
    session = make_session(mode="bypass")
    await session.submit("write a")

    await undo_in_session(session)
    assert not (workspace / "a.txt").exists()
    await undo_in_session(session)

    assert (workspace / "a.txt").read_text() == "agent\n"


async def test_a_file_the_user_edited_is_restored_only_after_a_question_with_its_diff(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("mine\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "notes.txt"})]),
        Reply([tool_use("Write", {"file_path": "notes.txt", "content": "agent's\n"})]),
        Reply([text("ok")]),
    )
    session = make_session(mode="bypass")
    await session.submit("rewrite notes")
    (workspace / "notes.txt").write_text("agent's\nand my new line\n")
    questions = Recorder(answer=lambda e: NO)
    session.subscribe(questions)

    done = await undo_in_session(session)

    [asked] = questions.of("permission_requested")
    assert "and my new line" in asked.reason and "+mine" in asked.reason
    assert (workspace / "notes.txt").read_text() == "agent's\nand my new line\n"
    assert done is not None and [p for p, _ in done.result.kept] == [str(workspace / "notes.txt")]

    questions.answer = lambda e: ALLOW
    await undo_in_session(session)
    assert (workspace / "notes.txt").read_text() == "mine\n"


async def test_the_desktop_undo_is_in_the_next_request_to_the_model(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "a.txt", "content": "x\n"})]),
        Reply([text("ok")]),
        Reply([text("I see the file is gone.")]),
    )
    session = make_session(mode="bypass")
    events = Recorder()
    session.subscribe(events)
    await session.submit("write a")

    await undo_in_session(session)
    await session.submit("is a.txt there?")

    said = " ".join(b.get("text", "") for b in api.requests[-1]["messages"][-1]["content"])
    assert "The user took back turn 1" in said and "- a.txt: removed" in said
    assert any("took back" in n.message for n in events.of("notice"))


async def test_a_read_only_store_makes_the_agent_ask_before_writing(
    api: ScriptedAPI, make_session, workspace: Path, isolated_env: Path, unwritable
) -> None:
    unwritable(isolated_env / "checkpoints")  # next to the sessions folder of make_session
    (workspace / "keep.txt").write_text("precious\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "keep.txt"})]),
        Reply([tool_use("Write", {"file_path": "keep.txt", "content": "gone\n"})]),
        Reply([text("I could not.")]),
    )
    session = make_session(mode="bypass")
    questions = Recorder(answer=lambda e: NO)
    session.subscribe(questions)

    await session.submit("overwrite keep.txt")

    [asked] = questions.of("permission_requested")
    assert asked.description == f"Change {workspace / 'keep.txt'} without a way to undo it?"
    assert "could not be undone" in asked.reason
    assert (workspace / "keep.txt").read_text() == "precious\n"
    [said] = results(api.requests[-1])
    assert said.startswith("Not changed") and "did not agree" in said


async def test_a_file_over_the_size_budget_asks_and_changes_once_allowed(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    big = workspace / "big.bin"
    big.write_bytes(b"x" * 2_000_000)
    api.script(
        Reply([tool_use("Read", {"file_path": "big.bin", "limit": 1})]),
        Reply([tool_use("Write", {"file_path": "big.bin", "content": "small\n"})]),
        Reply([text("ok")]),
    )
    session = make_session(mode="bypass")
    session.ctx.checkpoints.store.max_file_bytes = 1_000_000  # the setting, made small
    questions = Recorder(answer=lambda e: ALLOW)
    session.subscribe(questions)

    await session.submit("shrink big.bin")

    [asked] = questions.of("permission_requested")
    assert "over the checkpoint size budget" in asked.reason
    assert big.read_bytes() == b"small\n"
    done = await undo_in_session(session)
    assert done is not None and "was not kept" in done.result.skipped[0][1]


async def test_a_restore_recreates_a_folder_the_user_removed_without_a_question(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    (workspace / "docs").mkdir()
    (workspace / "docs" / "a.txt").write_bytes(b"old\n")
    edit = {"file_path": "docs/a.txt", "old_string": "old", "new_string": "new"}
    api.script(
        Reply([tool_use("Read", {"file_path": "docs/a.txt"})]),
        Reply([tool_use("Edit", edit)]),
        Reply([text("ok")]),
    )
    session = make_session(mode="bypass")
    await session.submit("edit a")
    (workspace / "docs" / "a.txt").unlink()
    (workspace / "docs").rmdir()
    questions = Recorder(answer=lambda e: ALLOW)
    session.subscribe(questions)

    await undo_in_session(session)

    assert questions.of("permission_requested") == []  # gone: restoring loses nothing
    assert (workspace / "docs" / "a.txt").read_bytes() == b"old\n"

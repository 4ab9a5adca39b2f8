"""The user's own edits are never discarded without their say, whoever asks for the undo:
not by ``--yes``, not by a front end that answers every question yes; and what a restore
left on disk is said exactly, to the model and to the user."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from agent.checkpoints import undo_in_session
from agent.events import PermissionAnswer
from desktop.terminal import PermissionPolicy
from tests.conftest import Recorder
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

ALLOW = PermissionAnswer(True)
MINE = "two\nMY OWN LINE\n"


def tool_results(request: dict[str, Any]) -> list[str]:
    """The texts of the tool results in a request's last message."""
    out = []
    for block in request["messages"][-1]["content"]:
        if block.get("type") == "tool_result":
            content = block["content"]
            out.append(content if isinstance(content, str) else content[0]["text"])
    return out


def edit_then_user_line(api: ScriptedAPI, harken, workspace: Path) -> None:
    (workspace / "f.txt").write_text("one\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "f.txt"})]),
        Reply([tool_use("Edit", {"file_path": "f.txt", "old_string": "one", "new_string": "two"})]),
        Reply([text("Done.")]),
    )
    assert harken("ask", "make it two", "--yes").returncode == 0
    (workspace / "f.txt").write_text(MINE)


def test_the_models_undo_under_yes_keeps_the_users_edits_and_says_so(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    edit_then_user_line(api, harken, workspace)
    api.script(Reply([tool_use("Undo", {})]), Reply([text("Kept.")]))

    done = harken("ask", "undo that", "--yes", "--resume", "latest")

    assert done.returncode == 0, done.stderr
    assert (workspace / "f.txt").read_text() == MINE
    assert "Kept f.txt as it is, not restored" in done.stderr
    [said] = tool_results(api.requests[-1])
    assert "- f.txt: NOT restored, still as the user has it" in said
    assert "nobody was there to ask" in said
    assert "no longer there" not in said and "Files restored: none" not in said


async def test_a_front_end_that_says_yes_to_everything_does_not_discard_edits(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    """The tray's undo runs the same question; a blanket yes (``--yes``) never answers it."""
    api.script(
        Reply([tool_use("Write", {"file_path": "f.txt", "content": "two\n"})]),
        Reply([text("ok")]),
    )
    session = make_session(mode="bypass")
    policy = PermissionPolicy(yes=True, interactive=False, stderr=io.StringIO())
    session.subscribe(lambda e: policy.handle(e) if e.kind == "permission_requested" else None)
    await session.submit("write f")
    (workspace / "f.txt").write_text(MINE)

    done = await undo_in_session(session)

    assert (workspace / "f.txt").read_text() == MINE
    assert done is not None and done.result.done == [] and len(done.result.kept) == 1
    assert "Discard your edits to f.txt? No terminal to ask on." in policy.stderr.getvalue()


async def test_an_undo_of_an_undo_is_described_as_bringing_the_changes_back(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "a.txt", "content": "agent\n"})]),
        Reply([text("ok")]),
        Reply([tool_use("Undo", {})]),
        Reply([text("undone")]),
        Reply([tool_use("Undo", {"action": "list"})]),
        Reply([tool_use("Undo", {})]),
        Reply([text("redone")]),
    )
    session = make_session(mode="bypass")
    await session.submit("write a")
    await session.submit("undo that")
    assert not (workspace / "a.txt").exists()

    await session.submit("undo the undo")

    assert (workspace / "a.txt").read_text() == "agent\n"
    listing = tool_results(api.requests[-2])[0]
    assert "1 back: undo of turn 1:" in listing and "after turn" not in listing
    [said] = tool_results(api.requests[-1])
    assert said.startswith("You took back undo of turn 1")
    assert "- a.txt: as it was before that undo (those changes are back)" in said


async def test_a_write_through_a_link_restores_the_target_and_keeps_the_link(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    (workspace / "target.txt").write_text("target original\n")
    os.symlink("target.txt", workspace / "link.txt")
    os.symlink("missing.txt", workspace / "dangling.txt")
    api.script(
        Reply([tool_use("Read", {"file_path": "link.txt"})]),
        Reply(
            [
                tool_use("Write", {"file_path": "link.txt", "content": "via link\n"}),
                tool_use("Write", {"file_path": "dangling.txt", "content": "via dangling\n"}),
            ]
        ),
        Reply([text("ok")]),
    )
    session = make_session(mode="bypass")
    await session.submit("write through the links")
    assert (workspace / "missing.txt").read_text() == "via dangling\n"

    await undo_in_session(session)

    assert os.readlink(workspace / "link.txt") == "target.txt"
    assert (workspace / "target.txt").read_text() == "target original\n"
    assert os.readlink(workspace / "dangling.txt") == "missing.txt"  # the user's link stays
    assert not (workspace / "missing.txt").exists()  # what the agent created is gone


async def test_a_file_made_read_only_after_the_change_is_asked_about(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    (workspace / "before.txt").write_text("theirs\n")
    (workspace / "before.txt").chmod(0o444)  # read-only already: the agent's write kept it so
    api.script(
        Reply([tool_use("Read", {"file_path": "before.txt"})]),
        Reply(
            [
                tool_use("Write", {"file_path": "ro.txt", "content": "agent\n"}),
                tool_use("Write", {"file_path": "before.txt", "content": "agent\n"}),
            ]
        ),
        Reply([text("ok")]),
    )
    session = make_session(mode="bypass")
    await session.submit("write ro")
    (workspace / "ro.txt").chmod(0o444)
    questions = Recorder(answer=lambda e: PermissionAnswer(False))
    session.subscribe(questions)

    done = await undo_in_session(session)

    [asked] = questions.of("permission_requested")
    assert asked.description == "Restore ro.txt, which you made read-only?"
    assert (workspace / "ro.txt").read_text() == "agent\n"
    assert (workspace / "before.txt").read_text() == "theirs\n"  # its mode is as it was
    assert done is not None and done.result.done == [(str(workspace / "before.txt"), "restored")]


def test_the_spoken_answer_after_an_undo_says_the_users_edits_were_kept() -> None:
    from types import SimpleNamespace

    from desktop.windows.undo_preview import spoken_result

    result = SimpleNamespace(
        plan=SimpleNamespace(steps=["t1"]),
        result=SimpleNamespace(done=[("/w/a", "restored")], kept=[("/w/f.txt", "yours")]),
    )

    assert spoken_result(result) == "Restored 1 file. Kept your edits to 1 file."

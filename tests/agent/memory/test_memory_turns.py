"""Memory through real turns: the real anthropic client against the scripted Messages API.

Tier 1 (MEMORY.md in the system prompt), tier 2 (only relevant notes reach a turn, with
their age) and the memory tool (notes land in the right folder; escapes are refused,
without a permission question).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from agent.events import PermissionAnswer
from agent.memory.folders import scopes_for
from tests.conftest import Recorder
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

NOTE = """---
name: {name}
description: {description}
type: {type}
---
{body}
"""


def write_note(folder: Path, file: str, name: str, description: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / file
    path.write_text(NOTE.format(name=name, description=description, type="project", body=body))
    return path


def system_text(request: dict[str, Any]) -> str:
    return "\n".join(block["text"] for block in request["system"])


def user_text(message: dict[str, Any]) -> str:
    return "\n".join(b.get("text", "") for b in message["content"] if b["type"] == "text")


def results(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in request["messages"][-1]["content"] if b["type"] == "tool_result"]


def content_of(block: dict[str, Any]) -> str:
    body = block["content"]
    return body if isinstance(body, str) else "".join(p.get("text", "") for p in body)


STAGING = "/memories/workspace/staging.md"


def escaped(tmp_path: Path) -> list[Path]:
    return [*tmp_path.rglob("escaped.md"), *Path("/tmp").glob("escaped.md")]


def asked(events: Recorder) -> list[Any]:
    return events.of("permission_requested")


async def test_memory_md_of_both_scopes_reaches_the_cached_system_prompt(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    scopes = scopes_for(workspace)
    scopes.user.mkdir(parents=True)
    scopes.workspace.mkdir(parents=True)
    (scopes.user / "MEMORY.md").write_text("- The user's name is Ada; she likes short answers.\n")
    (scopes.workspace / "MEMORY.md").write_text("- Deploys go through the kestrel server.\n")
    api.script(Reply([text("Hello Ada.")]))

    await make_session().submit("hello")

    (request,) = api.requests
    system = system_text(request)
    assert "The user's name is Ada" in system
    assert "Deploys go through the kestrel server." in system
    assert "/memories/workspace/" in system  # the model is told where its memory is
    assert request["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert {"type": "memory_20250818", "name": "memory"} in [
        {k: v for k, v in tool.items() if k != "cache_control"} for tool in request["tools"]
    ]


async def test_a_huge_memory_md_is_cut_to_its_first_200_lines(
    api: ScriptedAPI, make_session, workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = scopes_for(workspace).workspace
    folder.mkdir(parents=True)
    lines = [f"- fact number {n}\n" for n in range(1, 5001)]
    (folder / "MEMORY.md").write_text("".join(lines))
    before = (folder / "MEMORY.md").read_bytes()
    api.script(Reply([text("ok")]))

    await make_session().submit("hello")

    system = system_text(api.requests[0])
    assert "- fact number 200\n" in system and "fact number 201\n" not in system
    assert "only its beginning is loaded" in system
    assert "MEMORY.md is longer than 200 lines" in caplog.text
    assert (folder / "MEMORY.md").read_bytes() == before  # never rewritten


async def test_a_memory_md_whose_first_line_is_huge_still_loads_its_beginning(
    api: ScriptedAPI, make_session, workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = scopes_for(workspace).workspace
    folder.mkdir(parents=True)
    # One 40 KB line of two-byte characters, so a cut at 25 KB could split one.
    (folder / "MEMORY.md").write_text("- kestrel is the staging server; " + "é" * 20_000 + "\n")
    api.script(Reply([text("ok")]))

    await make_session().submit("hello")

    system = system_text(api.requests[0])
    assert "- kestrel is the staging server; éé" in system
    assert "only its beginning is loaded" in system
    loaded = system.split("/MEMORY.md\n\n", 1)[1].split("\n[... MEMORY.md continues", 1)[0]
    assert 20 * 1024 < len(loaded.encode("utf-8")) <= 25 * 1024
    assert "\ufffd" not in loaded
    assert "only its beginning is loaded" in caplog.text


async def test_only_the_notes_relevant_to_the_prompt_reach_the_turn_with_their_age(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    scopes = scopes_for(workspace)
    write_note(
        scopes.workspace,
        "staging.md",
        "Staging server",
        "what the staging server is called",
        "The staging server is called kestrel.",
    )
    write_note(
        scopes.user, "coffee.md", "Coffee", "how the user takes coffee", "Flat white, no sugar."
    )
    old = write_note(
        scopes.workspace,
        "deploy.md",
        "Deploy steps",
        "how a release reaches the staging server",
        "Run make release, then ssh to the staging host.",
    )
    write_note(scopes.user, "cat.md", "Cat", "the user's cat", "The cat is called Miso.")
    ten_days_ago = time.time() - 10 * 86400
    os.utime(old, (ten_days_ago, ten_days_ago))
    api.script(Reply([text("It is called kestrel.")]), Reply([text("Flat white.")]))
    session = make_session()

    await session.submit("what is the staging server called again?")
    await session.submit("how do I take my coffee?")

    first = user_text(api.requests[0]["messages"][0])
    assert "The staging server is called kestrel." in first
    assert "Run make release" in first  # also about the staging server
    assert "Flat white" not in first and "Miso" not in first
    assert "/memories/workspace/staging.md" in first and "saved today" in first
    assert "saved 10 days ago" in first and "may be out of date" in first
    second = user_text(api.requests[1]["messages"][-1])
    assert "Flat white, no sugar." in second
    assert "kestrel" not in second  # shown once per session, not again with each turn
    assert "Miso" not in second


async def test_a_prompt_no_note_is_about_adds_nothing(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    write_note(scopes_for(workspace).user, "cat.md", "Cat", "the user's cat", "Miso.")
    api.script(Reply([text("It is noon.")]))

    await make_session().submit("what time is it?")

    assert api.requests[0]["messages"][0]["content"] == [
        {"type": "text", "text": "what time is it?", "cache_control": {"type": "ephemeral"}}
    ]


async def test_the_memory_tool_writes_a_note_into_the_workspace_folder_without_asking(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    note = NOTE.format(
        name="Staging server",
        description="what the staging server is called",
        type="project",
        body="The staging server is called kestrel.",
    )
    api.script(
        Reply(
            [
                tool_use(
                    "memory",
                    {
                        "command": "create",
                        "path": "/memories/workspace/staging.md",
                        "file_text": note,
                    },
                )
            ]
        ),
        Reply([tool_use("memory", {"command": "view", "path": "/memories"})]),
        Reply([text("I'll remember that.")]),
    )
    session = make_session(mode="standard")
    events = Recorder(answer=lambda _e: PermissionAnswer(False))
    session.subscribe(events)

    outcome = await session.submit("remember that the staging server is called kestrel")

    assert outcome.stop_reason == "end_turn"
    assert not asked(events)
    scopes = scopes_for(workspace)
    assert (scopes.workspace / "staging.md").read_text() == note
    assert not (scopes.user / "staging.md").exists()
    assert not (workspace / "staging.md").exists()
    (created,) = results(api.requests[1])
    assert not created.get("is_error")
    assert content_of(created) == "File created successfully at: /memories/workspace/staging.md"
    (listing,) = results(api.requests[2])
    assert "/memories/workspace/staging.md" in content_of(listing)


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/memories/workspace/../../../../escaped.md", "would escape /memories"),
        ("/memories/../escaped.md", "would escape /memories"),
        ("/tmp/escaped.md", "must start with /memories"),
        ("/memories/workspace/link/escaped.md", "symlink"),
    ],
)
async def test_a_memory_path_that_leaves_the_memory_folders_is_refused(
    api: ScriptedAPI, make_session, workspace: Path, tmp_path: Path, path: str, said: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = scopes_for(workspace).workspace
    folder.mkdir(parents=True)
    (folder / "link").symlink_to(outside)
    api.script(
        Reply([tool_use("memory", {"command": "create", "path": path, "file_text": "pwned"})]),
        Reply([text("I could not save that.")]),
    )
    session = make_session(mode="bypass")
    events = Recorder(answer=lambda _e: PermissionAnswer(True))
    session.subscribe(events)

    await session.submit("remember this")

    (result,) = results(api.requests[1])
    assert result.get("is_error") and said in content_of(result)
    assert not asked(events)
    assert not escaped(tmp_path)


async def test_a_note_that_is_not_text_is_refused_and_left_as_it_is(
    api: ScriptedAPI, make_session, workspace: Path
) -> None:
    folder = scopes_for(workspace).user
    folder.mkdir(parents=True)
    binary = bytes(range(256)) * 4
    (folder / "photo.md").write_bytes(binary)
    api.script(
        Reply([tool_use("memory", {"command": "view", "path": "/memories/user/photo.md"})]),
        Reply(
            [
                tool_use(
                    "memory",
                    {
                        "command": "str_replace",
                        "path": "/memories/user/photo.md",
                        "old_str": "a",
                        "new_str": "b",
                    },
                )
            ]
        ),
        Reply([text("That file is not text.")]),
    )

    await make_session().submit("what is in photo.md in your memory?")

    for request in api.requests[1:]:
        (result,) = results(request)
        assert result.get("is_error") and "not a text file" in content_of(result)
    assert (folder / "photo.md").read_bytes() == binary


async def test_forget_deletes_the_note(api: ScriptedAPI, make_session, workspace: Path) -> None:
    folder = scopes_for(workspace).workspace
    note = write_note(folder, "staging.md", "Staging", "staging server", "It is kestrel.")
    api.script(
        Reply(
            [tool_use("memory", {"command": "delete", "path": "/memories/workspace/staging.md"})]
        ),
        Reply([text("Forgotten.")]),
    )

    await make_session().submit("forget what the staging server is called")

    assert not note.exists() and folder.is_dir()

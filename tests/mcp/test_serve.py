"""`harken mcp serve` driven by the SDK's own client over stdio: Harken's tools listed, an
allowed Read runs, a Write that needs a question is asked through elicitation when the
client can answer, and refused with a clear message when it cannot."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp_types import ElicitResult

from tests.mcp.conftest import harken_command

pytestmark = pytest.mark.e2e

WRITE = {"file_path": "new.txt", "content": "from the client\n"}


def serve(workspace: Path, *flags: str) -> StdioServerParameters:
    command = harken_command()
    # The SDK passes only a safe environment on; the isolated XDG folders must reach Harken.
    keep = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    return StdioServerParameters(
        command=command[0],
        args=[*command[1:], "mcp", "serve", "--cwd", str(workspace), *flags],
        env={k: os.environ[k] for k in keep} | {"PYTHONPATH": os.getcwd()},
    )


Answer = Callable[[Any, Any], Awaitable[ElicitResult]]


def answering(allow: bool, asked: list[str]) -> Answer:
    async def answer(_context: Any, params: Any) -> ElicitResult:
        asked.append(params.message)
        return ElicitResult(action="accept", content={"allow": allow})

    return answer


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def test_tools_listed_a_read_runs_and_a_write_is_refused_without_elicitation(
    workspace: Path,
) -> None:
    (workspace / "notes.txt").write_text("remember the milk\n")

    async with Client(serve(workspace)) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
        read = await client.call_tool("Read", {"file_path": "notes.txt"})
        write = await client.call_tool("Write", WRITE)

    assert {"Read", "Write", "Edit", "Glob", "Grep", "Bash", "WebFetch", "TodoWrite"} <= set(listed)
    assert listed["Read"].annotations.read_only_hint is True
    assert listed["Write"].annotations.read_only_hint is False
    assert "file_path" in listed["Read"].input_schema["properties"]
    # Honest open-world hints: what can reach the network says so, what stays local says so.
    world = {name: listed[name].annotations.open_world_hint for name in listed}
    assert world["WebFetch"] is True and world["Bash"] is True
    assert world["Read"] is False and world["Write"] is False and world["Grep"] is False
    assert not read.is_error and "remember the milk" in text_of(read)
    assert write.is_error
    assert "does not support elicitation" in text_of(write)
    assert not (workspace / "new.txt").exists()


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_question_goes_through_elicitation(workspace: Path, mode: str) -> None:
    asked: list[str] = []

    async with Client(
        serve(workspace), mode=mode, elicitation_callback=answering(True, asked)
    ) as c:
        write = await c.call_tool("Write", WRITE)

    assert len(asked) == 1 and "Write" in asked[0]
    assert not write.is_error, text_of(write)
    assert (workspace / "new.txt").read_text() == "from the client\n"


async def test_a_declined_question_refuses_the_call(workspace: Path) -> None:
    asked: list[str] = []

    async with Client(serve(workspace), elicitation_callback=answering(False, asked)) as client:
        write = await client.call_tool("Write", WRITE)

    assert len(asked) == 1
    assert write.is_error and "denied permission" in text_of(write)
    assert not (workspace / "new.txt").exists()


async def test_the_same_engine_decides_rules_and_modes(workspace: Path) -> None:
    async with Client(serve(workspace, "--allow", "Write(new.txt)", "--deny", "Read(*.env)")) as c:
        write = await c.call_tool("Write", WRITE)
        secret = await c.call_tool("Read", {"file_path": "x.env"})
    async with Client(serve(workspace, "--mode", "plan")) as client:
        planned = await client.call_tool("Write", {"file_path": "b.txt", "content": "x"})

    assert not write.is_error and (workspace / "new.txt").exists()
    assert secret.is_error and "denied by the rule Read(*.env)" in text_of(secret)
    assert planned.is_error and "plan mode" in text_of(planned)
    assert not (workspace / "b.txt").exists()

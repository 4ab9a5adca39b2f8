"""``harken acp`` on its stdin and stdout as an editor (or a person with a file) uses them:
stray lines are answered with JSON-RPC errors and the agent serves on; regular files work
as stdin and stdout; refusals carry their reason in ``message``."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from acp import RequestError
from acp.schema import TextContentBlock

from tests.acp.conftest import Editor, StartHarken, harken_command
from tests.processes import HANG_S
from tests.scripted_api import ScriptedAPI

INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": 1}}
STRAY = [
    ("null", None, -32600),
    ("42", None, -32600),
    ('"str"', None, -32600),
    ("[1,2,3]", None, -32600),
    ("this is not json", None, -32700),
    ("[" * 100_000 + "]" * 100_000, None, -32700),
    ('{"jsonrpc":"2.0","id":{},"result":1}', None, -32600),
    ('{"jsonrpc":"2.0","id":7,"method":42}', 7, -32600),
]


def _env(api: ScriptedAPI) -> dict[str, str]:
    return {**os.environ, "ANTHROPIC_BASE_URL": api.base_url}  # type: ignore[attr-defined]


async def test_stray_lines_get_json_rpc_errors_and_the_agent_serves_on(
    api: ScriptedAPI, workspace: Path
) -> None:
    process = await asyncio.create_subprocess_exec(
        *harken_command(),
        "acp",
        cwd=workspace,
        env=_env(api),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    replies: list[dict[str, Any]] = []
    for line, request_id, code in STRAY:
        process.stdin.write(line.encode() + b"\n")
        reply = json.loads(await asyncio.wait_for(process.stdout.readline(), HANG_S))
        replies.append(reply)
        assert (reply["id"], reply["error"]["code"]) == (request_id, code), line[:40]
    process.stdin.write(json.dumps(INITIALIZE).encode() + b"\n")
    hello = json.loads(await asyncio.wait_for(process.stdout.readline(), HANG_S))
    assert hello["id"] == 1 and hello["result"]["agentInfo"]["name"] == "harken"
    process.stdin.close()
    _, err = await asyncio.wait_for(process.communicate(), HANG_S)
    assert process.returncode == 0
    text = err.decode(errors="replace")
    assert "Traceback" not in text
    assert text.count("ignored a message from the editor") == len(STRAY)


async def test_regular_files_serve_as_stdin_and_stdout(
    api: ScriptedAPI, workspace: Path, tmp_path: Path
) -> None:
    given, answers = tmp_path / "in.txt", tmp_path / "out.txt"
    given.write_text(json.dumps(INITIALIZE) + "\n")
    with given.open("rb") as stdin, answers.open("wb") as stdout:
        process = await asyncio.create_subprocess_exec(
            *harken_command(),
            "acp",
            cwd=workspace,
            env=_env(api),
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE,
        )
        _, err = await asyncio.wait_for(process.communicate(), HANG_S)
    assert process.returncode == 0, err.decode()
    assert b"Traceback" not in err
    (line,) = answers.read_text().splitlines()
    assert json.loads(line)["result"]["agentInfo"]["name"] == "harken"


async def test_a_refusal_says_why_in_its_message(
    start_harken: StartHarken, workspace: Path
) -> None:
    async with start_harken(Editor()) as harken:
        block = TextContentBlock(type="text", text="hi")
        with pytest.raises(RequestError) as refused:
            await harken.conn.prompt(session_id="nope", prompt=[block])
        assert refused.value.code == -32602
        assert str(refused.value) == "no session 'nope'"
        with pytest.raises(RequestError) as refused:
            await harken.conn.new_session(cwd=str(workspace / "missing"), mcp_servers=[])
        assert str(refused.value).endswith("missing is not a folder")


@pytest.mark.parametrize(("fd", "name"), [(0, "stdin"), (1, "stdout")])
def test_a_closed_stdin_or_stdout_is_said_in_one_line(workspace: Path, fd: int, name: str) -> None:
    done = subprocess.run(
        [*harken_command(), "acp"],
        cwd=workspace,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL if fd == 1 else subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(fd),
        timeout=HANG_S,
    )
    assert done.returncode == 1
    assert done.stderr.decode().strip() == f"harken: {name} is closed: " + (
        "harken acp speaks the protocol on stdin and stdout"
    )


async def test_params_the_sdk_cannot_read_are_said_in_the_message_and_logged_in_one_line(
    api: ScriptedAPI, workspace: Path
) -> None:
    lines = [
        INITIALIZE,
        {"jsonrpc": "2.0", "id": 2, "method": "session/prompt", "params": {"sessionId": "x"}},
        {"jsonrpc": "2.0", "method": "session/cancel", "params": {}},  # a notification
        {"jsonrpc": "2.0", "id": 3, "method": "session/new", "params": [1]},
    ]
    process = await asyncio.create_subprocess_exec(
        *harken_command(),
        "acp",
        cwd=workspace,
        env=_env(api),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    body = "".join(json.dumps(line) + "\n" for line in lines).encode()
    out, err = await asyncio.wait_for(process.communicate(body), HANG_S)
    assert process.returncode == 0
    answers = {m["id"]: m for m in map(json.loads, out.decode().splitlines())}
    assert answers[2]["error"]["code"] == -32602
    assert answers[2]["error"]["message"] == "Invalid params: prompt: Field required"
    assert answers[3]["error"]["message"].startswith("Invalid params: params: ")
    text = err.decode(errors="replace")
    assert "Traceback" not in text
    assert "ignored a notification from the editor (session/cancel)" in text

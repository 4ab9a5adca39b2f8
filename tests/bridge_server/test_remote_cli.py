"""``harken remote send|events|answer`` as a user runs them against a real ``harken
daemon`` (and against none): the answer on stdout and the exit status of ``harken ask``,
a question answered from a second terminal, events until Ctrl-C, and clear words when no
Harken runs or bridge.json is stale."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from agent.bridge_server.server import BridgeServer
from tests.bridge_server.clients import BridgeClient, request_text
from tests.bridge_server.conftest import Daemon
from tests.e2e.conftest import harken_command
from tests.processes import HANG_S
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e


async def remote(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        *harken_command(),
        "remote",
        *args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def finished(process: asyncio.subprocess.Process) -> tuple[int, str, str]:
    out, err = await asyncio.wait_for(process.communicate(), HANG_S)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_remote_send_waits_for_the_answer_and_asks_through_remote_answer(
    daemon: Daemon, api: ScriptedAPI, workspace: Path
) -> None:
    api.script(
        Reply([text("All tests pass.")]),
        Reply([tool_use("Write", {"file_path": "todo.txt", "content": "Ship it.\n"})]),
        Reply([text("Wrote todo.txt.")]),
    )
    code, out, err = await finished(await remote("send", "run the tests", "--wait"))
    assert (code, out) == (0, "All tests pass.\n"), err
    assert request_text(api.requests[0]) == "run the tests"

    sender = await remote("send", "write the todo", "--wait", "--json")
    assert sender.stderr is not None
    async with asyncio.timeout(HANG_S):  # the question, and how to answer it, on stderr
        while "harken remote answer" not in (line := (await sender.stderr.readline()).decode()):
            assert line, "no question on stderr"
    request_id = line.split("harken remote answer ")[1].split()[0]
    code, out, err = await finished(await remote("answer", request_id, "allow"))
    assert code == 0 and out == f"Answered {request_id}: allow.\n" and err == ""
    code, out, _ = await finished(sender)
    assert code == 0
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert kinds[0] == "turn_started" and kinds[-1] == "turn_finished"
    assert "permission_requested" in kinds and "tool_finished" in kinds
    assert (workspace / "todo.txt").read_text() == "Ship it.\n"

    code, _, err = await finished(await remote("answer", request_id, "deny"))
    assert code == 1 and "no open permission question" in err


async def wait_subscribed(client: BridgeClient) -> None:
    """Until the daemon's status counts a subscriber (bounded: only a hang takes HANG_S)."""
    async with asyncio.timeout(HANG_S):
        while (await client.call("status"))["subscribers"] < 1:  # noqa: ASYNC110 (polls a server)
            await asyncio.sleep(0.05)


async def test_remote_events_prints_each_event_until_ctrl_c(
    daemon: Daemon, api: ScriptedAPI
) -> None:
    api.script(Reply([text("Watching.")]))
    watcher = await remote("events")
    assert watcher.stdout is not None
    async with daemon.client() as client:
        await wait_subscribed(client)
        await client.call("send", {"text": "anything new?"})
    lines = []
    async with asyncio.timeout(HANG_S):
        while not lines or lines[-1]["kind"] != "turn_finished":
            lines.append(json.loads(await watcher.stdout.readline()))
    watcher.send_signal(signal.SIGINT)
    code, _, err = await finished(watcher)
    assert code == 0, err
    assert "".join(e["text"] for e in lines if e["kind"] == "text_delta") == "Watching."


async def test_remote_says_when_no_harken_runs(runtime: Path) -> None:
    code, out, err = await finished(await remote("send", "hello"))
    assert (code, out) == (1, "")
    assert "Harken is not running" in err and "harken daemon" in err
    path = runtime / "harken" / "bridge.json"
    path.parent.mkdir(mode=0o700)
    dead = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await dead.wait()  # its pid now names no process
    path.write_text(json.dumps({"url": "ws://127.0.0.1:9", "token": "t", "pid": dead.pid}))
    code, _, err = await finished(await remote("events"))
    assert code == 1 and "is stale" in err


@pytest.mark.parametrize("content", ["", "{", '{"url": 1}', "\x00\x01", "[" * 100_000])
async def test_remote_says_when_bridge_json_is_unreadable(runtime: Path, content: str) -> None:
    path = runtime / "harken" / "bridge.json"
    path.parent.mkdir(mode=0o700)
    path.write_text(content)
    code, out, err = await finished(await remote("status"))
    assert (code, out) == (1, "")
    assert f"cannot read {path}" in err and "not running" not in err
    assert "delete the file" in err


async def test_remote_send_to_a_bridge_without_a_host_says_what_to_start(
    bridge: BridgeServer,
) -> None:
    code, out, err = await finished(await remote("send", "hello"))
    assert (code, out) == (1, "")
    assert "no method" not in err
    assert "serves only status and sessions" in err and "harken daemon" in err
    code, out, err = await finished(await remote("status"))
    assert code == 0 and "bridge only" in out, err


async def test_remote_status_and_interrupt(daemon: Daemon, api: ScriptedAPI) -> None:
    code, out, err = await finished(await remote("status"))
    assert code == 0, err
    assert f"(pid {daemon.process.pid}), harken daemon" in out and "state: idle" in out
    code, out, _ = await finished(await remote("status", "--json"))
    assert json.loads(out)["state"] == "idle"

    api.script(Reply([tool_use("Write", {"file_path": "x.txt", "content": "x"})]))
    async with daemon.client() as watcher:
        await watcher.call("subscribe")
        await watcher.call("send", {"text": "write x"})
        await watcher.events_until("permission_requested")
        code, out, err = await finished(await remote("interrupt"))
        assert (code, out) == (0, "Interrupted.\n"), err
        finished_event = (await watcher.events_until("turn_finished"))[-1]
    assert finished_event["stop_reason"] == "interrupted"


async def test_ctrl_c_on_a_waiting_send_stops_the_turn_it_started(
    daemon: Daemon, api: ScriptedAPI, workspace: Path
) -> None:
    api.script(Reply([tool_use("Write", {"file_path": "x.txt", "content": "x"})]))
    async with daemon.client() as watcher:
        await watcher.call("subscribe")
        sender = await remote("send", "write x", "--wait")
        assert sender.stderr is not None
        async with asyncio.timeout(HANG_S):  # the question is open: the turn waits
            while "harken remote answer" not in (await sender.stderr.readline()).decode():
                pass
        sender.send_signal(signal.SIGINT)
        code, _, err = await finished(sender)
        finished_event = (await watcher.events_until("turn_finished"))[-1]
    assert code == 130
    assert "was stopped" in err
    assert finished_event["stop_reason"] == "interrupted"
    assert not (workspace / "x.txt").exists()
    async with daemon.client() as client:
        assert (await client.call("status"))["questions"] == []


@pytest.mark.parametrize(
    "info",
    [
        {"url": "ws://127.0.0.1:99999", "token": "t", "pid": "self"},  # no such port
        {"url": "ws://127.0.0.1:9", "token": "t", "pid": 10**30},  # no such pid
    ],
)
async def test_remote_calls_an_impossible_bridge_json_stale(
    runtime: Path, info: dict[str, object]
) -> None:
    path = runtime / "harken" / "bridge.json"
    path.parent.mkdir(mode=0o700)
    if info["pid"] == "self":
        info = {**info, "pid": os.getpid()}
    path.write_text(json.dumps(info))
    code, out, err = await finished(await remote("status"))
    assert (code, out) == (1, "")
    assert "is stale" in err and "Traceback" not in err

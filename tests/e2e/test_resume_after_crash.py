"""`harken ask` killed with SIGKILL mid-turn, then `--resume latest`: what the model is told
about the tool calls the killed turn left without a result.

A call that had started may have done its work (the marker file proves it did), so the model
must hear that its outcome is unknown; a call that never started did not run."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

DEADLINE = 30.0  # seconds; only catches a hang
APPEND_THEN_WAIT = "echo ran >> marker.txt; sleep 20"


@pytest.fixture
def start(api: ScriptedAPI, workspace: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``harken ARGS`` in the background (its own process group, cleaned up after)."""
    started: list[subprocess.Popen[bytes]] = []

    def run(*args: str, stdin: Any = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [*harken_command(), *args],
            cwd=workspace,
            env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url},  # type: ignore[attr-defined]
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever the test left running
        process.communicate(timeout=DEADLINE)


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    """Return once ``condition()`` holds; fail if the process ends first or on a hang."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if process.poll() is not None:
            _out, err = process.communicate()
            pytest.fail(f"harken ended (exit {process.returncode}) first: {err.decode()}")
        if time.monotonic() > deadline:
            pytest.fail("the condition never came true")
        time.sleep(0.01)  # polling interval, not synchronisation: the condition decides


def wait_for_stderr(process: subprocess.Popen[bytes], wanted: bytes) -> bytes:
    """Read the process's stderr until ``wanted`` has appeared; returns what was read."""
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + DEADLINE
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"never saw {wanted!r} on stderr; saw {seen!r}")
        ready, _, _ = select.select([process.stderr], [], [], remaining)
        if ready:
            chunk = os.read(process.stderr.fileno(), 4096)
            if not chunk:
                pytest.fail(f"stderr closed before {wanted!r}; saw {seen!r}")
            seen += chunk
    return seen


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the harken process itself (as the issue did); its children are not told."""
    process.kill()
    process.wait(timeout=DEADLINE)


def tool_results(request: dict[str, Any]) -> dict[str, str]:
    """tool_use id -> text of the tool_results in the request's messages."""
    out = {}
    for message in request["messages"]:
        if message["role"] != "user" or isinstance(message["content"], str):
            continue
        for block in message["content"]:
            if block["type"] == "tool_result":
                body = block["content"]
                if not isinstance(body, str):
                    body = "".join(part.get("text", "") for part in body)
                assert block.get("is_error") is True
                out[block["tool_use_id"]] = body
    return out


def resume(harken) -> subprocess.CompletedProcess[str]:
    result = harken("ask", "go on", "--resume", "latest")
    assert result.returncode == 0, result.stderr
    return result


def test_a_call_killed_while_it_ran_is_reported_as_of_unknown_outcome(
    api: ScriptedAPI, start, harken, workspace: Path
) -> None:
    marker = workspace / "marker.txt"
    api.script(Reply([tool_use("Bash", {"command": APPEND_THEN_WAIT}, id="toolu_ran")]))
    process = start("ask", "append to the marker", "--yes")
    wait_until(lambda: marker.exists() and marker.read_text() == "ran\n", process)
    kill(process)

    api.script(Reply([text("I will check marker.txt before doing anything again.")]))
    resume(harken)

    said = tool_results(api.requests[-1])["toolu_ran"]
    assert "outcome is unknown" in said and "may have run" in said
    assert "did not run" not in said
    assert marker.read_text() == "ran\n"


def test_a_call_killed_while_its_permission_question_was_open_did_not_run(
    api: ScriptedAPI, start, harken, workspace: Path
) -> None:
    api.script(Reply([tool_use("Bash", {"command": APPEND_THEN_WAIT}, id="toolu_asked")]))
    primary, secondary = os.openpty()  # a terminal: Harken asks there and waits
    try:
        process = start("ask", "append to the marker", stdin=secondary)
        wait_for_stderr(process, b"? Allow Bash")
        kill(process)
    finally:
        os.close(secondary)
        os.close(primary)

    api.script(Reply([text("Running it now.")]))
    resume(harken)

    said = tool_results(api.requests[-1])["toolu_asked"]
    assert "did not run" in said
    assert "Interrupted by the user" not in said  # nobody interrupted it: Harken was killed
    assert not (workspace / "marker.txt").exists()


def test_of_two_calls_the_running_one_is_unknown_and_the_waiting_one_did_not_run(
    api: ScriptedAPI, start, harken, workspace: Path
) -> None:
    marker = workspace / "marker.txt"
    api.script(
        Reply(
            [
                tool_use("Bash", {"command": APPEND_THEN_WAIT}, id="toolu_first"),
                tool_use("Write", {"file_path": "second.txt", "content": "2\n"}, id="toolu_next"),
            ]
        )
    )
    process = start("ask", "two steps", "--yes")
    wait_until(lambda: marker.exists() and marker.read_text() == "ran\n", process)
    kill(process)

    api.script(Reply([text("Checking.")]))
    resume(harken)

    said = tool_results(api.requests[-1])
    assert "outcome is unknown" in said["toolu_first"]
    assert "did not run" in said["toolu_next"]
    assert "Interrupted by the user" not in said["toolu_next"]
    assert not (workspace / "second.txt").exists()

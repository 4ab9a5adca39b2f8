"""Hook tests: real hook commands (``/bin/sh``) run by the real ``harken`` command or a
session, against the scripted Messages API.

    user_hooks(section)                 write the user's hooks.json
    project_hooks(workspace, section)   write "hooks" in the project's settings.json
    hook(command, matcher, timeout)     one group of Claude Code's shape
    tool_results(api, n)                the tool_result blocks of the n-th request
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.e2e.conftest import harken, harken_command  # noqa: F401  (fixtures, helper)
from tests.scripted_api import ScriptedAPI


def hook(command: str, matcher: str = "", timeout: float | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "command", "command": command}
    if timeout is not None:
        entry["timeout"] = timeout
    return {"matcher": matcher, "hooks": [entry]}


def user_hooks(section: dict[str, list[dict[str, Any]]]) -> Path:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "harken"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hooks.json"
    path.write_text(json.dumps({"hooks": section}))
    return path


def project_hooks(workspace: Path, section: dict[str, list[dict[str, Any]]]) -> Path:
    folder = workspace / ".harken"
    folder.mkdir(exist_ok=True)
    path = folder / "settings.json"
    path.write_text(json.dumps({"hooks": section}))
    return path


def user_content(request: dict[str, Any], index: int = -1) -> list[dict[str, Any]]:
    """The content blocks of a user message of ``request`` (the last by default)."""
    message = [m for m in request["messages"] if m["role"] == "user"][index]
    content = message["content"]
    return [{"type": "text", "text": content}] if isinstance(content, str) else content


def tool_results(api: ScriptedAPI, n: int) -> list[dict[str, Any]]:
    return [b for b in user_content(api.requests[n]) if b.get("type") == "tool_result"]


def result_text(block: dict[str, Any]) -> str:
    content = block["content"]
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content)

"""Scheduled-task tests: the real ``harken`` command against the scripted Messages API
(the ``harken`` fixture), and the scheduling logic with explicit times.

    tasks_file()                  where this test's tasks.json lives
    tool_result_texts(api, n)     the tool_result texts sent in the n-th request
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.e2e.conftest import harken, harken_command  # noqa: F401  (fixture, helper)
from tests.scripted_api import ScriptedAPI


def tasks_file() -> Path:
    return Path(os.environ["XDG_DATA_HOME"]) / "harken" / "tasks.json"


def tool_result_texts(api: ScriptedAPI, n: int) -> list[str]:
    """The text of every tool_result block in the last user message of request ``n``."""
    message = [m for m in api.requests[n]["messages"] if m["role"] == "user"][-1]
    texts = []
    for block in message["content"]:
        if block.get("type") != "tool_result":
            continue
        content: Any = block["content"]
        texts.append(
            content if isinstance(content, str) else "\n".join(b.get("text", "") for b in content)
        )
    return texts

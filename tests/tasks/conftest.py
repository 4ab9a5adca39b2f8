"""Scheduled-task tests: the real ``harken`` command against the scripted Messages API
(the ``harken`` fixture), and the scheduling logic with explicit times.

    private_runtime (autouse)     XDG_RUNTIME_DIR of the test's own: a `harken daemon` it
                                  starts publishes its bridge.json there, not where another
                                  test run or the user's own Harken would find it
    tasks_file()                  where this test's tasks.json lives
    tool_result_texts(api, n)     the tool_result texts sent in the n-th request
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import harken, harken_command  # noqa: F401  (fixture, helper)
from tests.scripted_api import ScriptedAPI


@pytest.fixture(autouse=True)
def private_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # Short (socket paths are limited to ~100 bytes), so not under tmp_path: removed here.
    base = Path(tempfile.mkdtemp(prefix="hk-tasks-"))
    pulse = Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent")) / "pulse" / "native"
    if pulse.exists() and "PULSE_SERVER" not in os.environ:  # sound stays where it was
        monkeypatch.setenv("PULSE_SERVER", f"unix:{pulse}")
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base))
    yield base
    shutil.rmtree(base, ignore_errors=True)


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

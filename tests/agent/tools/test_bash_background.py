"""Unattended runs: a Bash call still running after the time budget (15 s by default)
moves to the background, and the model hears so with the shell id to read later."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest

from agent.journal import read_day
from agent.tasks.model import Task, iso, now
from agent.tasks.runner import run_task
from agent.tasks.store import TaskStore
from agent.tasks.unattended import BACKGROUND_AFTER_S, close_session, open_session
from agent.tools.bash import BASH, BASH_OUTPUT, KILL_SHELL
from agent.tools.context import ToolContext
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

from .conftest import Call

BUDGET_S = 0.3  # the same code path as the 15 s default, without waiting 15 s


async def test_a_slow_command_moves_to_the_background(ctx: ToolContext, call: Call) -> None:
    assert ctx.shell is not None
    ctx.shell.background_after = BUDGET_S

    moved = await call(BASH, command="sleep 40")

    assert not moved.is_error
    assert "still running after 0.3s" in moved.text()
    assert "moved to the background" in moved.text() and "shell id bash_1" in moved.text()
    assert "Status: running" in (await call(BASH_OUTPUT, bash_id="bash_1")).text()
    assert (await call(KILL_SHELL, shell_id="bash_1")).text() == "Killed bash_1."


async def test_a_quick_command_and_a_shorter_timeout_are_not_moved(
    ctx: ToolContext, call: Call
) -> None:
    assert ctx.shell is not None
    ctx.shell.background_after = 60.0  # "echo quick" ends long before, even on a loaded machine

    assert (await call(BASH, command="echo quick")).text() == "quick"
    timed = await call(BASH, command="sleep 40", timeout=200)
    assert timed.is_error and "timed out after 0.2s" in timed.text()
    assert ctx.shell.jobs() == []


async def test_interactive_sessions_wait_and_unattended_ones_give_15_seconds(
    make_session, workspace: Path
) -> None:
    assert BACKGROUND_AFTER_S == 15
    assert make_session().ctx.shell.background_after is None  # a person is waiting
    unattended = await open_session(workspace, mode="plan", note=print)
    try:
        assert unattended.ctx.shell is not None
        assert unattended.ctx.shell.background_after == 15
    finally:
        await close_session(unattended)


async def test_a_task_gets_the_moved_result_and_reads_the_shell_later(
    api: ScriptedAPI, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)  # type: ignore[attr-defined]
    store = TaskStore()
    store.add(Task(id="t-slow", name="slow", prompt="wait a while", cron="0 * * * *",
                   cwd=str(workspace), allow=["Bash(sleep 40)"], created=iso(now())))  # fmt: skip
    api.script(
        Reply([tool_use("Bash", {"command": "sleep 40"})]),
        Reply([tool_use("BashOutput", {"bash_id": "bash_1"})]),
        Reply([text("It is still sleeping; I will look again later.")]),
    )

    began = time.monotonic()
    result = await run_task(store, "t-slow", background_after=BUDGET_S)
    print(f"task with a 40 s command ran in {time.monotonic() - began:.2f} s")

    assert result.status == "ok"
    [moved] = tool_results(api.requests[1])
    assert "moved to the background" in moved and "shell id bash_1" in moved
    [read] = tool_results(api.requests[2])
    assert read.startswith("Status: running")
    entries = read_day(datetime.now().astimezone().date())
    assert [e.heading for e in entries] == [
        "Task slow (t-slow) · ok",
        "Background job bash_1 of task slow (t-slow) · killed when the run ended",
    ]
    assert "- Asked: sleep 40" in entries[1].body


def tool_results(request: dict) -> list[str]:
    """The tool_result texts of ``request``'s last message."""
    out = []
    for block in request["messages"][-1]["content"]:
        if block.get("type") == "tool_result":
            content = block["content"]
            out.append(content if isinstance(content, str) else content[0]["text"])
    return out

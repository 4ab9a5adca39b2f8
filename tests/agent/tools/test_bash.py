"""The Bash, BashOutput and KillShell tools as the model uses them."""

from __future__ import annotations

import asyncio
import time

from agent.tools.bash import BASH, BASH_OUTPUT, KILL_SHELL, MAX_OUTPUT_CHARS
from agent.tools.context import ToolContext
from tests.processes import HANG_S

from .conftest import Call


async def test_bash_returns_output(ctx: ToolContext, call: Call) -> None:
    out = await call(BASH, command="echo hello; echo oops >&2")
    assert not out.is_error
    assert out.text() == "hello\noops"


async def test_bash_runs_in_the_workspace_and_remembers_cd(ctx: ToolContext, call: Call) -> None:
    (ctx.workspace / "src").mkdir()
    assert (await call(BASH, command="pwd")).text() == str(ctx.workspace)
    await call(BASH, command="cd src")
    assert (await call(BASH, command="pwd")).text() == str(ctx.workspace / "src")


async def test_bash_reports_non_zero_exit_code_as_error(ctx: ToolContext, call: Call) -> None:
    out = await call(BASH, command="echo partial; exit 3")
    assert out.is_error
    assert out.text() == "partial\nExit code 3"


async def test_bash_with_no_output_says_so(ctx: ToolContext, call: Call) -> None:
    assert (await call(BASH, command="true")).text() == "(no output)"


async def test_bash_timeout_is_in_milliseconds(ctx: ToolContext, call: Call) -> None:
    out = await call(BASH, command="sleep 20", timeout=200)
    assert out.is_error
    assert "timed out after 0.2s" in out.text()


async def test_bash_timeout_above_maximum_is_rejected_naming_the_field(
    ctx: ToolContext, call: Call
) -> None:
    out = await call(BASH, command="true", timeout=700_000)
    assert out.is_error
    assert "timeout" in out.text()


async def test_bash_truncates_long_output_with_a_note(ctx: ToolContext, call: Call) -> None:
    out = await call(BASH, command="seq 1 20000")
    text = out.text()
    assert len(text) <= MAX_OUTPUT_CHARS + 100
    assert text.startswith("1\n2\n3\n")
    assert text.endswith("19999\n20000")
    assert "characters truncated" in text


async def test_bash_does_not_expose_the_api_key(ctx: ToolContext, call: Call) -> None:
    out = await call(BASH, command='echo "key=${ANTHROPIC_API_KEY:-unset}"')
    assert out.text() == "key=unset"


async def test_background_command_output_and_kill(ctx: ToolContext, call: Call) -> None:
    started = await call(
        BASH, command="echo ready; sleep 30", run_in_background=True, description="Start a server"
    )
    assert "bash_1" in started.text()
    out = await call(BASH_OUTPUT, bash_id="bash_1")
    deadline = time.monotonic() + HANG_S
    while out.text() == "Status: running\n(no new output)" and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
        out = await call(BASH_OUTPUT, bash_id="bash_1")
    assert out.text() == "Status: running\nready"
    killed = await call(KILL_SHELL, shell_id="bash_1")
    assert killed.text() == "Killed bash_1."
    after = await call(BASH_OUTPUT, bash_id="bash_1")
    assert after.text() == "Status: killed\n(no new output)"


async def test_bash_output_reports_exit_code_of_finished_job(ctx: ToolContext, call: Call) -> None:
    await call(BASH, command="echo done; exit 4", run_in_background=True)
    assert await ctx.shell.wait("bash_1", HANG_S)
    out = await call(BASH_OUTPUT, bash_id="bash_1")
    assert out.text() == "Status: exited with code 4\ndone"
    again = await call(KILL_SHELL, shell_id="bash_1")
    assert "already stopped" in again.text()


async def test_bash_output_with_unknown_id_lists_known_ones(ctx: ToolContext, call: Call) -> None:
    await call(BASH, command="sleep 5", run_in_background=True)
    out = await call(BASH_OUTPUT, bash_id="bash_7")
    assert out.is_error
    assert "bash_1" in out.text()
    assert (await call(KILL_SHELL, shell_id="nope")).is_error


async def test_bash_output_with_bad_filter_is_an_error(ctx: ToolContext, call: Call) -> None:
    await call(BASH, command="true", run_in_background=True)
    out = await call(BASH_OUTPUT, bash_id="bash_1", filter="(")
    assert out.is_error
    assert "Invalid filter" in out.text()


def test_bash_describe_shows_the_command(ctx: ToolContext) -> None:
    params = BASH.parse({"command": "pytest -q"})
    assert BASH.describe(params, ctx) == "Running `pytest -q`"
    long = BASH.parse({"command": "echo " + "x" * 200, "run_in_background": True})
    line = BASH.describe(long, ctx)
    assert line.endswith("...` in the background")
    assert len(line) < 110

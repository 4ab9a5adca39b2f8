"""ShellSession: persistent cwd, timeouts, cancellation, secrets, background shells."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from agent.tools.shell import OutputBuffer, ShellSession
from tests.processes import HANG_S, matching, process_alive, wait_gone, wait_none_matching


def complete_line(path: Path) -> str | None:
    """The file's text once a command has finished writing a line to it."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    return text if text.endswith("\n") else None


async def wait_for_file(path: Path, within_s: float = HANG_S) -> str:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        text = complete_line(path)
        if text is not None:
            return text
        await asyncio.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


@pytest.fixture
async def shell(tmp_path: Path):
    session = ShellSession(cwd=tmp_path)
    yield session
    await session.aclose()


async def test_cd_carries_over_to_the_next_command(shell: ShellSession, tmp_path: Path) -> None:
    (tmp_path / "sub dir").mkdir()
    first = await shell.run('cd "sub dir" && echo moved', 10)
    assert first.output == "moved\n"
    second = await shell.run("pwd", 10)
    assert second.output == f"{tmp_path / 'sub dir'}\n"
    assert shell.cwd == tmp_path / "sub dir"


async def test_cwd_is_kept_even_when_the_command_fails(shell: ShellSession, tmp_path: Path) -> None:
    result = await shell.run("cd / && false", 10)
    assert result.exit_code == 1
    assert (await shell.run("pwd", 10)).output == "/\n"


async def test_stdout_and_stderr_arrive_together_in_order(shell: ShellSession) -> None:
    result = await shell.run("echo one; echo two >&2; echo three", 10)
    assert result.output == "one\ntwo\nthree\n"
    assert result.exit_code == 0


async def test_exit_code_is_reported(shell: ShellSession) -> None:
    result = await shell.run("exit 7", 10)
    assert result.exit_code == 7
    assert not result.timed_out and not result.interrupted


async def test_stdin_is_empty_so_reads_do_not_hang(shell: ShellSession) -> None:
    result = await shell.run("cat; read line; echo done", 5)
    assert result.output == "done\n"


async def test_anthropic_variables_never_reach_commands(
    shell: ShellSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret-value")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("HARKEN_VISIBLE", "yes")
    result = await shell.run("env", 10)
    assert "sk-ant-secret-value" not in result.output
    assert "ANTHROPIC_" not in result.output
    assert "HARKEN_VISIBLE=yes" in result.output


async def test_timeout_kills_the_command_and_says_so(shell: ShellSession, tmp_path: Path) -> None:
    # How soon the kill comes is measured by benchmarks/responsiveness.py; here: it comes.
    # The timeout leaves a loaded machine time enough to start bash and write the pid.
    result = await asyncio.wait_for(
        shell.run(f"echo $$ > {tmp_path}/pid; echo begun; sleep 300", 5), HANG_S
    )
    assert result.timed_out
    assert result.output == "begun\n"
    assert await wait_gone([int((tmp_path / "pid").read_text())])


async def test_timeout_kills_processes_started_in_the_background_too(
    shell: ShellSession, tmp_path: Path
) -> None:
    result = await shell.run(f"sleep 300 & echo $! > {tmp_path}/pid; sleep 300", 5)
    assert result.timed_out
    assert await wait_gone([int((tmp_path / "pid").read_text())])


async def test_cancellation_kills_the_process_group_and_propagates(
    shell: ShellSession, tmp_path: Path
) -> None:
    pids = tmp_path / "pids"
    task = asyncio.create_task(shell.run(f"sleep 300 & echo $$ $! > {pids}; sleep 300", 600))
    text = await wait_for_file(pids)
    running = [int(p) for p in text.split()]
    assert all(process_alive(p) for p in running)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await wait_gone(running)


@pytest.mark.parametrize("turns", [1, 2, 3])
async def test_cancelled_while_the_command_starts_leaves_nothing_running(
    shell: ShellSession, tmp_path: Path, turns: int
) -> None:
    # Cancelled before the start has returned (a busy machine, a quick Esc): the shell may
    # already run and have started others; asyncio itself would kill only the shell.
    marker = tmp_path / "started"
    # Sleeps of this test only: another test run on the machine may have its own.
    ours = f"{os.getpid()}{turns}"
    command = f"sleep 317.{ours} & touch {marker}; sleep 318.{ours}"
    task = asyncio.create_task(shell.run(command, 600))
    for _ in range(turns):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The shell (its command line names the marker) first: while it runs it may still start
    # a sleep, so looking for sleeps before it is gone could miss one it starts later.
    assert await wait_none_matching(str(marker))
    assert await wait_gone(matching(f"sleep 31[78][.]{ours}"))


async def test_program_left_running_does_not_hold_up_the_command(
    shell: ShellSession, tmp_path: Path
) -> None:
    # The command returns while the program it left runs on: had the shell waited for it,
    # the program would be over (or the deadline hit) by the time the result came.
    result = await asyncio.wait_for(
        shell.run(f"sleep 300 & echo $! > {tmp_path}/pid; echo started", HANG_S), HANG_S
    )
    assert result.output == "started\n" and not result.timed_out
    pid = int((tmp_path / "pid").read_text())
    try:
        assert process_alive(pid)
    finally:
        os.kill(pid, signal.SIGKILL)


async def test_deleted_working_directory_falls_back_to_the_start(
    shell: ShellSession, tmp_path: Path
) -> None:
    (tmp_path / "gone").mkdir()
    await shell.run("cd gone", 10)
    (tmp_path / "gone").rmdir()
    result = await shell.run("pwd", 10)
    assert "no longer exists" in result.output
    assert result.output.endswith(f"{tmp_path}\n")


async def test_background_shell_output_arrives_in_pieces(
    shell: ShellSession, tmp_path: Path
) -> None:
    # The second line waits for the test's go-ahead, not for a time that a slow machine
    # might take to notice the first.
    job = await shell.start_background(
        f"echo first; while [ ! -e {tmp_path}/go ]; do sleep 0.01; done; echo second"
    )
    assert job == "bash_1"
    early = shell.output(job)
    async with asyncio.timeout(HANG_S):  # only a hang reaches it
        while not early.output:
            await asyncio.sleep(0.01)
            early = shell.output(job)
    assert early.output == "first\n"
    assert early.running and early.status == "running"
    (tmp_path / "go").touch()
    assert await shell.wait(job, HANG_S)
    late = shell.output(job)
    assert late.output == "second\n"
    assert late.status == "exited with code 0"
    assert shell.output(job).output == ""


async def test_background_output_filter_keeps_matching_lines(shell: ShellSession) -> None:
    job = await shell.start_background("printf 'GET /\\nERROR boom\\nGET /x\\n'")
    assert await shell.wait(job, HANG_S)
    assert shell.output(job, filter_regex="ERROR").output == "ERROR boom\n"
    assert shell.output(job).output == ""  # the rest was consumed


async def test_killing_a_background_shell_ends_its_group(
    shell: ShellSession, tmp_path: Path
) -> None:
    job = await shell.start_background(f"sleep 300 & echo $! > {tmp_path}/pid; sleep 300")
    pid = int((await wait_for_file(tmp_path / "pid")).strip())
    assert await shell.kill(job)
    assert await wait_gone([pid])
    assert shell.output(job).status == "killed"
    assert not await shell.kill(job)


async def test_background_shell_does_not_change_the_working_directory(
    shell: ShellSession, tmp_path: Path
) -> None:
    assert await shell.wait(await shell.start_background("cd / && true"), HANG_S)
    assert shell.cwd == tmp_path


async def test_aclose_kills_all_background_shells(tmp_path: Path) -> None:
    session = ShellSession(cwd=tmp_path)
    # The sleep's pid, not the shell's: closing the shell's pipes alone would end the shell.
    await session.start_background(f"sleep 300 & echo $! > {tmp_path}/pid; wait")
    pid = int((await wait_for_file(tmp_path / "pid")).strip())
    await session.aclose()
    assert await wait_gone([pid])


async def test_unknown_background_id_raises_key_error(shell: ShellSession) -> None:
    with pytest.raises(KeyError):
        shell.output("bash_99")


def test_output_buffer_keeps_head_and_tail_of_long_output() -> None:
    buffer = OutputBuffer(limit=100)
    buffer.write(b"H" * 50)
    for _ in range(100):
        buffer.write(b"m" * 10)
    buffer.write(b"T" * 50)
    text = buffer.take()
    assert text.startswith("H" * 50)
    assert text.endswith("T" * 50)
    assert "[... 1000 bytes of output dropped ...]" in text
    assert buffer.take() == ""


def test_output_buffer_does_not_break_characters_split_across_writes() -> None:
    buffer = OutputBuffer()
    data = "héllo".encode()
    buffer.write(data[:2])
    first = buffer.take()
    buffer.write(data[2:])
    assert first + buffer.take() == "héllo"


def test_environment_drops_secrets_from_a_given_env(tmp_path: Path) -> None:
    session = ShellSession(cwd=tmp_path, env={"ANTHROPIC_API_KEY": "k", "PATH": os.defpath})
    assert "ANTHROPIC_API_KEY" not in session.environment()
    assert session.environment()["PATH"] == os.defpath


async def test_sandbox_flags_without_a_policy_run_unconfined(
    shell: ShellSession, tmp_path: Path
) -> None:
    # No sandbox policy: the flags change nothing, and TMPDIR is the caller's own.
    assert shell.sandbox is None
    result = await shell.run(f"touch {tmp_path}/made && echo ok", 10, sandboxed=True)
    assert result.output == "ok\n"
    assert (tmp_path / "made").exists()
    assert await shell.wait(await shell.start_background("true", network=True), HANG_S)
    assert shell.environment(sandboxed=True).get("TMPDIR") == os.environ.get("TMPDIR")

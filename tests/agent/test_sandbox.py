"""The bubblewrap sandbox, with the real bwrap: what a confined command can and cannot do.

Writes land only in the workspace and the session temp folder; protected paths stay
read-only even before they exist, and leave nothing behind; the network is off unless
granted; nothing a command started outlives it; the Bash tool follows the call's grant.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from agent.permissions import Mode, PermissionEngine, ToolCall
from agent.permissions.grant import Grant, current_grant
from agent.sandbox import (
    SandboxPolicy,
    bwrap_argv,
    protection,
    sandbox_status,
    visible_in_sandbox,
)
from agent.tools.base import Tool, ToolError, ToolOutput
from agent.tools.bash import BASH, BASH_OUTPUT, KILL_SHELL
from agent.tools.context import ToolContext, sandbox_policy
from agent.tools.shell import ShellResult, ShellSession
from tests.git_repos import PLANTED, Layout, build_layout, git, git_env, make_repo
from tests.processes import HANG_S, wait_matching, wait_none_matching

needs_bwrap = pytest.mark.skipif(
    not sandbox_status().available, reason=f"no sandbox here: {sandbox_status().reason}"
)


# --- fixtures and helpers ---------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
async def ctx(workspace: Path) -> AsyncIterator[ToolContext]:
    context = ToolContext(workspace=workspace)
    assert context.sandbox is not None, "the default context should be sandboxed here"
    yield context
    await context.aclose()


@pytest.fixture
def shell(ctx: ToolContext) -> ShellSession:
    assert ctx.shell is not None
    return ctx.shell


@pytest.fixture
def server() -> Iterator[int]:
    """The port of a TCP server on 127.0.0.1 that answers every connection with "hello"."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = False

    def serve() -> None:
        while not stop:
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.sendall(b"hello\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop = True
    thread.join(2)
    listener.close()


@pytest.fixture
def outside() -> Iterator[Callable[[Path], Path]]:
    """``outside(folder)``: a path in ``folder``, outside the workspace, unique to this test,
    that a confined command must not create. Whatever a failing sandbox let through is
    removed afterwards, so a failure is reported once, by its own test, and leaves nothing
    on the machine for the next run to trip over."""
    made: list[Path] = []

    def unique(folder: Path) -> Path:
        path = folder / f"harken-outside-{uuid.uuid4().hex[:12]}"
        made.append(path)
        return path

    yield unique
    for path in made:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()


@pytest.fixture
def repo(workspace: Path) -> Path:
    """The workspace as a fresh git repository (hooks folder with samples, config)."""
    subprocess.run(["git", "init", "-q", str(workspace)], check=True)
    return workspace


@pytest.fixture
def run_socket() -> Iterator[Path]:
    """A listening Unix socket under /run, where D-Bus and container daemons keep theirs."""
    try:
        folder = Path(tempfile.mkdtemp(dir="/run", prefix="harken-test-"))
    except OSError:
        pytest.skip("cannot create a folder in /run here")
    path = folder / "bus"
    listener = socket.socket(socket.AF_UNIX)
    try:
        listener.bind(str(path))
        listener.listen()
        yield path
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            path.unlink()
        folder.rmdir()


def exists(path: Path) -> bool:
    return os.path.lexists(path)


def tree(root: Path) -> list[str]:
    """Every path under ``root``, relative, sorted: to show nothing was left behind."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def marker() -> str:
    """A ``sleep`` argument unique to this test, so ``pgrep -f`` finds only its processes."""
    return f"300.{random.randrange(10**8):08d}"


async def gone(pattern: str) -> bool:
    """True once no ``sleep PATTERN`` runs (a generous deadline only catches a hang)."""
    return await wait_none_matching(f"sleep {pattern}")


async def appears(pattern: str) -> None:
    """Once ``sleep PATTERN`` itself runs: not merely bwrap or bash, whose command lines
    hold the same words before the sandbox has started it."""
    await wait_matching(f"^sleep {pattern}")


async def settled(condition: Callable[[], bool]) -> bool:
    """True once ``condition()`` holds: for what a sandbox's exit sets right soon after."""
    deadline = time.monotonic() + HANG_S
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


async def call(tool: Tool, ctx: ToolContext, grant: Grant | None = None, **raw) -> ToolOutput:
    """Run a tool as the runner does, with ``grant`` set around the call."""
    token = current_grant.set(grant or Grant())
    try:
        out = await tool.run(tool.parse(raw), ctx)
    except ToolError as exc:
        return ToolOutput(str(exc), is_error=True)
    finally:
        current_grant.reset(token)
    return out if isinstance(out, ToolOutput) else ToolOutput(out)


def processes() -> str:
    """What runs on the machine, to show in a failure."""
    ps = ["ps", "-eo", "pid,ppid,stat,args", "--forest"]
    return subprocess.run(ps, capture_output=True, text=True).stdout


def failed(result: ShellResult) -> bool:
    return result.exit_code != 0


# --- status and command line --------------------------------------------------------------


def test_status_explains_a_missing_bwrap(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    sandbox_status.cache_clear()
    try:
        status = sandbox_status()
    finally:
        sandbox_status.cache_clear()
    assert not status.available
    assert status.reason.startswith("bubblewrap is not installed")
    assert "apt install bubblewrap" in status.reason


def test_status_explains_a_bwrap_that_cannot_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake = tmp_path / "bwrap"
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.defpath}")
    sandbox_status.cache_clear()
    try:
        status = sandbox_status()
    finally:
        sandbox_status.cache_clear()
    assert not status.available
    assert "cannot create namespaces here" in status.reason
    assert "No permissions to create new namespace" in status.reason
    assert "unprivileged_userns" in status.reason


def test_bwrap_argv_makes_everything_read_only_but_the_writable_roots(tmp_path: Path) -> None:
    ws, temp = tmp_path / "ws", tmp_path / "t"
    ws.mkdir()
    temp.mkdir()
    argv = bwrap_argv(SandboxPolicy(ws, temp), ["bash", "-c", "true"], cwd=ws)
    line = " ".join(argv)
    assert argv[:5] == ["bwrap", "--ro-bind", "/", "/", "--dev"]
    assert f"--bind {ws} {ws}" in line and f"--bind {temp} {temp}" in line
    assert "--tmpfs /tmp" in line and "--tmpfs /run" in line
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session"):
        assert flag in argv
    assert "--cap-drop ALL" in line
    assert argv[-4:] == ["--", "bash", "-c", "true"]
    assert argv[argv.index("--chdir") + 1] == str(ws)
    with_net = bwrap_argv(SandboxPolicy(ws, temp, network=True), ["true"])
    assert "--unshare-net" not in with_net


def test_policy_resolves_a_symlinked_workspace(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    policy = SandboxPolicy(tmp_path / "link", tmp_path, (Path(".git/hooks"),))
    assert policy.workspace == real
    assert policy.read_only == (real / ".git/hooks",)
    assert f"--bind {real} {real}" in " ".join(bwrap_argv(policy, ["true"]))


def test_protection_plan_pins_masks_and_protects(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / ".git" / "hooks").mkdir(parents=True)
    (ws / ".harken").mkdir()
    read_only = [".git/hooks", ".git/config", ".vscode", ".harken", ".harken/deep/x"]
    plan = protection(SandboxPolicy(ws, tmp_path, tuple(Path(p) for p in read_only)))
    assert plan == [
        (ws / ".git", "pin"),
        (ws / ".vscode", "mask"),
        (ws / ".harken", "protect"),
        (ws / ".git" / "hooks", "protect"),
        (ws / ".git" / "config", "mask"),
    ]  # nothing under .harken: a pin there would make part of it writable


def test_folders_under_private_mounts_are_not_visible(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    policy = SandboxPolicy(ws, tmp_path / "t")
    assert visible_in_sandbox(policy, ws / "sub")
    assert visible_in_sandbox(policy, tmp_path)  # a parent of the workspace
    assert visible_in_sandbox(policy, Path("/usr"))
    assert not visible_in_sandbox(policy, Path(tempfile.gettempdir()) / "elsewhere")


# --- the context -------------------------------------------------------------------------


@needs_bwrap
async def test_context_builds_a_policy_and_removes_its_temp_folder(workspace: Path) -> None:
    ctx = ToolContext(workspace=workspace)
    policy = ctx.sandbox
    assert isinstance(policy, SandboxPolicy)
    assert ctx.shell is not None and ctx.shell.sandbox is policy
    assert policy.workspace == workspace  # already real: pytest resolves tmp_path
    assert workspace / ".git/hooks" in policy.read_only
    assert workspace / ".vscode" in policy.read_only
    assert all(p.is_relative_to(workspace) for p in policy.read_only)
    assert not policy.network
    assert policy.temp_dir.is_dir()
    await ctx.aclose()
    assert not policy.temp_dir.exists()


async def test_context_without_sandbox_runs_unconfined(workspace: Path) -> None:
    ctx = ToolContext(workspace=workspace, sandbox=None)
    assert ctx.sandbox is None and ctx.shell is not None and ctx.shell.sandbox is None
    await ctx.aclose()


def test_policy_protects_home_entries_when_the_workspace_contains_home(tmp_path: Path) -> None:
    policy = sandbox_policy(Path("/"), tmp_path)
    assert Path.home().resolve() / ".bashrc" in policy.read_only


# --- writes ------------------------------------------------------------------------------


@needs_bwrap
async def test_writes_inside_the_workspace_succeed(shell: ShellSession, workspace: Path) -> None:
    result = await shell.run("mkdir -p src && echo hi > src/a.txt && cat src/a.txt", 10)
    assert result.output == "hi\n" and result.exit_code == 0
    assert (workspace / "src/a.txt").read_text() == "hi\n"


@needs_bwrap
@pytest.mark.parametrize(
    ("folder", "command"),
    [
        (Path("/root"), "touch /root/{name}"),
        (Path("/etc"), "echo x > /etc/{name}"),
        (Path.home(), "touch ~/{name}"),
        (Path("/usr/local"), "mkdir /usr/local/{name}"),
        (Path("/usr/share"), "cp /etc/hostname /usr/share/{name}"),
    ],
)
async def test_writes_outside_the_workspace_fail(
    shell: ShellSession, outside: Callable[[Path], Path], folder: Path, command: str
) -> None:
    target = outside(folder)
    result = await shell.run(command.format(name=target.name), 10)
    assert failed(result), result.output
    assert not exists(target)


@needs_bwrap
async def test_the_root_cannot_be_remounted_writable(shell: ShellSession) -> None:
    result = await shell.run("mount -o remount,rw /", 10)
    assert failed(result), result.output


@needs_bwrap
async def test_tmp_is_private_so_writes_there_never_reach_the_host(
    shell: ShellSession, tmp_path: Path
) -> None:
    target = tmp_path / "beside-the-workspace.txt"
    result = await shell.run(f"echo x > {target} && cat {target}", 10)
    assert result.output == "x\n"  # into the sandbox's own /tmp
    assert not target.exists()


@needs_bwrap
async def test_tmpdir_is_the_writable_session_folder(shell: ShellSession, ctx: ToolContext) -> None:
    assert ctx.sandbox is not None
    first = await shell.run('echo "$TMPDIR"; echo kept > "$TMPDIR/note"', 10)
    assert first.output == f"{ctx.sandbox.temp_dir}\n"
    second = await shell.run(
        f'cat "$TMPDIR/note"; {sys.executable} -c "import tempfile; tempfile.mkstemp()"', 10
    )
    assert second.output == "kept\n" and second.exit_code == 0


@needs_bwrap
async def test_root_capabilities_are_dropped(shell: ShellSession) -> None:
    result = await shell.run("grep CapEff /proc/self/status", 10)
    assert result.output.split() == ["CapEff:", "0000000000000000"]


# --- symlinks ----------------------------------------------------------------------------


@needs_bwrap
@pytest.mark.parametrize("where", ["beside", "home", "etc"])
async def test_symlink_to_outside_does_not_let_a_write_escape(
    shell: ShellSession,
    workspace: Path,
    tmp_path: Path,
    outside: Callable[[Path], Path],
    where: str,
) -> None:
    folder = {"beside": tmp_path / "outside", "home": Path.home(), "etc": Path("/etc")}[where]
    folder.mkdir(exist_ok=True)
    first, second = outside(folder), outside(folder)
    (workspace / "planted").symlink_to(folder)  # in the repository before the session
    planted = await shell.run(f"echo x > planted/{first.name}", 10)
    made = await shell.run(f"ln -s {folder} link && echo x > link/{second.name}", 10)
    assert failed(planted) and failed(made)
    assert not exists(first) and not exists(second)


@needs_bwrap
async def test_symlink_swapped_in_for_a_protected_folder_cannot_be_written_through(
    shell: ShellSession, workspace: Path, outside: Callable[[Path], Path]
) -> None:
    (workspace / ".git").mkdir()
    target = outside(Path("/tmp"))
    result = await shell.run(
        f"rm -rf .git/hooks; ln -s /tmp .git/hooks; echo x > .git/hooks/{target.name}", 10
    )
    assert failed(result)
    assert not (workspace / ".git/hooks").exists()
    assert not exists(target)


# --- protected paths ---------------------------------------------------------------------


@needs_bwrap
async def test_missing_git_folder_cannot_be_given_a_config(
    shell: ShellSession, workspace: Path
) -> None:
    result = await shell.run("mkdir -p .git && echo x > .git/config", 10)
    assert failed(result)
    assert "Read-only file system" in result.output
    assert tree(workspace) == []


@needs_bwrap
async def test_missing_protected_paths_cannot_be_created_and_leave_no_trace(
    shell: ShellSession, workspace: Path
) -> None:
    (workspace / ".git").mkdir()
    (workspace / "README").write_text("hi\n")
    before = tree(workspace)
    for command in (
        "mkdir .git/hooks",
        "mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit",
        "echo x > .git/config",
        "mkdir -p .vscode && echo {} > .vscode/tasks.json",
        "echo 'export X=1' > .envrc",
        "echo '{}' > .mcp.json",
        "mkdir -p .harken && echo '{}' > .harken/settings.json",
        "mv .git moved && mkdir -p .git/hooks && echo evil > .git/hooks/pre-commit",
    ):
        result = await shell.run(command, 10)
        assert failed(result), command
    assert tree(workspace) == before


@needs_bwrap
async def test_existing_protected_paths_are_read_only(shell: ShellSession, repo: Path) -> None:
    workspace = repo
    config = (workspace / ".git/config").read_text()
    hooks = tree(workspace / ".git/hooks")
    for command in (
        "echo '[core]' >> .git/config",
        "git config core.hooksPath /tmp",
        "echo evil > .git/hooks/pre-commit",
        "rm -rf .git/hooks",
        "mv .git/hooks .git/old-hooks",
    ):
        assert failed(await shell.run(command, 10)), command
    assert (workspace / ".git/config").read_text() == config
    assert tree(workspace / ".git/hooks") == hooks


@needs_bwrap
async def test_git_still_works_inside(shell: ShellSession, repo: Path) -> None:
    result = await shell.run(
        "echo hi > a.txt && git add a.txt && "
        "git -c user.name=T -c user.email=t@example.com commit -qm first && git log --oneline",
        20,
    )
    assert result.exit_code == 0, result.output
    assert "first" in result.output
    assert "?? " not in (await shell.run("git status --short", 10)).output


@needs_bwrap
async def test_placeholders_stay_while_any_sandbox_uses_them(
    shell: ShellSession, workspace: Path
) -> None:
    job = await shell.start_background("sleep 300")
    await shell.run("true", 10)  # ends while the background one still runs
    assert (workspace / ".vscode").is_dir()  # its mask is still in use
    result = await shell.run("echo {} > .vscode/tasks.json", 10)
    assert failed(result)
    assert await shell.kill(job)
    # The last sandbox's exit removes the placeholders (a callback of its exit).
    assert await settled(lambda: tree(workspace) == []), tree(workspace)


# --- network -----------------------------------------------------------------------------


@needs_bwrap
async def test_network_is_off_by_default(shell: ShellSession, server: int) -> None:
    for command in (
        f"exec 3<>/dev/tcp/127.0.0.1/{server} && head -1 <&3",
        f"curl -sS --max-time 3 telnet://127.0.0.1:{server}",
        f"{sys.executable} -c \"import socket; socket.create_connection(('127.0.0.1', {server}))\"",
        "getent hosts example.com",
    ):
        result = await shell.run(command, 10)
        assert failed(result), command
        assert "hello" not in result.output
    interfaces = await shell.run("tail -n +3 /proc/net/dev | cut -d: -f1", 10)
    assert interfaces.output.split() == ["lo"]


@needs_bwrap
async def test_network_when_allowed(shell: ShellSession, server: int) -> None:
    result = await shell.run(
        f"exec 3<>/dev/tcp/127.0.0.1/{server} && head -1 <&3", 10, network=True
    )
    assert result.output == "hello\n"


@needs_bwrap
async def test_sockets_under_run_are_hidden(shell: ShellSession, run_socket: Path) -> None:
    connect = (
        f'{sys.executable} -c "import socket; '
        f"socket.socket(socket.AF_UNIX).connect('{run_socket}')\""
    )
    assert (await shell.run(connect, 10, sandboxed=False)).exit_code == 0
    assert failed(await shell.run(connect, 10))


# --- processes ---------------------------------------------------------------------------


@needs_bwrap
async def test_background_child_does_not_outlive_the_command(shell: ShellSession) -> None:
    tag = marker()
    result = await shell.run(f"sleep {tag} & echo started", 10)
    assert result.output == "started\n"
    assert await gone(tag)


@needs_bwrap
async def test_timeout_kills_everything_in_the_sandbox(shell: ShellSession) -> None:
    tag = marker()
    result = await shell.run(f"sleep {tag} & sleep {tag}", 0.5)
    assert result.timed_out
    assert await gone(tag)


@needs_bwrap
async def test_cancellation_kills_everything_in_the_sandbox(shell: ShellSession) -> None:
    tag = marker()
    task = asyncio.create_task(shell.run(f"(sleep {tag} &) ; setsid sleep {tag} & wait", 60))
    await appears(tag)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await gone(tag)


@needs_bwrap
async def test_killing_a_background_shell_kills_its_sandbox(
    shell: ShellSession, workspace: Path
) -> None:
    tag = marker()
    job = await shell.start_background(f"sleep {tag} & sleep {tag}")
    await appears(tag)
    assert await shell.kill(job)
    assert await gone(tag)
    assert shell.output(job).status == "killed"
    assert tree(workspace) == []


@needs_bwrap
async def test_closing_the_context_kills_background_sandboxes(workspace: Path) -> None:
    ctx = ToolContext(workspace=workspace)
    assert ctx.shell is not None
    tag = marker()
    await ctx.shell.start_background(f"sleep {tag}")
    await appears(tag)
    await ctx.aclose()
    assert await gone(tag)
    assert tree(workspace) == []


@needs_bwrap
async def test_a_command_right_after_an_interrupted_one_runs(
    shell: ShellSession, workspace: Path
) -> None:
    # The interrupted sandbox is still ending when the next one starts: a placeholder it
    # made (the missing .git) must stay until the next one is done with it too, or the next
    # one fails ("bwrap: Can't find source path .../.git").
    tags = [marker() for _ in range(3)]
    for tag in tags:
        task = asyncio.create_task(shell.run(f"sleep {tag}", 600))
        await appears(tag)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        result = await shell.run("echo ran", 30)
        assert result.output == "ran\n", result.output
    for tag in tags:  # every sandbox has ended ...
        assert await gone(tag), processes()
    assert await settled(lambda: tree(workspace) == []), tree(workspace)  # ... leaving nothing


# --- shell state -------------------------------------------------------------------------


@needs_bwrap
async def test_cd_persists_inside_the_sandbox(
    shell: ShellSession, workspace: Path, outside: Callable[[Path], Path]
) -> None:
    (workspace / "sub").mkdir()
    await shell.run("cd sub", 10)
    assert (await shell.run("pwd", 10)).output == f"{workspace / 'sub'}\n"
    await shell.run("cd /usr/share", 10)  # reading elsewhere is allowed, and remembered
    assert (await shell.run("pwd; ls >/dev/null", 10)).output == "/usr/share\n"
    target = outside(Path("/usr/share"))
    assert failed(await shell.run(f"touch {target.name}", 10))
    assert not exists(target)


@needs_bwrap
async def test_a_working_directory_hidden_inside_falls_back_to_the_workspace(
    shell: ShellSession, workspace: Path, tmp_path: Path
) -> None:
    (tmp_path / "elsewhere").mkdir()
    await shell.run(f"cd {tmp_path / 'elsewhere'}", 10, sandboxed=False)
    result = await shell.run("pwd", 10)
    assert "hidden in the sandbox" in result.output
    assert result.output.endswith(f"{workspace}\n")


@needs_bwrap
async def test_api_key_is_absent_inside(
    shell: ShellSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-sandbox-secret")
    result = await shell.run(
        "env; cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n'; ps -e | wc -l", 10
    )
    assert "sk-ant-sandbox-secret" not in result.output
    assert "ANTHROPIC_" not in result.output


# --- through the Bash tool ---------------------------------------------------------------


@needs_bwrap
async def test_bash_tool_confines_by_default_and_explains_a_blocked_write(
    ctx: ToolContext, outside: Callable[[Path], Path]
) -> None:
    target = outside(Path("/etc"))
    out = await call(BASH, ctx, Grant(network=False, sandbox=True), command=f"touch {target}")
    assert out.is_error
    assert not exists(target)
    assert "Read-only file system" in out.text()
    assert "Harken's sandbox" in out.text() and "Do not try to work around it" in out.text()


@needs_bwrap
async def test_bash_tool_explains_a_blocked_connection(ctx: ToolContext, server: int) -> None:
    command = f"exec 3<>/dev/tcp/127.0.0.1/{server} && head -1 <&3"
    blocked = await call(BASH, ctx, Grant(network=False), command=command)
    assert blocked.is_error and "network access" in blocked.text()
    allowed = await call(BASH, ctx, Grant(network=True), command=command)
    assert allowed.text() == "hello"


@needs_bwrap
async def test_bash_tool_runs_unconfined_when_the_grant_says_so(
    ctx: ToolContext, tmp_path: Path
) -> None:
    target = tmp_path / "written-by-an-unconfined-command"
    out = await call(BASH, ctx, Grant(sandbox=False), command=f"touch {target}")
    assert not out.is_error
    assert target.exists()


@needs_bwrap
async def test_bash_tool_background_follows_the_grant(ctx: ToolContext, server: int) -> None:
    command = f"exec 3<>/dev/tcp/127.0.0.1/{server} && head -1 <&3"
    await call(BASH, ctx, Grant(network=False), command=command, run_in_background=True)
    await call(BASH, ctx, Grant(network=True), command=command, run_in_background=True)
    assert ctx.shell is not None
    assert await ctx.shell.wait("bash_1", 5) and await ctx.shell.wait("bash_2", 5)
    assert "exited with code 1" in (await call(BASH_OUTPUT, ctx, bash_id="bash_1")).text()
    assert (await call(BASH_OUTPUT, ctx, bash_id="bash_2")).text().endswith("hello")
    assert "already stopped" in (await call(KILL_SHELL, ctx, shell_id="bash_1")).text()


async def test_bash_tool_without_a_sandbox_adds_no_sandbox_note(workspace: Path) -> None:
    ctx = ToolContext(workspace=workspace, sandbox=None)
    try:
        out = await call(
            BASH, ctx, Grant(sandbox=True), command="echo 'Read-only file system'; exit 1"
        )
    finally:
        await ctx.aclose()
    assert out.text() == "Read-only file system\nExit code 1"


def test_status_is_probed_once() -> None:
    assert sandbox_status() is sandbox_status()


def test_protection_skips_paths_outside_the_workspace(tmp_path: Path) -> None:
    # Outside the workspace everything is read-only already.
    policy = SandboxPolicy(tmp_path / "ws", tmp_path, (Path("/etc/passwd"),))
    assert protection(policy) == []


# --- git's configuration and hooks, in every git directory -------------------------------

# Every git folder of the layout and the .git files naming them (relative to the workspace).
GIT_DIRS = (
    ".git",
    ".git/modules/sub",
    ".git/modules/libs/deep",
    ".git/worktrees/wt",
    "vendor/lib/.git",
    "fixtures/bare.git",
    "store/rel.git",
)
GIT_FILES = ("sub/.git", "libs/deep/.git", "wt/.git", "rel/.git", "split/.git")
# Where a plain `git status` looks (each reads its repository's configuration).
STATUS_IN = (".", "sub", "libs/deep", "wt", "vendor/lib", "rel", "split")


@pytest.fixture
def layout(workspace: Path, tmp_path: Path) -> Layout:
    built = build_layout(tmp_path)
    assert built.workspace == workspace
    return built


def git_metadata(ws: Path) -> dict[str, object]:
    """What git reads as configuration or runs, byte for byte, in every git folder of the
    layout (a folder as the contents of everything in it; None when missing)."""

    def state(path: Path) -> object:
        if path.is_dir():
            return {str(p.relative_to(path)): state(p) for p in sorted(path.iterdir())}
        return path.read_bytes() if os.path.lexists(path) else None

    names = ("config", "config.worktree", "commondir", "hooks", "info")
    seen = {f"{d}/{n}": state(ws / d / n) for d in GIT_DIRS for n in names}
    seen.update({name: state(ws / name) for name in GIT_FILES})
    return seen


def plain_git_status(ws: Path, marker: Path) -> None:
    """Run `git status` as the user would, outside any sandbox, wherever the layout has a
    repository; the planted command would create ``marker``."""
    for where in STATUS_IN:
        subprocess.run(
            ["git", "status"], cwd=ws / where, env=git_env(), capture_output=True, check=False
        )
    assert not marker.exists(), "git ran a command planted by a sandboxed one"


@needs_bwrap
async def test_a_submodule_config_cannot_be_planted_and_git_status_runs_nothing(
    layout: Layout, ctx: ToolContext, tmp_path: Path
) -> None:
    ws, marker = layout.workspace, tmp_path / "PWNED"
    before = (ws / ".git/modules/sub/config").read_bytes()
    planted = PLANTED.format(marker=marker).replace("\n", "\\n").replace("\t", "\\t")
    out = await call(
        BASH, ctx, Grant(sandbox=True), command=f"printf '{planted}' >> .git/modules/sub/config"
    )
    assert out.is_error and "Read-only file system" in out.text()
    assert (ws / ".git/modules/sub/config").read_bytes() == before
    plain_git_status(ws, marker)


@needs_bwrap
@pytest.mark.parametrize(
    "command",
    [
        "printf '{planted}' >> .git/modules/sub/config",
        "echo 'touch {marker}' > .git/modules/sub/hooks/post-checkout",
        "printf '{planted}' >> .git/modules/libs/deep/config",
        "printf '{planted}' > .git/modules/sub/config.worktree",
        "echo ../../../vendor/lib/.git > .git/modules/sub/commondir",
        "echo ../vendor/lib/.git > .git/commondir",
        "printf '{planted}' > .git/config.worktree",
        "printf '{planted}' > .git/worktrees/wt/config.worktree",
        "echo ../../../vendor/lib/.git > .git/worktrees/wt/commondir",
        "echo x > .git/modules/sub/info/attributes",
        "printf '{planted}' >> vendor/lib/.git/config",
        "echo 'touch {marker}' > vendor/lib/.git/hooks/pre-commit",
        "printf '{planted}' >> fixtures/bare.git/config",
        "printf '{planted}' >> store/rel.git/config",
        "echo 'gitdir: ../vendor/lib/.git' > sub/.git",
        "echo 'gitdir: ../vendor/lib/.git' > rel/.git",
        "rm -f wt/.git",
        "mv .git/modules/sub .git/modules/old && cp -a .git/modules/old .git/modules/sub",
        "mv vendor/lib/.git vendor/lib/old",
        "rm -rf .git/modules/sub/hooks && mkdir .git/modules/sub/hooks",
        "ln -sfn ../../../../tmp .git/modules/sub/hooks",
        f"{sys.executable} -c 'import sys; open(sys.argv[1], \"a\").write(sys.argv[2])' "
        ".git/modules/sub/config \"$(printf '{planted}')\"",
    ],
)
async def test_git_metadata_anywhere_in_the_workspace_is_read_only(
    layout: Layout, shell: ShellSession, tmp_path: Path, command: str
) -> None:
    ws, marker = layout.workspace, tmp_path / "PWNED"
    before = git_metadata(ws)
    planted = PLANTED.format(marker=marker).replace("\n", "\\n").replace("\t", "\\t")
    result = await shell.run(command.format(planted=planted, marker=marker), 20)
    assert failed(result), result.output
    assert git_metadata(ws) == before
    plain_git_status(ws, marker)


@needs_bwrap
@pytest.mark.parametrize(
    "command",
    [
        "cd .git/modules/sub; printf '{planted}' >> config",
        "cd .git/modules/sub/hooks; echo 'touch {marker}' > post-checkout",
        "pushd .git/hooks; echo 'touch {marker}' > pre-push",
        'cp /etc/hostname "$(pwd)/.git/hooks/pre-commit"',
    ],
)
async def test_bypass_keeps_writes_it_cannot_place_inside_the_sandbox(
    layout: Layout, ctx: ToolContext, tmp_path: Path, command: str
) -> None:
    """Bypass allows what the engine cannot read (nobody is asked), so the command must not
    leave the sandbox for it: git's files stay read-only and `git status` runs nothing."""
    ws, marker = layout.workspace, tmp_path / "PWNED"
    planted = PLANTED.format(marker=marker).replace("\n", "\\n").replace("\t", "\\t")
    command = command.format(planted=planted, marker=marker)
    engine = PermissionEngine(mode=Mode.BYPASS, workspace=ws, sandbox=True)
    decision = engine.decide(ToolCall("t", "Bash", {"command": command}, BASH.kind, "Bash", ws))
    assert decision.verdict == "allow", decision.reason
    before = git_metadata(ws)

    await call(BASH, ctx, decision.grant, command=command)

    assert decision.grant.sandbox
    assert git_metadata(ws) == before
    plain_git_status(ws, marker)


@needs_bwrap
async def test_a_missing_hooks_folder_of_a_submodule_cannot_be_created(
    layout: Layout, shell: ShellSession, tmp_path: Path
) -> None:
    ws, marker = layout.workspace, tmp_path / "PWNED"
    hooks = ws / ".git/modules/sub/hooks"
    for sample in hooks.iterdir():
        sample.unlink()
    hooks.rmdir()
    result = await shell.run(
        f"mkdir -p {hooks} && printf '#!/bin/sh\\ntouch {marker}\\n' > {hooks}/post-checkout"
        f" && chmod +x {hooks}/post-checkout",
        20,
    )
    assert failed(result), result.output
    assert not hooks.exists()  # and the placeholder is gone again
    git(ws / "sub", "checkout", "-q", "--detach", "HEAD")
    assert not marker.exists()


@needs_bwrap
async def test_git_folders_made_after_the_session_started_are_protected_too(
    repo: Path, shell: ShellSession, tmp_path: Path
) -> None:
    library = make_repo(tmp_path / "library")
    git(repo, "submodule", "add", "-q", str(library), "late")  # by the user, meanwhile
    config = (repo / ".git/modules/late/config").read_bytes()
    result = await shell.run("echo '[core]' >> .git/modules/late/config", 10)
    assert failed(result)
    assert (repo / ".git/modules/late/config").read_bytes() == config


@needs_bwrap
async def test_what_the_configuration_names_is_read_only(
    repo: Path, shell: ShellSession, tmp_path: Path
) -> None:
    (repo / "tools").mkdir()
    (repo / "tools/watch.sh").write_text("#!/bin/sh\n")
    git(repo, "config", "core.fsmonitor", "./tools/watch.sh")
    git(repo, "config", "core.hooksPath", ".husky")  # missing: masked
    git(repo, "config", "include.path", "../team.gitconfig")  # missing: a stub
    for command in (
        "echo 'touch PWNED' >> tools/watch.sh",
        "mkdir -p .husky && echo 'touch PWNED' > .husky/pre-commit",
        "printf '[core]\\n\\tpager = touch PWNED\\n' > team.gitconfig",
    ):
        assert failed(await shell.run(command, 10)), command
    assert (repo / "tools/watch.sh").read_text() == "#!/bin/sh\n"
    assert not (repo / ".husky").exists() and not (repo / "team.gitconfig").exists()


@needs_bwrap
async def test_git_works_inside_and_placeholders_never_show_or_stay(
    layout: Layout, shell: ShellSession
) -> None:
    ws = layout.workspace
    before = git_metadata(ws)
    job = await shell.start_background("sleep 30")  # keeps every placeholder in place
    try:
        result = await shell.run(
            "git status --porcelain && git submodule status >/dev/null && "
            "echo x > new.txt && git add new.txt && git commit -qm inside && "
            "cd sub && echo y > more.txt && git add more.txt && git commit -qm in-sub && "
            "cd ../wt && git status --porcelain && git -C ../vendor/lib log --oneline >/dev/null",
            30,
        )
        assert result.exit_code == 0, result.output
        assert result.output == ""  # git status inside shows no placeholder
        for where in STATUS_IN:  # nor outside, while they are in place
            status = git(ws / where, "status", "--porcelain", "--ignore-submodules=none")
            assert status == ("" if where != "." else " M sub\n"), (where, status)
    finally:
        assert await shell.kill(job)
    for _ in range(3):
        assert (await shell.run("true", 10)).exit_code == 0
    after = git_metadata(ws)
    assert after == before  # every stub and mask removed: nothing piles up

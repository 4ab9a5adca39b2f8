"""Running one hook command: the event as JSON on stdin, in the workspace, with a timeout.

The command runs through ``/bin/sh -c`` (like Claude Code's hooks) in a session of its
own, so on timeout or cancellation the whole process group (the hook and its children)
is killed. Its output goes to temporary files rather than pipes: a child the hook left
running in the background cannot hold the turn up by keeping a pipe open. It never sees
the API key: ``ANTHROPIC_*`` and the bridge's ``HARKEN_BRIDGE_*`` variables are removed
from its environment; ``CLAUDE_PROJECT_DIR`` and ``HARKEN_PROJECT_DIR`` name the
workspace (hooks copied from Claude Code use the first).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from agent.hooks.config import Hook

SECRET_PREFIXES = ("ANTHROPIC_", "HARKEN_BRIDGE_")
OUTPUT_CAP = 64 * 1024  # characters kept of a hook's stdout and of its stderr


@dataclass(frozen=True)
class HookRun:
    """How one hook ended: ``exit_code`` is None when it timed out or could not start
    (then ``error`` says why)."""

    hook: Hook
    exit_code: int | None
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    error: str = ""


def hook_environment(workspace: Path, source: dict[str, str] | None = None) -> dict[str, str]:
    """The variables a hook sees: this process's, secrets removed, the workspace named."""
    env = {
        k: v
        for k, v in (os.environ if source is None else source).items()
        if not k.startswith(SECRET_PREFIXES)
    }
    env["CLAUDE_PROJECT_DIR"] = env["HARKEN_PROJECT_DIR"] = str(workspace)
    return env


async def run_hook(hook: Hook, payload: dict[str, Any], workspace: Path) -> HookRun:
    """Run ``hook`` with ``payload`` on its stdin; never raises except on cancellation
    (which kills the hook's process group first)."""
    data = json.dumps(payload, ensure_ascii=False).encode()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = await asyncio.create_subprocess_exec(
                "/bin/sh",
                "-c",
                hook.command,
                cwd=workspace,
                env=hook_environment(workspace),
                stdin=asyncio.subprocess.PIPE,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
        except OSError as exc:
            return HookRun(hook, None, error=f"cannot start: {exc}")
        try:
            await asyncio.wait_for(asyncio.gather(_feed(proc, data), proc.wait()), hook.timeout_s)
        except TimeoutError:
            await _kill(proc)
            return HookRun(hook, None, _read(out), _read(err), timed_out=True)
        except asyncio.CancelledError:
            await asyncio.shield(_kill(proc))
            raise
        return HookRun(hook, proc.returncode, _read(out), _read(err))


async def _feed(proc: asyncio.subprocess.Process, data: bytes) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(data)
        await proc.stdin.drain()
    except (BrokenPipeError, ConnectionResetError):
        pass  # the hook did not read its input: that is its business
    finally:
        # Closed on cancellation too: an open pipe would keep wait() from returning.
        proc.stdin.close()


async def _kill(proc: asyncio.subprocess.Process) -> None:
    # The hook leads its own session (start_new_session): its pid names the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    await proc.wait()


def _read(file: IO[bytes]) -> str:
    file.seek(0)
    text = file.read(OUTPUT_CAP * 4).decode("utf-8", errors="replace")
    return text[:OUTPUT_CAP]

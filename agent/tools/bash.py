"""Bash, BashOutput and KillShell: run shell commands, in the foreground or background.

Bash reads the call's ``Grant`` (set by the tool runner): commands run in the session's
sandbox unless the grant says otherwise, with the network only when it allows it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from agent.permissions.grant import current_grant
from agent.tools.base import Tool, ToolError, ToolKind, ToolOutput
from agent.tools.context import ToolContext
from agent.tools.shell import ShellResult, ShellSession
from agent.tools.truncate import truncate_middle

DEFAULT_TIMEOUT_MS = 120_000
MAX_TIMEOUT_MS = 600_000
MAX_OUTPUT_CHARS = 30_000

# What a command blocked by the sandbox typically prints.
READ_ONLY_SIGNS = ("Read-only file system",)
OFFLINE_SIGNS = (
    "Network is unreachable",
    "Could not resolve host",
    "Could not resolve hostname",
    "Temporary failure in name resolution",
    "Name or service not known",
    "No address associated with hostname",
    "EAI_AGAIN",
    "Connection refused",
)

BASH_DESCRIPTION = """\
Runs a bash command and returns its output (stdout and stderr together) and exit code.
- The working directory persists between calls: `cd` in one command applies to the next. \
Environment variables and other shell state do not. Prefer absolute paths over `cd`.
- Quote paths that contain spaces: cd "/path/with spaces".
- timeout is in milliseconds (default 120000, at most 600000); the command and everything \
it started are killed when it runs out. Output beyond 30000 characters is cut in the middle.
- Commands get no input (stdin is empty): pass flags such as `-y` or `--no-edit` instead \
of expecting prompts.
- For a program that keeps running (a server, a watcher), set run_in_background and read \
its output later with BashOutput; stop it with KillShell. To launch a desktop program \
that should outlive the session, use `nohup PROGRAM >/dev/null 2>&1 &`.
- Use Read, Edit, Write, Glob and Grep rather than cat, sed, echo >, find and grep: they \
are faster and safer. Chain dependent commands with &&.
- description: a short note (5-10 words) on what the command does, for the user."""

BASH_OUTPUT_DESCRIPTION = """\
Returns the new output of a background shell (started by Bash with run_in_background) \
since you last read it, and whether it is still running or its exit code.
- filter: an optional regular expression; only matching lines are returned, and the \
other new lines are discarded."""

KILL_SHELL_DESCRIPTION = """\
Stops a background shell, and everything it started, by its id (such as "bash_1")."""


class BashInput(BaseModel):
    """Input of the Bash tool."""

    command: str = Field(description="The command to run")
    timeout: int | None = Field(
        default=None,
        ge=1,
        le=MAX_TIMEOUT_MS,
        description="Timeout in milliseconds (default 120000, max 600000)",
    )
    description: str | None = Field(
        default=None, description="What the command does, in 5-10 words"
    )
    run_in_background: bool = Field(
        default=False, description="Run it in the background; read output with BashOutput"
    )


class BashOutputInput(BaseModel):
    """Input of the BashOutput tool."""

    bash_id: str = Field(description="The id of the background shell, e.g. bash_1")
    filter: str | None = Field(
        default=None, description="Regular expression: return only the lines matching it"
    )


class KillShellInput(BaseModel):
    """Input of the KillShell tool."""

    shell_id: str = Field(description="The id of the background shell to stop")


def _shell(ctx: ToolContext) -> ShellSession:
    assert ctx.shell is not None  # ToolContext always makes one
    return ctx.shell


async def run_bash(params: BashInput, ctx: ToolContext) -> ToolOutput | str:
    """Run the command in the session's shell and report output and exit code."""
    shell = _shell(ctx)
    if not params.command.strip():
        raise ToolError("The command is empty.")
    grant = current_grant.get()
    # Without a sandbox here the engine has already decided whether to run unconfined.
    sandboxed = grant.sandbox and shell.sandbox is not None
    how = {"sandboxed": sandboxed, "network": grant.network}
    try:
        if params.run_in_background:
            job_id = await shell.start_background(params.command, **how)
            return (
                f"Started in the background with id {job_id}. Read its output with "
                "BashOutput and stop it with KillShell."
            )
        timeout_ms = params.timeout or DEFAULT_TIMEOUT_MS
        result = await shell.run(
            params.command, timeout_ms / 1000, background_after=shell.background_after, **how
        )
    except OSError as exc:
        raise ToolError(f"Cannot start bash: {exc.strerror or exc}") from None
    if result.background_id is not None:
        return moved_to_background(result, shell.background_after or 0.0)

    parts = [truncate_middle(result.output.rstrip("\n"), MAX_OUTPUT_CHARS)]
    if result.timed_out:
        parts.append(f"Command timed out after {timeout_ms / 1000:g}s and was killed.")
    elif result.interrupted:
        parts.append(f"Command was killed by signal {result.exit_code - 128}.")
    elif result.exit_code != 0:
        parts.append(f"Exit code {result.exit_code}")
    if sandboxed and result.exit_code != 0 and not result.timed_out:
        parts.append(sandbox_note(result.output, grant.network, shell))
    text = "\n".join(p for p in parts if p) or "(no output)"
    return ToolOutput(text, is_error=result.timed_out or result.exit_code != 0)


def moved_to_background(result: ShellResult, after_s: float) -> str:
    """The result of a call that outran the unattended run's time budget."""
    job = result.background_id
    so_far = truncate_middle(result.output.rstrip("\n"), MAX_OUTPUT_CHARS)
    lines = [
        f"The command was still running after {after_s:g}s, so it was moved to the "
        f"background (this run is unattended) with shell id {job}. It keeps running; "
        f'read its output later with BashOutput (bash_id "{job}") and stop it with '
        "KillShell. Go on with other work meanwhile.",
    ]
    if so_far:
        lines.append(f"Output so far:\n{so_far}")
    return "\n".join(lines)


def sandbox_note(output: str, network: bool, shell: ShellSession) -> str:
    """One line telling the model the sandbox stopped a failed command, if it looks so."""
    blocked = []
    if any(sign in output for sign in READ_ONLY_SIGNS):
        where = shell.sandbox.workspace if shell.sandbox else "the workspace"
        blocked.append(
            f"writing outside {where} and $TMPDIR, and to protected paths such as "
            ".git/hooks, .git/config or editor folders"
        )
    if not network and any(sign in output for sign in OFFLINE_SIGNS):
        blocked.append("network access")
    if not blocked:
        return ""
    return (
        f"Note: this command ran in Harken's sandbox, which blocks {' and '.join(blocked)}. "
        "Do not try to work around it; tell the user what the command needs and why, "
        "and let them decide."
    )


async def run_bash_output(params: BashOutputInput, ctx: ToolContext) -> str:
    """New output of a background shell, and its state."""
    shell = _shell(ctx)
    try:
        out = shell.output(params.bash_id, params.filter)
    except KeyError:
        raise ToolError(_unknown(params.bash_id, shell)) from None
    except re.error as exc:
        raise ToolError(f"Invalid filter {params.filter!r}: {exc}") from None
    body = truncate_middle(out.output.rstrip("\n"), MAX_OUTPUT_CHARS) or "(no new output)"
    return f"Status: {out.status}\n{body}"


async def run_kill_shell(params: KillShellInput, ctx: ToolContext) -> str:
    """Kill a background shell."""
    shell = _shell(ctx)
    try:
        killed = await shell.kill(params.shell_id)
    except KeyError:
        raise ToolError(_unknown(params.shell_id, shell)) from None
    if killed:
        return f"Killed {params.shell_id}."
    status = shell.output(params.shell_id).status
    return f"{params.shell_id} had already stopped ({status})."


def _unknown(job_id: str, shell: ShellSession) -> str:
    known = ", ".join(shell.jobs()) or "none"
    return f"No background shell {job_id!r}. Background shells in this session: {known}."


def describe_bash(params: BashInput, ctx: ToolContext) -> str:
    """``Running `pytest -q` ``."""
    command = params.command.strip()
    first = command.splitlines()[0] if command else ""
    if len(first) > 80 or first != command:
        first = first[:77].rstrip() + "..."
    where = " in the background" if params.run_in_background else ""
    return f"Running `{first}`{where}"


def describe_bash_output(params: BashOutputInput, ctx: ToolContext) -> str:
    """``Reading output of bash_1``."""
    return f"Reading output of {params.bash_id}"


def describe_kill_shell(params: KillShellInput, ctx: ToolContext) -> str:
    """``Stopping bash_1``."""
    return f"Stopping {params.shell_id}"


BASH = Tool(
    name="Bash",
    description=BASH_DESCRIPTION,
    input_model=BashInput,
    kind=ToolKind.EXECUTE,
    run=run_bash,
    describe=describe_bash,
)

BASH_OUTPUT = Tool(
    name="BashOutput",
    description=BASH_OUTPUT_DESCRIPTION,
    input_model=BashOutputInput,
    kind=ToolKind.READ,
    run=run_bash_output,
    describe=describe_bash_output,
)

KILL_SHELL = Tool(
    name="KillShell",
    description=KILL_SHELL_DESCRIPTION,
    input_model=KillShellInput,
    kind=ToolKind.EXECUTE,
    run=run_kill_shell,
    describe=describe_kill_shell,
)

"""A bash session for the agent: commands share a working directory, background jobs.

    ShellSession      runs commands (cwd persists between calls) and background shells
    ShellResult       what a finished command printed and how it ended
    BackgroundOutput  new output of a background shell since the last look, and its state
                      (``agent.tools.shell_jobs``; processes: ``agent.tools.shell_process``)

Each command is a fresh ``bash`` in its own process group, so a timeout or a cancelled
turn kills everything it started. The working directory is carried from one command to
the next through a side file written by an EXIT trap. ``ANTHROPIC_*`` variables never
reach a command: the API key must not be printed to the model.

A session with a ``SandboxPolicy`` runs commands under bubblewrap (see ``agent.sandbox``)
unless a call says otherwise; there bash runs in its own PID namespace, so nothing it
started outlives it, and the side file lives in the writable session temp folder.

A session with ``background_after`` set (unattended runs: scheduled tasks, ticks) moves a
command still running after that many seconds to the background instead of waiting for
it, and says so in its result.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from agent.sandbox import (
    SandboxPolicy,
    bwrap_argv,
    claim_placeholders,
    protection,
    release_placeholders,
    visible_in_sandbox,
)
from agent.sandbox_git_check import GitWatch
from agent.tools.shell_jobs import BackgroundOutput, BackgroundShells, Job
from agent.tools.shell_process import (
    BUFFER_BYTES,
    DRAIN_GRACE_S,
    OutputBuffer,
    ProcessProtocol,
    exit_code,
    kill_group,
    kill_when_started,
)

SECRET_PREFIXES = ("ANTHROPIC_",)
# Variables that would make a command do something other than what the permission engine
# judged: CDPATH sends a relative `cd` elsewhere, BASH_ENV and ENV run a file first.
MISLEADING_VARIABLES = frozenset({"CDPATH", "BASH_ENV", "ENV"})

# Non-interactive defaults: a pager or a credential prompt would hang until the timeout.
QUIET_ENV = {"PAGER": "cat", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}

_RUN_SCRIPT = """\
__harken_cwd_file={cwd_file}
trap 'pwd -P >| "$__harken_cwd_file" 2>/dev/null' EXIT
eval "$1"
"""


@dataclass(frozen=True)
class ShellResult:
    """How a command ended.

    ``exit_code`` follows the shell's convention (128 + N when killed by signal N);
    ``interrupted`` says the shell itself was killed by a signal, ``timed_out`` that the
    session killed it because its time was up; ``background_id`` that it was still
    running when the session's ``background_after`` ran out, and goes on as that
    background shell (``output`` is what it printed until then).
    """

    output: str
    exit_code: int
    timed_out: bool = False
    interrupted: bool = False
    background_id: str | None = None


@dataclass
class ShellSession(BackgroundShells):
    """Runs bash commands for one agent session. ``env`` defaults to this process's;
    with a ``sandbox`` policy, commands run confined unless a call asks otherwise;
    with ``background_after``, a command still running after that many seconds moves to
    the background (see ``run``)."""

    cwd: Path
    env: Mapping[str, str] | None = None
    sandbox: SandboxPolicy | None = None
    background_after: float | None = None
    _jobs: dict[str, Job] = field(default_factory=dict, repr=False)
    _strays: dict[asyncio.SubprocessTransport, ProcessProtocol] = field(
        default_factory=dict, repr=False
    )
    _count: int = field(default=0, repr=False)

    def __post_init__(self) -> None:
        self.cwd = Path(os.path.abspath(self.cwd))
        self._home = self.cwd

    def environment(self, sandboxed: bool = False) -> dict[str, str]:
        """The variables commands see: secrets removed, pagers and prompts off; confined
        commands get the session temp folder as ``TMPDIR``."""
        source = os.environ if self.env is None else self.env
        env = {
            k: v
            for k, v in source.items()
            if not k.startswith(SECRET_PREFIXES) and k not in MISLEADING_VARIABLES
        }
        env.update(QUIET_ENV)
        if sandboxed and self.sandbox is not None:
            env["TMPDIR"] = str(self.sandbox.temp_dir)
        return env

    async def run(
        self,
        command: str,
        timeout_s: float | None = None,
        *,
        sandboxed: bool = True,
        network: bool = False,
        background_after: float | None = None,
    ) -> ShellResult:
        """Run ``command``; kills its process group on timeout or cancellation.

        ``sandboxed``: confine it, if the session has a sandbox policy; ``network``: a
        confined command may reach the network; ``background_after``: if it still runs
        after that many seconds (and its timeout is later), it becomes a background
        shell, no longer timed, and the result carries its id.
        """
        note = self._check_cwd()
        policy = self._policy(sandboxed, network)
        note += self._check_sandbox_cwd(policy)
        # Confined, only the session temp folder is both writable and the same path inside.
        temp_dir = policy.temp_dir if policy else None
        fd, cwd_file = tempfile.mkstemp(prefix="harken-cwd-", dir=temp_dir)
        os.close(fd)
        script = _RUN_SCRIPT.format(cwd_file=_quote(cwd_file))
        confined = policy is not None
        moves = background_after is not None and (timeout_s is None or background_after < timeout_s)
        moved: str | None = None
        try:
            transport, protocol = await self._spawn(script, command, OutputBuffer(), policy)
            timed_out = False
            try:
                done, _ = await asyncio.wait(
                    [protocol.exited], timeout=background_after if moves else timeout_s
                )
                if not done and moves:
                    moved = self.adopt(
                        command, transport, protocol, confined, lambda: _unlink(cwd_file)
                    )
                    return ShellResult(note + protocol.buffer.take(), -1, background_id=moved)
                if not done:
                    timed_out = True
                    kill_group(transport, confined)
                    await asyncio.wait([protocol.exited], timeout=5)
                await asyncio.wait([protocol.drained], timeout=DRAIN_GRACE_S)
                if protocol.exited.done():
                    protocol.after_exit()  # its note goes in this result
            except asyncio.CancelledError:
                kill_group(transport, confined)
                if confined:
                    self._close_when_exited(transport, protocol)
                else:
                    transport.close()
                raise
            self._settle(transport, protocol)
            self._update_cwd(cwd_file)
        finally:
            if moved is None:  # else it is still being written to, removed at its exit
                _unlink(cwd_file)
        returncode = transport.get_returncode()
        code, interrupted = exit_code(returncode)
        return ShellResult(note + protocol.buffer.take(), code, timed_out, interrupted)

    async def aclose(self) -> None:
        """Kill all background shells and release their pipes."""
        for job_id, job in self._jobs.items():
            if job.transport.get_returncode() is None:
                await self.kill(job_id)
            job.transport.close()
        # Killed sandboxes still tearing down: closing kills bwrap before its namespace is
        # empty, and the masks of missing protected paths must outlive every process.
        ending = [p.exited for p in self._strays.values() if not p.exited.done()]
        if ending:
            await asyncio.wait(ending, timeout=5)
        for transport in list(self._strays):
            transport.close()
        self._strays.clear()

    async def _spawn(
        self, script: str, command: str, buffer: OutputBuffer, policy: SandboxPolicy | None
    ) -> tuple[asyncio.SubprocessTransport, ProcessProtocol]:
        loop = asyncio.get_running_loop()
        argv = ["bash", "-c", script, "bash", command]
        placeholders: tuple[Path, ...] = ()
        watch = GitWatch(policy) if policy is not None and policy.git else None
        if policy is not None:
            # One look at the disk: bwrap mounts exactly what was claimed, though another
            # command's placeholders may appear meanwhile (else its new mount points,
            # never claimed, would stay on the host).
            plan = protection(policy)
            placeholders = claim_placeholders(policy, plan)
            argv = bwrap_argv(policy, argv, cwd=self.cwd, plan=plan)
        starting = asyncio.ensure_future(
            loop.subprocess_exec(
                lambda: ProcessProtocol(buffer),
                *argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=self.cwd,
                env=self.environment(sandboxed=policy is not None),
                start_new_session=True,
            )
        )
        try:
            transport, protocol = await asyncio.shield(starting)
        except asyncio.CancelledError:
            # Cancelled while the process starts: it may run already (and have started
            # others). asyncio would kill only the shell and leave the rest of its group
            # running, so the start is let finish and the whole group killed.
            await kill_when_started(starting, policy is not None)
            release_placeholders(placeholders)
            raise
        except BaseException:
            release_placeholders(placeholders)
            raise
        # bwrap exits only once its PID namespace is empty: from then on nothing can
        # write where the placeholders were.
        protocol.exited.add_done_callback(lambda _: release_placeholders(placeholders))
        if watch is not None:
            # Git directories the command made may hold settings git runs unconfined.
            protocol.after_exit = lambda: protocol.buffer.write(watch.finish().encode())
            protocol.exited.add_done_callback(lambda _: protocol.after_exit())
        return transport, protocol

    def _policy(self, sandboxed: bool, network: bool) -> SandboxPolicy | None:
        if not sandboxed or self.sandbox is None:
            return None
        return replace(self.sandbox, network=network)

    def _settle(self, transport: asyncio.SubprocessTransport, protocol: ProcessProtocol) -> None:
        # A program the command left running (``app &``) may still hold the pipe. Closing
        # it now would kill that program with SIGPIPE, so it is closed when it drains.
        if protocol.drained.done():
            transport.close()
            return
        self._release_on(protocol.drained, transport, protocol)

    def _close_when_exited(
        self, transport: asyncio.SubprocessTransport, protocol: ProcessProtocol
    ) -> None:
        self._release_on(protocol.exited, transport, protocol)

    def _release_on(
        self,
        event: asyncio.Future[None],
        transport: asyncio.SubprocessTransport,
        protocol: ProcessProtocol,
    ) -> None:
        self._strays[transport] = protocol

        def release(_: asyncio.Future[None]) -> None:
            self._strays.pop(transport, None)
            transport.close()

        event.add_done_callback(release)

    def _check_cwd(self) -> str:
        if self.cwd.is_dir():
            return ""
        gone, self.cwd = self.cwd, self._home
        return f"(The working directory {gone} no longer exists; now in {self.cwd}.)\n"

    def _check_sandbox_cwd(self, policy: SandboxPolicy | None) -> str:
        # /tmp and /run are private inside: a folder there is not what the host has.
        if policy is None or visible_in_sandbox(policy, self.cwd):
            return ""
        hidden, self.cwd = self.cwd, self._home
        return f"(The working directory {hidden} is hidden in the sandbox; now in {self.cwd}.)\n"

    def _update_cwd(self, cwd_file: str) -> None:
        try:
            text = Path(cwd_file).read_text(encoding="utf-8", errors="surrogateescape")
        except OSError:
            return
        path = text.rstrip("\n")
        if path and os.path.isdir(path):
            self.cwd = Path(path)


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


__all__ = ["BUFFER_BYTES", "BackgroundOutput", "OutputBuffer", "ShellResult", "ShellSession"]

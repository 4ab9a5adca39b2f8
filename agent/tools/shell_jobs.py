"""Background shells: commands that keep running while the agent goes on.

    BackgroundOutput    a background shell's new output since the last read, and its state
    BackgroundShells    the part of ``ShellSession`` that starts, adopts, reads, waits for
                        and kills background shells (ids ``bash_1``, ``bash_2``, ...)

``adopt`` takes a foreground command that is still running (an unattended run's Bash call
past its time budget) into the table, output so far included.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.tools.shell_process import (
    DRAIN_GRACE_S,
    OutputBuffer,
    ProcessProtocol,
    exit_code,
    kill_group,
)

if TYPE_CHECKING:
    from agent.sandbox import SandboxPolicy


@dataclass(frozen=True)
class BackgroundOutput:
    """A background shell's output since the last read, and whether it still runs."""

    id: str
    command: str
    output: str
    running: bool
    exit_code: int | None = None
    killed: bool = False

    @property
    def status(self) -> str:
        """``running``, ``killed``, or ``exited with code N``."""
        if self.running:
            return "running"
        if self.killed:
            return "killed"
        return f"exited with code {self.exit_code}"


@dataclass
class Job:
    id: str
    command: str
    transport: asyncio.SubprocessTransport
    protocol: ProcessProtocol
    confined: bool
    killed: bool = False


class BackgroundShells:
    """Background shells of a ``ShellSession`` (which provides ``_spawn``, ``_policy``
    and the cwd checks)."""

    _jobs: dict[str, Job]
    _count: int

    if TYPE_CHECKING:

        async def _spawn(
            self, script: str, command: str, buffer: OutputBuffer, policy: SandboxPolicy | None
        ) -> tuple[asyncio.SubprocessTransport, ProcessProtocol]: ...

        def _policy(self, sandboxed: bool, network: bool) -> SandboxPolicy | None: ...

        def _check_cwd(self) -> str: ...

        def _check_sandbox_cwd(self, policy: SandboxPolicy | None) -> str: ...

    async def start_background(
        self, command: str, *, sandboxed: bool = True, network: bool = False
    ) -> str:
        """Start ``command`` in the background; returns its id (``bash_1``, ...).
        ``sandboxed`` and ``network`` as for ``run``."""
        self._check_cwd()
        policy = self._policy(sandboxed, network)
        self._check_sandbox_cwd(policy)
        transport, protocol = await self._spawn('eval "$1"', command, OutputBuffer(), policy)
        job_id = self._new_id()
        self._jobs[job_id] = Job(job_id, command, transport, protocol, policy is not None)
        return job_id

    def output(self, job_id: str, filter_regex: str | None = None) -> BackgroundOutput:
        """New output of a background shell; lines not matching the filter are dropped.

        Raises ``KeyError`` for an unknown id and ``re.error`` for a bad filter.
        """
        job = self._jobs[job_id]
        pattern = re.compile(filter_regex) if filter_regex else None
        text = job.protocol.buffer.take()
        if pattern is not None:
            text = "".join(line for line in text.splitlines(keepends=True) if pattern.search(line))
        returncode = job.transport.get_returncode()
        running = returncode is None
        code = None if running else exit_code(returncode)[0]
        return BackgroundOutput(job_id, job.command, text, running, code, job.killed)

    async def wait(self, job_id: str, timeout_s: float | None = None) -> bool:
        """Wait until a background shell ends (and its output is in); True if it did."""
        job = self._jobs[job_id]
        done, _ = await asyncio.wait([job.protocol.exited], timeout=timeout_s)
        if done:
            await asyncio.wait([job.protocol.drained], timeout=DRAIN_GRACE_S)
        return bool(done)

    def jobs(self) -> list[str]:
        """Ids of all background shells started in this session."""
        return list(self._jobs)

    async def kill(self, job_id: str) -> bool:
        """Kill a background shell's process group; False if it had already ended."""
        job = self._jobs[job_id]
        if job.transport.get_returncode() is not None:
            return False
        job.killed = True
        kill_group(job.transport, job.confined)
        await asyncio.wait([job.protocol.exited], timeout=5)
        return True

    def adopt(
        self,
        command: str,
        transport: asyncio.SubprocessTransport,
        protocol: ProcessProtocol,
        confined: bool,
        on_exit: Callable[[], None] | None = None,
    ) -> str:
        """Take a running command into the background table; returns its new id. Its
        output so far stays to be read; ``on_exit`` runs when it ends."""
        job_id = self._new_id()
        self._jobs[job_id] = Job(job_id, command, transport, protocol, confined)
        if on_exit is not None:
            protocol.exited.add_done_callback(lambda _: on_exit())
        return job_id

    def _new_id(self) -> str:
        self._count += 1
        return f"bash_{self._count}"

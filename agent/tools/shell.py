"""A bash session for the agent: commands share a working directory, background jobs.

    ShellSession      runs commands (cwd persists between calls) and background shells
    ShellResult       what a finished command printed and how it ended
    BackgroundOutput  new output of a background shell since the last look, and its state

Each command is a fresh ``bash`` in its own process group, so a timeout or a cancelled
turn kills everything it started. The working directory is carried from one command to
the next through a side file written by an EXIT trap. ``ANTHROPIC_*`` variables never
reach a command: the API key must not be printed to the model.

A session with a ``SandboxPolicy`` runs commands under bubblewrap (see ``agent.sandbox``)
unless a call says otherwise; there bash runs in its own PID namespace, so nothing it
started outlives it, and the side file lives in the writable session temp folder.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import re
import signal
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from agent.sandbox import (
    SandboxPolicy,
    bwrap_argv,
    claim_placeholders,
    release_placeholders,
    visible_in_sandbox,
)

SECRET_PREFIXES = ("ANTHROPIC_",)
# Variables that would make a command do something other than what the permission engine
# judged: CDPATH sends a relative `cd` elsewhere, BASH_ENV and ENV run a file first.
MISLEADING_VARIABLES = frozenset({"CDPATH", "BASH_ENV", "ENV"})
BUFFER_BYTES = 1024 * 1024  # per command: the first and last half MiB are kept
DRAIN_GRACE_S = 0.2  # after bash exits, how long to wait for output still in the pipe

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
    session killed it because its time was up.
    """

    output: str
    exit_code: int
    timed_out: bool = False
    interrupted: bool = False


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


class OutputBuffer:
    """Bytes a command printed, bounded: the first and last ``limit / 2`` bytes kept."""

    def __init__(self, limit: int = BUFFER_BYTES) -> None:
        self._head_cap = limit // 2
        self._tail_cap = limit - self._head_cap
        self._head = bytearray()
        self._tail = bytearray()
        self._dropped = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def write(self, data: bytes) -> None:
        """Add output; the middle is dropped once the buffer is full."""
        room = self._head_cap - len(self._head)
        if room > 0 and not self._tail:
            self._head += data[:room]
            data = data[room:]
        self._tail += data
        excess = len(self._tail) - self._tail_cap
        if excess > 0:
            del self._tail[:excess]
            self._dropped += excess

    def take(self) -> str:
        """Everything written since the last ``take``, decoded; empties the buffer."""
        if self._dropped:
            text = (
                self._decoder.decode(bytes(self._head), final=True)
                + f"\n[... {self._dropped} bytes of output dropped ...]\n"
                + bytes(self._tail).decode("utf-8", errors="replace")
            )
            self._decoder.reset()
        else:
            text = self._decoder.decode(bytes(self._head + self._tail))
        self._head.clear()
        self._tail.clear()
        self._dropped = 0
        return text


class _Protocol(asyncio.SubprocessProtocol):
    def __init__(self, buffer: OutputBuffer) -> None:
        loop = asyncio.get_running_loop()
        self.buffer = buffer
        self.exited: asyncio.Future[None] = loop.create_future()
        self.drained: asyncio.Future[None] = loop.create_future()

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.buffer.write(data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if not self.drained.done():
            self.drained.set_result(None)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)


@dataclass
class _Job:
    id: str
    command: str
    transport: asyncio.SubprocessTransport
    protocol: _Protocol
    confined: bool
    killed: bool = False


@dataclass
class ShellSession:
    """Runs bash commands for one agent session. ``env`` defaults to this process's;
    with a ``sandbox`` policy, commands run confined unless a call asks otherwise."""

    cwd: Path
    env: Mapping[str, str] | None = None
    sandbox: SandboxPolicy | None = None
    _jobs: dict[str, _Job] = field(default_factory=dict, repr=False)
    _strays: dict[asyncio.SubprocessTransport, _Protocol] = field(default_factory=dict, repr=False)
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
    ) -> ShellResult:
        """Run ``command``; kills its process group on timeout or cancellation.

        ``sandboxed``: confine it, if the session has a sandbox policy; ``network``: a
        confined command may reach the network.
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
        try:
            transport, protocol = await self._spawn(script, command, OutputBuffer(), policy)
            timed_out = False
            try:
                done, _ = await asyncio.wait([protocol.exited], timeout=timeout_s)
                if not done:
                    timed_out = True
                    _kill_group(transport, confined)
                    await asyncio.wait([protocol.exited], timeout=5)
                await asyncio.wait([protocol.drained], timeout=DRAIN_GRACE_S)
            except asyncio.CancelledError:
                _kill_group(transport, confined)
                if confined:
                    self._close_when_exited(transport, protocol)
                else:
                    transport.close()
                raise
            self._settle(transport, protocol)
            self._update_cwd(cwd_file)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(cwd_file)
        returncode = transport.get_returncode()
        code, interrupted = _exit_code(returncode)
        return ShellResult(note + protocol.buffer.take(), code, timed_out, interrupted)

    async def start_background(
        self, command: str, *, sandboxed: bool = True, network: bool = False
    ) -> str:
        """Start ``command`` in the background; returns its id (``bash_1``, ...).
        ``sandboxed`` and ``network`` as for ``run``."""
        self._check_cwd()
        policy = self._policy(sandboxed, network)
        self._check_sandbox_cwd(policy)
        transport, protocol = await self._spawn('eval "$1"', command, OutputBuffer(), policy)
        self._count += 1
        job_id = f"bash_{self._count}"
        self._jobs[job_id] = _Job(job_id, command, transport, protocol, policy is not None)
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
        code = None if running else _exit_code(returncode)[0]
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
        _kill_group(job.transport, job.confined)
        await asyncio.wait([job.protocol.exited], timeout=5)
        return True

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
    ) -> tuple[asyncio.SubprocessTransport, _Protocol]:
        loop = asyncio.get_running_loop()
        argv = ["bash", "-c", script, "bash", command]
        placeholders: tuple[Path, ...] = ()
        if policy is not None:
            placeholders = claim_placeholders(policy)
            argv = bwrap_argv(policy, argv, cwd=self.cwd)
        starting = asyncio.ensure_future(
            loop.subprocess_exec(
                lambda: _Protocol(buffer),
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
            await _kill_when_started(starting, policy is not None)
            release_placeholders(placeholders)
            raise
        except BaseException:
            release_placeholders(placeholders)
            raise
        # bwrap exits only once its PID namespace is empty: from then on nothing can
        # write where the placeholders were.
        protocol.exited.add_done_callback(lambda _: release_placeholders(placeholders))
        return transport, protocol

    def _policy(self, sandboxed: bool, network: bool) -> SandboxPolicy | None:
        if not sandboxed or self.sandbox is None:
            return None
        return replace(self.sandbox, network=network)

    def _settle(self, transport: asyncio.SubprocessTransport, protocol: _Protocol) -> None:
        # A program the command left running (``app &``) may still hold the pipe. Closing
        # it now would kill that program with SIGPIPE, so it is closed when it drains.
        if protocol.drained.done():
            transport.close()
            return
        self._release_on(protocol.drained, transport, protocol)

    def _close_when_exited(
        self, transport: asyncio.SubprocessTransport, protocol: _Protocol
    ) -> None:
        self._release_on(protocol.exited, transport, protocol)

    def _release_on(
        self,
        event: asyncio.Future[None],
        transport: asyncio.SubprocessTransport,
        protocol: _Protocol,
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


def _kill_group(transport: asyncio.SubprocessTransport, confined: bool) -> None:
    pid = transport.get_pid()
    # bwrap's only child is the init of the sandbox's PID namespace, in a session of its
    # own: killing it kills everything in the namespace, and bwrap then exits once the
    # namespace is empty. Killing bwrap itself would end it too, but bwrap would be gone
    # while the rest is still dying. (Once bwrap is reaped its pid may be someone else's.)
    running = transport.get_returncode() is None
    inits = _children(pid) if confined and running else []
    for init in inits:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(init, signal.SIGKILL)
    if inits:
        return
    # The shell (or bwrap) is a session leader (start_new_session): its pid names the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def _kill_when_started(
    starting: asyncio.Future[tuple[asyncio.SubprocessTransport, _Protocol]], confined: bool
) -> None:
    """Once ``starting`` has started its process, kill the process's group and wait for
    the process to end; nothing when the start failed."""
    try:
        transport, protocol = await starting
    except Exception:  # it never ran
        return
    _kill_group(transport, confined)
    await asyncio.wait([protocol.exited], timeout=5)
    transport.close()


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:  # gone, or a kernel without CONFIG_PROC_CHILDREN
        return []
    return [int(child) for child in text.split()]


def _exit_code(returncode: int | None) -> tuple[int, bool]:
    if returncode is None:
        return -1, False
    if returncode < 0:
        return 128 - returncode, True
    return returncode, False


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"

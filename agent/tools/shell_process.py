"""The processes behind the shell tools: bounded output, the protocol, killing groups.

OutputBuffer        what a command printed, bounded (first and last half kept)
ProcessProtocol     collects output; futures for "exited" and "pipe drained"
kill_group          kill everything a command started (its group, or its sandbox)
kill_when_started   the same for a process still starting when its turn was cancelled
exit_code           a returncode as the shell says it (128 + N for signal N)
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import signal
from collections.abc import Callable
from pathlib import Path

BUFFER_BYTES = 1024 * 1024  # per command: the first and last half MiB are kept
DRAIN_GRACE_S = 0.2  # after bash exits, how long to wait for output still in the pipe


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


class ProcessProtocol(asyncio.SubprocessProtocol):
    def __init__(self, buffer: OutputBuffer) -> None:
        loop = asyncio.get_running_loop()
        self.buffer = buffer
        self.exited: asyncio.Future[None] = loop.create_future()
        self.drained: asyncio.Future[None] = loop.create_future()
        # Run once the command has ended (agent.sandbox_git_check for confined ones).
        self.after_exit: Callable[[], None] = lambda: None

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.buffer.write(data)

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if not self.drained.done():
            self.drained.set_result(None)

    def process_exited(self) -> None:
        if not self.exited.done():
            self.exited.set_result(None)


def kill_group(transport: asyncio.SubprocessTransport, confined: bool) -> None:
    """SIGKILL everything the process started: its sandbox's PID namespace when
    ``confined``, else its process group."""
    pid = transport.get_pid()
    # bwrap's only child is the init of the sandbox's PID namespace, in a session of its
    # own: killing it kills everything in the namespace, and bwrap then exits once the
    # namespace is empty. Killing bwrap itself would end it too, but bwrap would be gone
    # while the rest is still dying. (Once bwrap is reaped its pid may be someone else's.)
    running = transport.get_returncode() is None
    inits = children(pid) if confined and running else []
    for init in inits:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(init, signal.SIGKILL)
    if inits:
        return
    # The shell (or bwrap) is a session leader (start_new_session): its pid names the group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


async def kill_when_started(
    starting: asyncio.Future[tuple[asyncio.SubprocessTransport, ProcessProtocol]], confined: bool
) -> None:
    """Once ``starting`` has started its process, kill the process's group and wait for
    the process to end; nothing when the start failed."""
    try:
        transport, protocol = await starting
    except Exception:  # it never ran
        return
    kill_group(transport, confined)
    await asyncio.wait([protocol.exited], timeout=5)
    transport.close()


def children(pid: int) -> list[int]:
    """The pids of ``pid``'s children (empty when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:  # gone, or a kernel without CONFIG_PROC_CHILDREN
        return []
    return [int(child) for child in text.split()]


def exit_code(returncode: int | None) -> tuple[int, bool]:
    """``(code, killed_by_signal)``: 128 + N for signal N, as the shell says it."""
    if returncode is None:
        return -1, False
    if returncode < 0:
        return 128 - returncode, True
    return returncode, False

"""Questions before a restore: every one asked before anything is written, Ctrl-D and
Ctrl-C change nothing, a restore stopped partway says what it did; and the questions of
``harken ask`` worded for people."""

from __future__ import annotations

import fcntl
import os
import platform
import pty
import select
import subprocess
import termios
import time
from pathlib import Path

import pytest

from agent.checkpoints.history import restored_note
from agent.checkpoints.restore import plan, write
from agent.checkpoints.store import Change, CheckpointStore, digest
from tests.checkpoints.conftest import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

HANG_GUARD_S = 60  # only so a broken build cannot hang the run; never reached when it works


def _own_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty, so Ctrl-C typed
    there is SIGINT for harken (and only for it)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


# The number of read(2) on this machine, for /proc/PID/syscall.
READ_SYSCALL = {"x86_64": 0, "aarch64": 63}.get(platform.machine())


def reading_the_terminal(pid: int) -> bool:
    """Whether ``pid`` is blocked reading its stdin. Python's input() prints its prompt and
    then reads: a SIGINT that comes between the two only sets a flag, and the read goes on
    waiting, so a Ctrl-C typed the instant the prompt shows may be lost. Where the kernel
    cannot tell (another architecture), True: type at once, as before."""
    if READ_SYSCALL is None:
        return True
    try:
        with open(f"/proc/{pid}/syscall") as syscall:
            fields = syscall.read().split()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return True
    return fields[:2] == [str(READ_SYSCALL), "0x0"]  # read(0, ...)


def on_terminal(workspace: Path, key: bytes) -> tuple[int, str]:
    """``harken rewind`` on a pseudo-terminal; ``key`` pressed at its first question."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*harken_command(), "rewind"],
        cwd=workspace,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=os.environ.copy(),
        preexec_fn=_own_terminal,
    )
    os.close(follower)
    seen = b""
    pressed = False
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline:
        waiting_to_press = not pressed and b"[y/N]" in seen  # look again soon
        ready, _, _ = select.select([leader], [], [], 0.02 if waiting_to_press else 1.0)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not pressed and b"[y/N]" in seen and reading_the_terminal(process.pid):
            os.write(leader, key)
            pressed = True
        if process.poll() is not None and not ready:
            break
    os.close(leader)
    return process.wait(timeout=HANG_GUARD_S), seen.decode("utf-8", "replace")


@pytest.mark.parametrize("key", [b"\x04", b"\x03"], ids=["ctrl-d", "ctrl-c"])
def test_stopping_at_a_question_changes_nothing(
    api: ScriptedAPI, harken, workspace: Path, key: bytes
) -> None:
    (workspace / "a.txt").write_text("a0\n")
    (workspace / "b.txt").write_text("b0\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "a.txt"}), tool_use("Read", {"file_path": "b.txt"})]),
        Reply(
            [
                tool_use("Write", {"file_path": "a.txt", "content": "a1\n"}),
                tool_use("Write", {"file_path": "b.txt", "content": "b1\n"}),
            ]
        ),
        Reply([text("ok")]),
    )
    assert harken("ask", "change both", "--yes").returncode == 0
    (workspace / "b.txt").write_text("b1 and mine\n")

    status, printed = on_terminal(workspace, key)

    assert "Traceback" not in printed
    assert "nothing was changed" in printed
    assert status == 1
    assert (workspace / "a.txt").read_text() == "a1\n"  # asked first, so not restored yet
    assert (workspace / "b.txt").read_text() == "b1 and mine\n"


def test_a_restore_stopped_partway_says_what_it_restored(tmp_path: Path) -> None:
    store = CheckpointStore(tmp_path / "store", "s1")
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    for path in (a, b):
        path.write_bytes(b"agent\n")
        change = Change("t1", 1, "change", str(path), store.keep(b"old\n"), digest(b"agent\n"))
        store.append(change)
    steps = store.load().steps()
    stops = iter([False, True])

    result = write(store, plan(store, steps), 1, {}, "turn 1", stop=lambda: next(stops))
    note = restored_note(result, steps, {}, "The user", lambda p: Path(p).name)

    assert result.done == [(str(a), "restored")] and result.interrupted == [str(b)]
    assert a.read_bytes() == b"old\n" and b.read_bytes() == b"agent\n"
    assert "- a.txt: back to its content from before" in note
    assert "- b.txt: not restored (the undo was stopped); unchanged" in note


def test_a_change_without_a_way_back_is_asked_in_plain_words(
    api: ScriptedAPI, harken, workspace: Path, isolated_env: Path, unwritable
) -> None:
    unwritable(isolated_env / "xdg_data_home" / "harken" / "checkpoints")
    (workspace / "f.txt").write_text("one\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "f.txt"})]),
        Reply([tool_use("Write", {"file_path": "f.txt", "content": "two\n"})]),
        Reply([text("I could not.")]),
    )

    done = harken("ask", "change f", "--mode", "bypass")

    assert "Checkpoint" not in done.stderr
    assert f"not done: Change {workspace / 'f.txt'} without a way to undo it?" in done.stderr
    assert (workspace / "f.txt").read_text() == "one\n"

"""``harken rewind`` on a terminal: a file the user edited is shown as a diff and asked
about; no keeps the user's edits, yes restores."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pytest

from tests.checkpoints.conftest import harken_command
from tests.checkpoints.test_rewind_cli import OLD, change_two_files
from tests.scripted_api import ScriptedAPI

HANG_GUARD_S = 60  # only so a broken build cannot hang the run; never reached when it works


def on_terminal(workspace: Path, answer: str) -> tuple[int, str]:
    """Run ``harken rewind`` on a pseudo-terminal, answer its question, return its
    exit status and everything it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*harken_command(), "rewind"],
        cwd=workspace,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=os.environ.copy(),
    )
    os.close(follower)
    seen = b""
    answered = False
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the program ended and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(leader, answer.encode() + b"\n")
            answered = True
        if process.poll() is not None and not ready:
            break
    os.close(leader)
    status = process.wait(timeout=HANG_GUARD_S)
    return status, seen.decode("utf-8", "replace")


@pytest.mark.parametrize("answer", ["n", "y"])
def test_a_user_edited_file_is_shown_and_asked_about_on_a_terminal(
    api: ScriptedAPI, harken, workspace: Path, answer: str
) -> None:
    change_two_files(api, harken, workspace)
    (workspace / "old.txt").write_bytes(b"first line\r\n2nd line\r\nmy own line\r\n")

    status, printed = on_terminal(workspace, answer)

    assert status == 0, printed
    assert "old.txt changed after the agent's change" in printed
    assert "-my own line" in printed  # the diff: what restoring would discard
    assert not (workspace / "docs" / "new.txt").exists()
    if answer == "n":
        assert "Kept old.txt" in printed
        assert (workspace / "old.txt").read_bytes().endswith(b"my own line\r\n")
    else:
        assert "Restored old.txt" in printed
        assert (workspace / "old.txt").read_bytes() == OLD

"""``harken rewind`` on a terminal: a file the user edited is shown as a diff and asked
about; no keeps the user's edits, yes restores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.checkpoints.conftest import harken_command
from tests.checkpoints.test_rewind_cli import OLD, change_two_files
from tests.e2e.terminal import converse
from tests.scripted_api import ScriptedAPI


def on_terminal(workspace: Path, answer: str) -> tuple[int, str]:
    """Run ``harken rewind`` on a pseudo-terminal, answer its question, return its
    exit status and everything it printed."""
    return converse([*harken_command(), "rewind"], workspace, os.environ.copy(), b"[y/N]", [answer])


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

"""The session temp folder (the sandbox's writable /tmp) does not outlive its session,
even when the session is never closed: a process that ends without ``aclose`` left one
``harken-session-*`` folder in the system temp folder per session (212 were found)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agent.sandbox import sandbox_status

ROOT = Path(__file__).resolve().parents[3]

NEVER_CLOSED = """
import sys
from agent.tools.context import ToolContext

context = ToolContext(workspace=sys.argv[1])
print(context._temp_dir)
"""


def test_a_session_never_closed_leaves_no_temp_folder(tmp_path: Path) -> None:
    if not sandbox_status().available:
        pytest.skip("bubblewrap is not available: no session temp folder is made")
    done = subprocess.run(
        [sys.executable, "-c", NEVER_CLOSED, str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder.name.startswith("harken-session-")
    assert not folder.exists()

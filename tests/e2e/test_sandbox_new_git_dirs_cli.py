"""The fresh-user trial (issue 10): in `harken ask --mode bypass` (and auto), a sandboxed
Bash command builds a new nested repository whose config runs a program through
``core.fsmonitor``. Afterwards the user's own plain `git status` there runs nothing, and
the tool result the model gets says what was disabled."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from agent.sandbox import sandbox_status
from tests.git_repos import git_env
from tests.scripted_api import Reply, ScriptedAPI, request_text, text, tool_use

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not sandbox_status().available, reason="needs a working bubblewrap"),
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]

# As in the trial: python3 writes HEAD, objects/, refs/heads/ and a config by hand.
PLANT = (
    "python3 -c \"import os; g='nn2/.git'; "
    "[os.makedirs(g + d) for d in ('/objects', '/refs/heads')]; "
    "open(g + '/HEAD', 'w').write('ref: refs/heads/main\\\\n'); "
    "open(g + '/config', 'w').write('[core]\\\\n\\\\trepositoryformatversion = 0\\\\n"
    "\\\\tfsmonitor = touch {marker}; false\\\\n')\""
)


@pytest.mark.parametrize("mode", ["bypass", "auto"])
def test_a_nested_repository_planted_by_a_sandboxed_command_runs_nothing_later(
    api: ScriptedAPI, harken, workspace: Path, tmp_path: Path, mode: str
) -> None:
    marker = tmp_path / "PWNED2"
    api.script(
        Reply([tool_use("Bash", {"command": PLANT.format(marker=marker)})]),
        Reply([text("Done.")]),
    )
    # auto asks about code it cannot read; the user said yes (it still runs sandboxed).
    yes = ["--yes"] if mode == "auto" else []
    result = harken("ask", "set up a repository", "--mode", mode, *yes)
    assert result.returncode == 0, result.stderr
    told = request_text(api.requests[-1])
    assert (workspace / "nn2/.git").is_dir(), told
    # The user's own git, outside any sandbox.
    subprocess.run(
        ["git", "status"], cwd=workspace / "nn2", env=git_env(), capture_output=True, check=False
    )
    assert not marker.exists(), "the user's git status ran the planted fsmonitor"
    assert "core.fsmonitor" in told
    assert "config.harken-disabled" in told

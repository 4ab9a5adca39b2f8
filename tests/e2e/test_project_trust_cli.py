"""`harken ask` in a folder whose .harken/settings.json allows something: the project's allow
rules stay off until the user trusts them; on a terminal Harken asks once, and a yes is
remembered for that folder."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.conftest import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.e2e


@pytest.fixture
def project(workspace: Path) -> Path:
    (workspace / ".harken").mkdir()
    (workspace / ".harken" / "settings.json").write_text(
        json.dumps({"permissions": {"allow": ["Write(out.txt)"]}})
    )
    return workspace


def script_a_write(api: ScriptedAPI) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "out.txt", "content": "hello\n"})]),
        Reply([text("Done.")]),
    )


def ask_on_a_terminal(api: ScriptedAPI, workspace: Path, answer: bytes) -> tuple[str, str]:
    primary, secondary = os.openpty()  # stdin is a terminal: Harken asks there
    process = subprocess.Popen(
        [*harken_command(), "ask", "write out.txt"],
        cwd=workspace,
        env={**os.environ, "ANTHROPIC_BASE_URL": api.base_url},
        stdin=secondary,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    os.close(secondary)
    os.write(primary, answer)
    stdout, stderr = process.communicate(timeout=60)
    os.close(primary)
    assert process.returncode == 0, stderr
    return stdout, stderr


def test_without_a_terminal_the_rules_stay_off_and_a_note_says_how_to_trust(
    api: ScriptedAPI, harken, project: Path
) -> None:
    script_a_write(api)

    result = harken("ask", "write out.txt")

    assert result.returncode == 0, result.stderr
    assert not (project / "out.txt").exists()
    notes = [line for line in result.stderr.splitlines() if line.startswith("harken: note:")]
    assert len(notes) == 1
    assert "Write(out.txt)" in notes[0] and "harken permissions trust" in notes[0]


def test_on_a_terminal_a_yes_trusts_the_rules_now_and_next_time(
    api: ScriptedAPI, harken, project: Path
) -> None:
    script_a_write(api)

    _, stderr = ask_on_a_terminal(api, project, b"y\n")

    assert "wants to allow: Write(out.txt)" in stderr
    assert (project / "out.txt").read_text() == "hello\n"

    (project / "out.txt").unlink()
    script_a_write(api)
    again = harken("ask", "write out.txt")  # no terminal now: the trust was remembered
    assert again.returncode == 0, again.stderr
    assert "harken: note:" not in again.stderr
    assert (project / "out.txt").read_text() == "hello\n"


def test_on_a_terminal_a_no_keeps_the_rules_off(api: ScriptedAPI, project: Path) -> None:
    script_a_write(api)
    # "n" to the trust question, then "n" to the Write the model asks for.
    _, stderr = ask_on_a_terminal(api, project, b"n\nn\n")

    assert "wants to allow: Write(out.txt)" in stderr
    assert "? Allow Write" in stderr  # not allowed by the project: asked for
    assert not (project / "out.txt").exists()

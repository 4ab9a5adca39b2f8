"""``harken ask`` on a terminal: the model's AskUserQuestion is printed with its options
and the typed answer reaches the model; without a terminal the model hears nobody can
answer."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from tests.e2e.test_ask_cli import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

HANG_GUARD_S = 60  # only so a broken build cannot hang the run; never reached when it works
QUESTION = {
    "questions": [
        {
            "question": "Which file should I summarise?",
            "header": "File",
            "options": [{"label": "notes.txt"}, {"label": "todo.txt"}],
        }
    ]
}


def script(api: ScriptedAPI) -> None:
    api.script(Reply([tool_use("AskUserQuestion", QUESTION)]), Reply([text("Summarised.")]))


def answer_on_terminal(api: ScriptedAPI, workspace: Path, answer: str) -> tuple[int, str]:
    """Run ``harken ask`` on a pseudo-terminal and type ``answer`` at its question."""
    leader, follower = pty.openpty()
    env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url}  # type: ignore[attr-defined]
    process = subprocess.Popen(
        [*harken_command(), "ask", "summarise a file"],
        cwd=workspace,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    seen, answered = b"", False
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
        if not answered and b"your own words]" in seen:
            os.write(leader, answer.encode() + b"\n")
            answered = True
        if process.poll() is not None and not ready:
            break
    os.close(leader)
    return process.wait(timeout=HANG_GUARD_S), seen.decode("utf-8", "replace")


def tool_result_text(request: dict) -> str:
    (result,) = [b for b in request["messages"][-1]["content"] if b["type"] == "tool_result"]
    content = result["content"]
    return content if isinstance(content, str) else " ".join(b["text"] for b in content)


def test_a_question_is_answered_on_the_terminal(api: ScriptedAPI, workspace: Path) -> None:
    script(api)

    status, printed = answer_on_terminal(api, workspace, "2")

    assert status == 0, printed
    assert "Which file should I summarise?" in printed and "2. todo.txt" in printed
    assert "todo.txt" in tool_result_text(api.requests[1]), api.requests[1]


def test_without_a_terminal_the_model_hears_nobody_can_answer(
    api: ScriptedAPI, workspace: Path
) -> None:
    script(api)
    env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url}  # type: ignore[attr-defined]

    done = subprocess.run(
        [*harken_command(), "ask", "summarise a file"],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_S,
    )

    assert done.returncode == 0, done.stderr
    assert "todo.txt" not in tool_result_text(api.requests[1])

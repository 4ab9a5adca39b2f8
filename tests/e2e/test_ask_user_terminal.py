"""``harken ask`` on a terminal: the model's AskUserQuestion is printed with its options
and the typed answer reaches the model; without a terminal the model hears nobody can
answer."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.conftest import harken_command, harken_env, run_harken
from tests.e2e.terminal import HANG_GUARD_S, converse
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

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
    argv = [*harken_command(), "ask", "summarise a file"]
    return converse(argv, workspace, harken_env(api), b"your own words]", [answer])


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

    done = run_harken(api, workspace, "ask", "summarise a file", timeout=HANG_GUARD_S)

    assert done.returncode == 0, done.stderr
    assert "todo.txt" not in tool_result_text(api.requests[1])

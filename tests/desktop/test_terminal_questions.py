"""AskUserQuestion on a terminal: printed with numbered options, answered by a typed line;
without a terminal the model is told at once that nobody can answer."""

from __future__ import annotations

import io
from typing import Any

from desktop.terminal_questions import TerminalQuestions, answer_text, attach
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

ASK = {
    "questions": [
        {
            "question": "Which database should I use?",
            "header": "Database",
            "options": [
                {"label": "Postgres", "description": "A server"},
                {"label": "SQLite", "description": "A file"},
            ],
        }
    ]
}


def tool_result_text(request: dict[str, Any]) -> tuple[str, bool]:
    block = request["messages"][-1]["content"][0]
    content = block["content"]
    body = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
    return body, bool(block.get("is_error"))


async def test_the_question_is_asked_on_the_terminal_and_the_typed_number_answers(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply([tool_use("AskUserQuestion", ASK)]), Reply([text("SQLite, then.")]))
    session = make_session()
    stderr = io.StringIO()
    session.subscribe(TerminalQuestions(stdin=io.StringIO("2\n"), stderr=stderr))
    session.questions.serve()

    await session.submit("set up storage")

    shown = stderr.getvalue()
    assert "? Database: Which database should I use?" in shown
    assert "  1. Postgres — A server" in shown and "  2. SQLite — A file" in shown
    body, is_error = tool_result_text(api.requests[1])
    assert not is_error
    assert '"Which database should I use?" = "SQLite"' in body


async def test_without_a_terminal_nobody_is_asked(api: ScriptedAPI, make_session: Any) -> None:
    api.script(Reply([tool_use("AskUserQuestion", ASK)]), Reply([text("I'll pick SQLite.")]))
    session = make_session()
    attach(session, interactive=False)
    session.subscribe(lambda e: None)

    await session.submit("set up storage")

    body, is_error = tool_result_text(api.requests[1])
    assert is_error and "Nobody can answer questions here" in body


def test_a_typed_reply_picks_by_number_or_label_or_is_the_answer() -> None:
    labels = ["Postgres", "SQLite"]
    assert answer_text("1", labels, False) == "Postgres"
    assert answer_text("sqlite", labels, False) == "SQLite"
    assert answer_text("1 2", labels, True) == "Postgres, SQLite"
    assert answer_text("whatever is simplest", labels, False) == "whatever is simplest"

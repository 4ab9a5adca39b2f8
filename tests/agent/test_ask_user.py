"""AskUserQuestion: the model asks, a host answers (or nobody can), the model hears it."""

from __future__ import annotations

from typing import Any

from agent.permissions import Mode
from agent.questions import Option, Question, QuestionAsked
from agent.tools import default_tools
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
            "multiSelect": False,
        }
    ]
}


def result_of(request: dict[str, Any]) -> dict[str, Any]:
    block = request["messages"][-1]["content"][0]
    assert block["type"] == "tool_result"
    content = block["content"]
    body = content if isinstance(content, str) else "".join(b.get("text", "") for b in content)
    return {"text": body, "is_error": block.get("is_error", False)}


def test_ask_user_question_is_a_default_tool_in_claude_codes_shape() -> None:
    tool = next(t for t in default_tools() if t.name == "AskUserQuestion")
    schema = tool.api_schema()["input_schema"]
    question = schema["$defs"]["QuestionInput"]["properties"]
    assert {"question", "header", "options", "multiSelect"} <= set(question)


async def test_the_hosts_answer_reaches_the_model(api: ScriptedAPI, make_session: Any) -> None:
    api.script(Reply([tool_use("AskUserQuestion", ASK)]), Reply([text("SQLite it is.")]))
    session = make_session(mode="plan")  # asking changes nothing: allowed even in plan mode
    assert session.engine.mode is Mode.PLAN
    asked: list[QuestionAsked] = []

    def host(event: Any) -> None:
        if event.kind == "question_asked":
            asked.append(event)
            event.answer({event.questions[0].question: "SQLite"})

    session.subscribe(host)
    session.questions.serve()

    outcome = await session.submit("set up storage")

    assert outcome.text == "SQLite it is."
    assert asked[0].questions == (
        Question(
            "Which database should I use?",
            "Database",
            (Option("Postgres", "A server"), Option("SQLite", "A file")),
            False,
        ),
    )
    result = result_of(api.requests[1])
    assert not result["is_error"]
    assert '"Which database should I use?" = "SQLite"' in result["text"]


async def test_with_nobody_to_ask_the_model_is_told_so_at_once(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply([tool_use("AskUserQuestion", ASK)]), Reply([text("I'll pick SQLite.")]))
    session = make_session()
    session.subscribe(lambda e: None)  # a listener that cannot answer questions

    await session.submit("set up storage")

    result = result_of(api.requests[1])
    assert result["is_error"]
    assert "Nobody can answer questions here" in result["text"]


async def test_a_declined_question_is_an_error_result_with_the_reason(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply([tool_use("AskUserQuestion", ASK)]), Reply([text("OK.")]))
    session = make_session()
    session.subscribe(
        lambda e: e.decline("the dialog was closed") if e.kind == "question_asked" else None
    )
    leave = session.questions.serve()

    await session.submit("set up storage")
    leave()

    result = result_of(api.requests[1])
    assert result["is_error"]
    assert "the dialog was closed" in result["text"]
    assert not session.questions.served

"""WebSearch: the Messages API's server-side web search, offered on the turns the user's
setting and permission rules allow, and its blocks carried back to the API unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from agent.permissions.rules import parse_rule
from agent.session import Session
from agent.tools.web_search import SERVER_TYPE
from desktop.tools import attach_desktop_tools
from tests.scripted_api import Reply, ScriptedAPI, text

QUERY = "python 3.14 release date"
SEARCH_ID = "srvtoolu_0001"
PAGE = {
    "type": "web_search_result",
    "url": "https://docs.python.org/3.14/whatsnew/3.14.html",
    "title": "What's new in Python 3.14",
    "encrypted_content": "EqgfCioIARgBIiQ3YTAwMjY1Mi1mZjM5LTQ1NGUtODgxNS1kNjQ0",
    "page_age": "October 7, 2025",
}
SEARCH_REPLY = [
    text("Let me look that up."),
    {"type": "server_tool_use", "id": SEARCH_ID, "name": "web_search", "input": {"query": QUERY}},
    {"type": "web_search_tool_result", "tool_use_id": SEARCH_ID, "content": [PAGE]},
    text("Python 3.14 came out on 7 October 2025."),
]


def searching(make_session: Any, mode: str = "standard", **extra: Any) -> Session:
    session = make_session(mode=mode)
    session.config.values["web_search"] = True  # the setting, turned on by the user
    for kind, rule in extra.get("rules", ()):
        session.engine.add_rule(kind, parse_rule(rule))
    attach_desktop_tools(session)
    return session


def offered_tools(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in request.get("tools", []) if t.get("type") == SERVER_TYPE]


async def test_web_search_is_sent_as_the_server_tool_when_turned_on(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply([text("ok")]))
    session = searching(make_session)

    await session.submit("when did python 3.14 come out?")

    [tool] = offered_tools(api.requests[0])
    assert {k: tool[k] for k in ("type", "name", "max_uses")} == {
        "type": "web_search_20250305",
        "name": "web_search",
        "max_uses": 5,
    }
    assert "input_schema" not in tool


@pytest.mark.parametrize(
    ("mode", "rules", "setting"),
    [
        ("standard", [], False),  # not turned on
        ("standard", [("deny", "WebSearch")], True),  # a deny rule
        ("standard", [("ask", "WebSearch")], True),  # a question nobody can be asked
        ("plan", [], True),  # plan mode sends nothing out
    ],
)
async def test_web_search_is_not_offered_when_not_allowed(
    api: ScriptedAPI, make_session: Any, mode: str, rules: list[tuple[str, str]], setting: bool
) -> None:
    api.script(Reply([text("ok")]))
    session = searching(make_session, mode, rules=rules)
    session.config.values["web_search"] = setting

    await session.submit("search something")

    assert offered_tools(api.requests[0]) == []


async def test_an_allow_rule_turns_it_on_too(api: ScriptedAPI, make_session: Any) -> None:
    api.script(Reply([text("ok")]))
    session = searching(make_session, rules=[("allow", "WebSearch")])
    session.config.values["web_search"] = False

    await session.submit("search something")

    assert len(offered_tools(api.requests[0])) == 1


async def test_turning_it_off_between_turns_takes_effect_on_the_next(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply([text("one")]), Reply([text("two")]))
    session = searching(make_session)
    await session.submit("first")
    session.config.values["web_search"] = False
    await session.submit("second")

    assert [len(offered_tools(r)) for r in api.requests] == [1, 0]


async def test_search_results_come_back_and_go_back_unchanged(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply(SEARCH_REPLY), Reply([text("It was a Tuesday.")]))
    session = searching(make_session)

    first = await session.submit("when did python 3.14 come out?")
    second = await session.submit("which weekday was that?")

    assert first.stop_reason == "end_turn", first.error
    assert first.text.endswith("Python 3.14 came out on 7 October 2025.")
    assert second.text == "It was a Tuesday."
    answer = api.requests[1]["messages"][1]["content"]
    [use] = [b for b in answer if b["type"] == "server_tool_use"]
    assert use["input"] == {"query": QUERY} and use["id"] == SEARCH_ID
    [result] = [b for b in answer if b["type"] == "web_search_tool_result"]
    assert result["content"][0]["encrypted_content"] == PAGE["encrypted_content"]


def test_harken_ask_allow_web_search_offers_it(api: ScriptedAPI, workspace: Any) -> None:
    import os
    import subprocess

    from tests.e2e.conftest import harken_command

    api.script(Reply([text("ok")]), Reply([text("ok")]))
    env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url}  # type: ignore[attr-defined]
    for extra in (["--allow", "WebSearch"], []):
        done = subprocess.run(
            [*harken_command(), "ask", "search", *extra],
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    assert [len(offered_tools(r)) for r in api.requests] == [1, 0]

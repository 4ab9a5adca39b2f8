"""AgentBridge.follow_up: said during a turn, the text reaches that turn's next request;
said after it ended, it is the next request (a real session, the scripted API)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import Config
from agent.follow_ups import PREFIX
from desktop.bridge import AgentBridge, Outcome
from desktop.sessions import open_session
from tests.conftest import TEST_KEY
from tests.scripted_api import Reply, ScriptedAPI, text


@pytest.fixture
def bridge(qtbot: Any, api: ScriptedAPI, workspace: Path) -> Iterator[AgentBridge]:
    config = Config().override(base_url=api.base_url, max_retries=0)  # type: ignore[attr-defined]

    def factory(resume: Any) -> Any:
        return open_session(config, workspace, TEST_KEY, resume=resume)

    made = AgentBridge(factory, warm_up=lambda: None)
    made.start()
    yield made
    made.close()


def last_user_text(request: dict[str, Any]) -> str:
    content = request["messages"][-1]["content"]
    return " ".join(b.get("text", "") for b in content if b.get("type") == "text")


def test_a_follow_up_during_the_turn_reaches_its_next_request(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI
) -> None:
    api.script(Reply([text("Here is a plan.")], pause_after=3), Reply([text("With tests.")]))
    outcomes: list[Outcome] = []
    bridge.turn_done.connect(outcomes.append)
    bridge.submit("make a plan")
    qtbot.waitUntil(lambda: len(api.requests) == 1, timeout=60_000)  # the answer is held

    bridge.follow_up("and add tests")
    qtbot.waitUntil(lambda: bridge._session.follow_ups.pending == 1, timeout=60_000)
    with qtbot.waitSignal(bridge.turn_done, timeout=60_000):
        api.release()

    assert [o.text for o in outcomes] == ["With tests."]
    assert last_user_text(api.requests[1]) == PREFIX + "and add tests"
    assert api.rejections == []


def test_a_follow_up_after_the_turn_ended_is_the_next_request(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI
) -> None:
    api.script(Reply([text("Done.")]), Reply([text("Tests added.")]))
    with qtbot.waitSignal(bridge.turn_done, timeout=60_000):
        bridge.submit("make a plan")
    with qtbot.waitSignal(bridge.turn_done, timeout=60_000) as done:
        bridge.follow_up("and add tests")
    assert done.args[0].text == "Tests added."
    assert last_user_text(api.requests[1]) == "and add tests"

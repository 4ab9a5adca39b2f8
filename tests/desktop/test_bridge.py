"""The agent bridge: a real session on its own thread, against the scripted API."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import Config
from agent.events import PermissionAnswer
from desktop.bridge import AgentBridge, Outcome
from desktop.sessions import open_session
from tests.conftest import TEST_KEY
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use


class Seen:
    """Everything the bridge delivered, and on which thread."""

    def __init__(self, bridge: AgentBridge) -> None:
        self.events: list[Any] = []
        self.outcomes: list[Outcome] = []
        self.changes: list[Any] = []
        self.threads: set[threading.Thread] = set()
        bridge.event.connect(self._event)
        bridge.turn_done.connect(self._done)
        bridge.session_changed.connect(self.changes.append)

    def _event(self, event: Any) -> None:
        self.threads.add(threading.current_thread())
        self.events.append(event)

    def _done(self, outcome: Outcome) -> None:
        self.threads.add(threading.current_thread())
        self.outcomes.append(outcome)

    def kinds(self) -> list[str]:
        return [e.kind for e in self.events]


@pytest.fixture
def bridge(qtbot: Any, api: ScriptedAPI, workspace: Path) -> Iterator[AgentBridge]:
    config = Config().override(base_url=api.base_url, max_retries=0)  # type: ignore[attr-defined]

    def factory(resume: Any) -> Any:
        return open_session(config, workspace, TEST_KEY, resume=resume)

    made = AgentBridge(factory, warm_up=lambda: None)
    made.start()
    yield made
    made.close()


def run_turn(qtbot: Any, bridge: AgentBridge, seen: Seen, prompt: str) -> Outcome:
    with qtbot.waitSignal(bridge.turn_done, timeout=60_000):
        bridge.submit(prompt)
    return seen.outcomes[-1]


def test_events_arrive_on_the_gui_thread_in_order(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("hello\n")
    api.script(
        Reply([text("Let me look."), tool_use("Read", {"file_path": "notes.txt"})]),
        Reply([text("It says hello.")]),
    )
    seen = Seen(bridge)
    outcome = run_turn(qtbot, bridge, seen, "what is in notes.txt?")

    assert outcome.stop_reason == "end_turn" and outcome.text == "It says hello."
    assert seen.threads == {threading.main_thread()}
    kinds = seen.kinds()
    assert kinds[0] == "turn_started" and kinds[-1] == "turn_finished"
    assert kinds.index("tool_started") < kinds.index("tool_finished")
    assert "".join(e.text for e in seen.events if e.kind == "text_delta") == (
        "Let me look.It says hello."
    )


def test_interrupt_stops_a_turn_mid_stream(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI
) -> None:
    api.script(Reply([text("A long answer that goes on and on")], pause_after=3))
    seen = Seen(bridge)
    bridge.submit("tell me a story")
    assert api.paused.wait(60)  # only a hang takes that long
    with qtbot.waitSignal(bridge.turn_done, timeout=60_000):
        bridge.interrupt()
    api.release()

    assert seen.outcomes[-1].stop_reason == "interrupted"
    assert seen.kinds()[-1] == "turn_finished"


def test_a_permission_answered_on_the_gui_thread_reaches_the_session(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI, workspace: Path
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "yes.txt", "content": "ok\n"})]),
        Reply([tool_use("Write", {"file_path": "no.txt", "content": "no\n"})]),
        Reply([text("One of two.")]),
    )
    seen = Seen(bridge)
    answers = iter([PermissionAnswer(True), PermissionAnswer(False, message="no")])
    bridge.event.connect(
        lambda e: e.answer(next(answers)) if e.kind == "permission_requested" else None
    )
    outcome = run_turn(qtbot, bridge, seen, "write two files")

    assert outcome.text == "One of two."
    assert (workspace / "yes.txt").read_text() == "ok\n"
    assert not (workspace / "no.txt").exists()


def test_set_mode_applies_to_the_running_session(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI, workspace: Path
) -> None:
    api.script(
        Reply([text("Hi.")]),
        Reply([tool_use("Write", {"file_path": "free.txt", "content": "x"})]),
        Reply([text("Written.")]),
    )
    seen = Seen(bridge)
    run_turn(qtbot, bridge, seen, "hello")
    bridge.set_mode("bypass")
    run_turn(qtbot, bridge, seen, "write it")

    assert "permission_requested" not in seen.kinds()
    assert (workspace / "free.txt").exists()


def test_a_session_that_cannot_start_still_ends_the_turn(qtbot: Any) -> None:
    def factory(resume: Any) -> Any:
        raise RuntimeError("No API key: set ANTHROPIC_API_KEY\nsecond line")

    bridge = AgentBridge(factory, warm_up=lambda: None)
    bridge.start()
    seen = Seen(bridge)
    try:
        outcome = run_turn(qtbot, bridge, seen, "hello")
    finally:
        bridge.close()
    assert outcome == Outcome("error", error="No API key: set ANTHROPIC_API_KEY")


def test_new_session_and_resume_report_the_conversation(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI
) -> None:
    api.script(Reply([text("Paris.")]), Reply([text("Two million.")]))
    seen = Seen(bridge)
    run_turn(qtbot, bridge, seen, "capital of France?")
    first_id = seen.events[0].session_id

    with qtbot.waitSignal(bridge.session_changed, timeout=30_000):
        bridge.new_session()
    assert seen.changes[-1] == (None, [])
    run_turn(qtbot, bridge, seen, "how many people?")
    assert api.requests[-1]["messages"][0]["content"][0]["text"] == "how many people?"

    with qtbot.waitSignal(bridge.session_changed, timeout=30_000):
        bridge.resume(first_id)
    session_id, messages = seen.changes[-1]
    assert session_id == first_id
    assert [m["role"] for m in messages] == ["user", "assistant"]


def test_close_syncs_the_transcript_and_stops_the_thread(
    qtbot: Any, bridge: AgentBridge, api: ScriptedAPI, isolated_env: Path
) -> None:
    api.script(Reply([text("Done.")]))
    seen = Seen(bridge)
    run_turn(qtbot, bridge, seen, "do it")
    bridge.close()

    assert not bridge.running
    saved = list((isolated_env / "xdg_data_home/harken/sessions").glob("*.jsonl"))
    assert len(saved) == 1 and '"turn_end"' in saved[0].read_text()

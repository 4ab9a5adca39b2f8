"""Proactive ticks against the scripted API, with a clock and waits the test controls."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from agent.journal import read_day
from agent.tasks.proactive import ProactiveStore
from agent.tasks.ticks import TickLoop
from tests.processes import HANG_S
from tests.scripted_api import Reply, ScriptedAPI, request_text, text, tool_use

NOON = datetime(2026, 3, 2, 12, 0).astimezone()


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at
        self.calls = 0  # a tick's first step is to read the time

    def __call__(self) -> datetime:
        self.calls += 1
        return self.at


class Waits:
    """The loop's waits: recorded, never slept; ``stop`` is set after ``ticks`` waits."""

    def __init__(self, clock: Clock, ticks: int) -> None:
        self.clock, self.ticks, self.seen = clock, ticks, []  # type: list[float]
        self.hook = lambda: None

    async def __call__(self, seconds: float, stop: asyncio.Event) -> None:
        self.seen.append(seconds)
        self.clock.at += timedelta(seconds=seconds)
        self.hook()
        if len(self.seen) >= self.ticks:
            stop.set()


@pytest.fixture
def proactive(api: ScriptedAPI, workspace: Path, monkeypatch: pytest.MonkeyPatch) -> ProactiveStore:
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)  # type: ignore[attr-defined]
    store = ProactiveStore()

    def on(item) -> None:
        item.enabled, item.every_s, item.daily_budget_usd = True, 60.0, 1.0

    store.change(workspace, on)
    return store


def tool_names(request: dict) -> set[str]:
    return {t["name"] for t in request["tools"]}


async def test_ticks_reach_the_session_and_sleep_sets_the_next_wait(
    api: ScriptedAPI, workspace: Path, proactive: ProactiveStore
) -> None:
    api.script(
        Reply([
            tool_use("SendUserMessage", {"message": "The nightly build is red."}),
            tool_use("Sleep", {"seconds": 900}),
        ]),
        Reply([text("Told the user; sleeping.")]),
        Reply([text("Still nothing new.")]),
    )  # fmt: skip
    clock = Clock(NOON)
    waits, said = Waits(clock, ticks=2), []
    loop = TickLoop(workspace, store=proactive, clock=clock, sleep=waits, say=said.append)

    await loop.run(asyncio.Event())

    assert loop.ticks == 2
    assert waits.seen == [900.0, 60.0]  # the model's Sleep, then the interval
    assert said == ["The nightly build is red."]
    first, _, second = api.requests
    assert "<tick" in request_text(first) and "proactive mode" in request_text(first)
    assert {"Sleep", "PushNotification", "SendUserMessage"} <= tool_names(first)
    assert "<tick time=" in request_text(second)
    assert len(second["messages"]) > 1  # the same session: the first tick is in it
    assert "is_error" not in str(api.requests[1]["messages"][-1])  # ran in plan mode
    entries = read_day(NOON.date())
    kinds = [e.heading.split(" ·")[0] for e in entries]
    assert kinds == ["Message to the user", "Tick " + workspace.name, "Tick " + workspace.name]
    assert "slept 900 s" in entries[1].heading and "did not sleep" in entries[2].heading
    assert proactive.get(workspace).spent_on("2026-03-02") > 0


async def test_ticks_stop_for_the_day_at_the_budget_and_go_on_tomorrow(
    api: ScriptedAPI, workspace: Path, proactive: ProactiveStore
) -> None:
    proactive.change(workspace, lambda item: setattr(item, "daily_budget_usd", 0.0001))
    api.script(Reply([text("Looked around.")]), Reply([text("A new day.")]))
    clock = Clock(NOON)
    waits = Waits(clock, ticks=3)
    loop = TickLoop(workspace, store=proactive, clock=clock, sleep=waits)

    await loop.run(asyncio.Event())

    assert len(api.requests) == 2 and loop.ticks == 2
    assert waits.seen[0] == 60.0
    assert NOON + timedelta(seconds=60 + waits.seen[1]) == datetime(2026, 3, 3).astimezone()
    [tick, capped] = read_day(NOON.date())
    assert tick.heading.startswith("Tick ")
    assert capped.heading == "Note daily budget reached" and "no more ticks" in capped.body
    assert "A new day." in read_day(NOON.date() + timedelta(days=1))[0].body


async def test_a_paused_loop_sends_no_tick_until_resumed(
    api: ScriptedAPI, workspace: Path, proactive: ProactiveStore
) -> None:
    api.script(Reply([text("First.")]), Reply([text("Second.")]))
    clock = Clock(NOON)
    waits = Waits(clock, ticks=2)
    loop = TickLoop(workspace, store=proactive, clock=clock, sleep=waits)
    paused = asyncio.Event()

    def pause_after_the_first() -> None:  # the user starts speaking
        if len(waits.seen) == 1:
            loop.pause()
            paused.set()

    waits.hook = pause_after_the_first
    running = asyncio.create_task(loop.run(asyncio.Event()))
    await asyncio.wait_for(paused.wait(), HANG_S)  # only a hang takes that long
    read_at_pause = clock.calls
    # An unpaused loop reads the clock (the start of its next tick) within a few turns of
    # the event loop, before any network I/O: these turns prove no tick began, without
    # racing the request against a duration.
    for _ in range(50):
        await asyncio.sleep(0)
    assert clock.calls == read_at_pause, "a tick began while paused"
    assert len(api.requests) == 1 and not running.done()

    loop.resume()
    await asyncio.wait_for(running, HANG_S)

    assert len(api.requests) == 2


async def test_a_question_in_a_tick_is_refused_and_the_session_goes_on_next_time(
    api: ScriptedAPI, workspace: Path, proactive: ProactiveStore
) -> None:
    api.script(
        Reply([tool_use("Write", {"file_path": "x.txt", "content": "x"})]),
        Reply([text("Could not write.")]),
        Reply([text("Back again.")]),
    )
    proactive.change(workspace, lambda item: setattr(item, "mode", "standard"))  # it asks
    clock = Clock(NOON)
    await TickLoop(workspace, store=proactive, clock=clock, sleep=Waits(clock, 1)).run(
        asyncio.Event()
    )
    # A new loop (the daemon restarted) continues the folder's tick session.
    await TickLoop(workspace, store=proactive, clock=clock, sleep=Waits(clock, 1)).run(
        asyncio.Event()
    )

    assert not (workspace / "x.txt").exists()
    refusal = str(api.requests[1]["messages"][-1])
    assert "unattended" in refusal
    assert "Could not write." in request_text(api.requests[2], last_only=False)


async def test_a_tick_entry_names_the_tools_run_and_the_refused_write(
    api: ScriptedAPI, workspace: Path, proactive: ProactiveStore
) -> None:
    (workspace / "NOTES.md").write_text("notes\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "NOTES.md"})]),
        Reply([tool_use("Write", {"file_path": "out.txt", "content": "x"})]),
        Reply([text("Nothing to change.")]),
    )
    clock = Clock(NOON)
    loop = TickLoop(workspace, store=proactive, clock=clock, sleep=Waits(clock, ticks=1))

    await loop.run(asyncio.Event())

    [tick] = [e for e in read_day(NOON.date()) if e.heading.startswith("Tick")]
    assert "- Tools run: Read\n" in tick.body
    assert "- Refused or not run:\n  > Writing out.txt: Permission denied: plan" in tick.body
    assert not (workspace / "out.txt").exists()

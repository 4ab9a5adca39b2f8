"""Proactive ticks in the tray app (``desktop.scheduled_ticks``), beside its scheduled tasks.

The tray's scheduler thread (``desktop.scheduled.ScheduledHost``) runs the ticks of a
workspace whose proactive mode is on, against the scripted Messages API, with the real
controller and conversation window (offscreen), stand-ins for the voice and the user's
agent bridge (``tests.desktop.test_controller``), and the fake notification daemon of
``tests.desktop.test_scheduled_notifications`` on a private D-Bus. The wait between ticks
is a ``FakeTime`` the test moves forward, through the same ``TickLoop.sleep`` path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import load_config
from agent.tasks.locks import scheduler_lock
from agent.tasks.proactive import Proactive, ProactiveStore
from desktop.background import Background
from desktop.bridge import Outcome
from desktop.controller import Controller, Parts
from desktop.notifications import DesktopNotifier
from desktop.scheduled import ScheduledHost
from desktop.scheduled_ticks import MESSAGE_PREFIX, TrayTicks, tray_ticks
from desktop.state import State
from desktop.windows.conversation import ConversationWindow
from tests.desktop.fake_portal import private_bus
from tests.desktop.test_controller import FakeBridge, FakeVoice, Quit
from tests.desktop.test_scheduled_notifications import FakeNotifications, wait_until
from tests.scripted_api import Reply, ScriptedAPI, request_text, text, tool_use

WAIT_MS = 60_000  # only a hang reaches it


class FakeTime:
    """``TickLoop``'s wait between ticks: it ends once the test has moved the time on by
    as much as the loop asked for (or at stop)."""

    def __init__(self) -> None:
        self.now = 0.0
        self.asked: list[float] = []
        self.polls = 0  # looks at the time so far: proof that a wait saw a move
        self.returned = 0

    async def __call__(self, seconds: float, stop: asyncio.Event) -> None:
        self.asked.append(seconds)
        until = self.now + seconds
        while self.now < until and not stop.is_set():
            self.polls += 1
            await asyncio.sleep(0.01)
        self.returned += 1

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def proactive(api: ScriptedAPI, project: Path, monkeypatch: pytest.MonkeyPatch) -> ProactiveStore:
    """Proactive mode on in ``project``: a tick at least every 60 s, against the API."""
    monkeypatch.setenv("ANTHROPIC_BASE_URL", api.base_url)  # type: ignore[attr-defined]
    store = ProactiveStore()

    def on(item: Proactive) -> None:
        item.enabled, item.every_s, item.daily_budget_usd = True, 60.0, 1.0

    store.change(project, on)
    return store


@pytest.fixture
def bus() -> Iterator[str]:
    with private_bus() as address:
        yield address


class Tray:
    """The tray's parts that ticks reach, and its scheduler with the ticks in it."""

    def __init__(self, qtbot: Any, bus: str, workspace: Path) -> None:
        self.voice, self.bridge = FakeVoice(), FakeBridge()
        self.conversation = ConversationWindow()
        qtbot.addWidget(self.conversation)
        self.controller = Controller(load_config(), quit_app=Quit())
        background = Background()
        self.controller.attach(
            Parts(background, self.bridge, self.voice, None, self.conversation, None, None,
                  workspace)
        )  # fmt: skip
        notifier = DesktopNotifier(bus)
        self.ticks: TrayTicks = tray_ticks(self.controller, background, notifier)
        self.time = FakeTime()
        self.ticks.sleep = self.time
        self.told: list[str] = []
        self.host = ScheduledHost(
            tell=self.told.append, notifier=notifier, ticks=self.ticks, check_every=0.05
        )


@pytest.fixture
def tray(qtbot: Any, bus: str, proactive: ProactiveStore, workspace: Path) -> Iterator[Tray]:
    made = Tray(qtbot, bus, workspace)
    yield made
    made.host.stop()


def test_a_tick_reaches_the_api_and_its_message_and_notification_reach_the_user(
    qtbot: Any, bus: str, api: ScriptedAPI, tray: Tray
) -> None:
    daemon = FakeNotifications(bus, click="default")  # the user clicks the notification
    api.script(
        Reply([
            tool_use("SendUserMessage", {"message": "The nightly build is red."}),
            tool_use("PushNotification", {"message": "Build red: two tests fail."}),
            tool_use("Sleep", {"seconds": 900}),
        ]),
        Reply([text("Told the user; sleeping.")]),
    )  # fmt: skip
    assert not tray.conversation.isVisible()
    try:
        tray.host.start()
        qtbot.waitUntil(lambda: "nightly build is red" in tray.conversation.plain_text(),
                        timeout=WAIT_MS)  # fmt: skip
        qtbot.waitUntil(tray.conversation.isVisible, timeout=WAIT_MS)  # the click opened it
    finally:
        tray.host.stop()
        daemon.close()

    first = api.requests[0]
    assert "<tick" in request_text(first) and "proactive mode" in request_text(first)
    assert MESSAGE_PREFIX + "The nightly build is red." in tray.conversation.plain_text()
    assert tray.voice.named("speak") == [("The nightly build is red.",)]  # speaking is on
    [shown] = daemon.shown
    assert shown.title == "Harken" and shown.body == "Build red: two tests fail."
    assert shown.actions[:2] == ["default", "Open"]
    assert tray.told == []


def test_sleep_defers_the_next_tick(qtbot: Any, api: ScriptedAPI, tray: Tray) -> None:
    api.script(
        Reply([tool_use("Sleep", {"seconds": 900})]),
        Reply([text("Nothing to do; sleeping.")]),
        Reply([text("Second look: still nothing.")]),
    )
    tray.host.start()
    wait_until(lambda: tray.time.asked)
    assert tray.time.asked == [900.0] and len(api.requests) == 2  # not the 60 s interval

    tray.time.advance(60)  # the interval passes, the model's sleep does not
    seen = tray.time.polls
    wait_until(lambda: tray.time.polls > seen + 1)  # the wait saw the time move
    assert tray.time.returned == 0 and len(api.requests) == 2

    tray.time.advance(840)
    wait_until(lambda: len(api.requests) == 3)
    assert '<tick time="' in request_text(api.requests[2])


def test_a_tick_waits_while_a_user_turn_runs_and_comes_after_it(
    qtbot: Any, api: ScriptedAPI, tray: Tray
) -> None:
    controller = tray.controller
    state_at_tick: list[State] = []

    def second_tick(request: dict[str, Any]) -> Reply:
        state_at_tick.append(controller.machine.state)
        return Reply([text("Second look.")])

    api.script(Reply([text("First look.")]), second_tick)
    tray.host.start()
    wait_until(lambda: tray.time.asked)  # the first tick is done; 60 s to the next
    controller.feed(controller.machine.typed, "fix the build")  # a user turn starts
    assert tray.bridge.named("submit") == [("fix the build",)]
    qtbot.waitUntil(lambda: tray.ticks.paused, timeout=WAIT_MS)

    tray.time.advance(60)  # the next tick is due while the turn runs: it waits
    wait_until(lambda: tray.time.returned == 1)
    assert tray.ticks.held == 1
    tray.bridge.turn_done.emit(Outcome("end_turn", "Fixed: a missing import."))
    assert controller.machine.state is State.SPEAKING  # ticks wait for the summary too
    tray.voice.speech_done.emit()
    wait_until(lambda: len(api.requests) == 2)

    assert state_at_tick == [State.IDLE]  # it came only once the user was done
    assert "<tick time=" in request_text(api.requests[1])


def test_no_tick_in_the_tray_while_harken_daemon_holds_the_scheduler(
    api: ScriptedAPI, tray: Tray
) -> None:
    api.script(Reply([text("Ticked by the tray.")]))
    daemon_lock = scheduler_lock()
    daemon_lock.__enter__()  # as `harken daemon` holds it (and runs the ticks itself)
    try:
        tray.host.start()
        wait_until(lambda: tray.host.checks >= 3)  # it looked, more than once
        assert api.requests == [] and not tray.host.owner
    finally:
        daemon_lock.__exit__(None, None, None)  # the daemon stops: the tray takes over
    wait_until(lambda: api.requests)
    assert "<tick" in request_text(api.requests[0])


def test_the_first_tick_waits_for_a_user_turn_running_as_the_ticks_start(
    qtbot: Any, api: ScriptedAPI, tray: Tray
) -> None:
    controller = tray.controller
    state_at_tick: list[State] = []

    def first_tick(request: dict[str, Any]) -> Reply:
        state_at_tick.append(controller.machine.state)
        return Reply([text("First look.")])

    api.script(first_tick)
    controller.config.speak_summaries = False
    controller.feed(controller.machine.typed, "fix the build")  # before the ticks start
    tray.host.start()
    [loop] = wait_until(lambda: list(tray.ticks.loops.values()))  # the folder's tick loop
    assert not loop._resumed.is_set()  # made paused: its first tick waits (TickLoop.run)
    assert api.requests == []
    tray.bridge.turn_done.emit(Outcome("end_turn", "Fixed."))
    wait_until(lambda: api.requests)

    assert state_at_tick == [State.IDLE]

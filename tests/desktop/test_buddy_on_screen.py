"""The real window on the virtual X screen, reacting to a turn; screenshots are kept.

For each step two pictures go to ``artifacts/buddy/``: ``NN-step.png``, the window as it
draws itself (with transparency), and ``NN-step-screen.png``, that corner of the X screen
as a person would see it, speech bubble and card included. Clicks and the press-and-hold
go through the X server with xdotool when it is installed.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QGuiApplication

from agent import events
from agent.buddy import hatch
from desktop.buddy.window import BuddyWindow
from tests.agent.buddy.sample_events import make

pytestmark = pytest.mark.real_display


def showy_pet_id() -> str:
    """The first demo id that hatches a rare-or-better pet wearing a hat."""
    for i in range(10_000):
        buddy = hatch(f"demo-{i}")
        if buddy.rarity in ("rare", "epic", "legendary") and buddy.hat != "none":
            return buddy.user_id
    raise AssertionError("no showy pet in 10 000 ids")


def snap(win: BuddyWindow, folder: Path, name: str) -> None:
    assert win.grab().save(str(folder / f"{name}.png"))
    around = win.frameGeometry().adjusted(-300, -170, 30, 30)
    area = QRect(around).intersected(win.screen().geometry())
    shot = win.screen().grabWindow(0, area.x(), area.y(), area.width(), area.height())
    assert shot.save(str(folder / f"{name}-screen.png"))


def xdotool(*args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=10)


def test_the_pet_on_screen_reacts_to_a_turn(qtbot: Any, buddy_artifacts: Path) -> None:
    assert QGuiApplication.platformName() == "xcb"
    buddy = hatch(showy_pet_id())
    win = BuddyWindow(buddy, "Pixel")
    qtbot.addWidget(win)
    win.show_pet()
    qtbot.waitExposed(win, timeout=30_000)
    qtbot.wait(400)  # the waits before pictures let animations play; nothing waits on them
    snap(win, buddy_artifacts, "00-hello")

    question = make(events.PermissionRequested, call_id="c1", name="Write")
    steps: list[tuple[str, str, Callable[[], None]]] = [
        ("listening", "listening", lambda: win.set_listening(True)),
        ("thinking", "thinking", lambda: win.set_listening(False)),
        ("turn", "thinking", lambda: win.on_event(make(events.TurnStarted, prompt="fix it"))),
        ("tool", "working", lambda: win.on_event(make(events.ToolStarted, name="Bash"))),
        ("question", "waiting", lambda: win.on_event(question)),
        ("allowed", "working", lambda: win.on_event(make(events.ToolStarted, name="Write"))),
        ("done", "happy", lambda: win.on_event(make(events.TurnFinished, stop_reason="end_turn"))),
        ("speaking", "speaking", lambda: win.set_speaking(True)),
        ("error", "worried", lambda: win.on_event(make(events.ErrorOccurred, message="down"))),
    ]
    for i, (name, state, act) in enumerate(steps, start=1):
        win.bubble.hide()
        win._last_said = float("-inf")  # let each step speak, for the screenshots
        act()
        assert win.state == state, name
        qtbot.wait(450)
        snap(win, buddy_artifacts, f"{i:02d}-{name}")

    middle = win.mapToGlobal(QPoint(64, 64))
    if shutil.which("xdotool"):
        xdotool("mousemove", str(middle.x()), str(middle.y()), "click", "1")
        qtbot.waitUntil(win.card.isVisible, timeout=30_000)
        qtbot.wait(200)
        snap(win, buddy_artifacts, "10-card")
        xdotool("click", "1")
        qtbot.waitUntil(lambda: not win.card.isVisible(), timeout=30_000)
        xdotool("mousedown", "1")
        qtbot.waitUntil(lambda: win.petting, timeout=30_000)
        qtbot.wait(700)
        snap(win, buddy_artifacts, "11-petting")
        xdotool("mouseup", "1")
        qtbot.waitUntil(lambda: not win.petting, timeout=30_000)
    win.hide_pet()
    assert not win.isVisible()

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from desktop.windows.overlay import FADE_S, RecordingOverlay
from tests.desktop.buddy_helpers import Clock
from tests.desktop.windows_helpers import assert_floats_without_focus, screenshot


@pytest.fixture
def overlay(qtbot: Any) -> RecordingOverlay:
    win = RecordingOverlay()
    qtbot.addWidget(win)
    return win


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed(qtbot: Any, clock: Clock) -> RecordingOverlay:
    """An overlay on a clock the test moves (frames are run by calling ``_tick``)."""
    win = RecordingOverlay(clock=clock)
    qtbot.addWidget(win)
    return win


def test_it_floats_on_top_and_never_takes_focus(overlay: RecordingOverlay) -> None:
    assert_floats_without_focus(overlay)


def test_recording_sits_at_the_bottom_centre_of_the_primary_screen(
    overlay: RecordingOverlay,
) -> None:
    overlay.show_recording()

    area = QGuiApplication.primaryScreen().availableGeometry()
    assert overlay.isVisible() and overlay.mode == "recording"
    assert abs(overlay.geometry().center().x() - area.center().x()) <= 1
    assert area.bottom() - 120 < overlay.geometry().bottom() < area.bottom()


def test_the_meter_rises_at_once_and_falls_smoothly(timed: RecordingOverlay, clock: Clock) -> None:
    timed.show_recording()
    timed.set_level(0.8)
    assert timed.level == 0.8

    timed.set_level(0.0)
    clock.advance(0.05)
    timed._tick()
    after_one_frame = timed.level
    clock.advance(1.0)
    timed._tick()

    assert 0.5 < after_one_frame < 0.8  # still falling, not dropped
    assert timed.level < 0.01
    timed.set_level(7.0)
    assert timed.level == 1.0  # clamped


def test_screenshots_of_each_state(timed: RecordingOverlay, clock: Clock) -> None:
    timed.show_recording()
    for i in range(40):
        timed.set_level(abs(((i * 7) % 23) - 11) / 11)
        clock.advance(0.033)
        timed._tick()
    screenshot(timed, "overlay_recording")
    timed.show_transcribing()
    clock.advance(0.2)
    screenshot(timed, "overlay_transcribing")
    timed.show_transcript("Add a health check endpoint and run the tests", 3.0)
    clock.advance(1.2)
    assert timed.hint_text() == "Sending in 2 s   ·   Esc cancel · E edit"
    screenshot(timed, "overlay_grace")


def test_the_grace_period_ends_in_confirmed(overlay: RecordingOverlay, qtbot: Any) -> None:
    with qtbot.waitSignal(overlay.confirmed, timeout=30_000) as sent:
        overlay.show_transcript("run the tests", 0.3)
        assert overlay.in_grace

    assert sent.args == ["run the tests"]
    qtbot.waitUntil(lambda: not overlay.isVisible(), timeout=30_000)


def test_cancel_during_the_grace_period(timed: RecordingOverlay, clock: Clock, qtbot: Any) -> None:
    sent: list[str] = []
    timed.confirmed.connect(sent.append)
    timed.show_transcript("delete everything", 5.0)

    with qtbot.waitSignal(timed.cancelled, timeout=30_000):
        assert timed.cancel()
    # Past the end of the grace period: a countdown still running would send now.
    clock.advance(6.0)
    timed._tick()

    assert sent == []
    assert not timed.isVisible()
    assert not timed.cancel()  # nothing left to cancel


def test_edit_during_the_grace_period_hands_the_text_over(
    overlay: RecordingOverlay, qtbot: Any
) -> None:
    overlay.show_transcript("run the test", 5.0)

    with qtbot.waitSignal(overlay.edit_requested, timeout=30_000) as edit:
        assert overlay.edit()

    assert edit.args == ["run the test"]
    assert not overlay.isVisible()


def test_without_grace_confirmed_comes_queued_and_the_overlay_fades(
    timed: RecordingOverlay, clock: Clock, qtbot: Any
) -> None:
    sent: list[str] = []
    timed.confirmed.connect(sent.append)

    timed.show_transcript("what time is it", 0)
    assert sent == []  # queued, not inside the call
    qtbot.waitUntil(lambda: sent == ["what time is it"], timeout=30_000)
    assert not timed.in_grace and not timed.cancel()
    assert timed.hint_text() == "Sent"
    screenshot(timed, "overlay_sent")

    clock.advance(1.5 + FADE_S + 0.01)
    timed._tick()
    assert not timed.isVisible()


def test_a_new_recording_replaces_a_countdown_silently(
    timed: RecordingOverlay, clock: Clock, qtbot: Any
) -> None:
    timed.show_transcript("first try", 2.0)
    timed.show_recording()

    with qtbot.assertNotEmitted(timed.confirmed):
        clock.advance(3.0)
        timed._tick()
    assert timed.mode == "recording"


def test_hide_overlay_stops_the_frames(overlay: RecordingOverlay) -> None:
    overlay.show_transcribing()
    overlay.hide_overlay()

    assert not overlay.isVisible() and not overlay._frames.isActive()

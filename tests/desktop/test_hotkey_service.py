"""The hotkey service hands presses to the app, except while a new shortcut is recorded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desktop.hotkey_service import HotkeyService


class RunsAtOnce:
    def on_main(self, fn: Callable[[], Any]) -> None:
        fn()


def test_presses_reach_the_app_unless_the_settings_window_records_a_shortcut() -> None:
    seen: list[str] = []
    service = HotkeyService(
        RunsAtOnce(), lambda: seen.append("press"), lambda: seen.append("release"), print
    )
    service._pressed()
    service._released()
    service.muted = True  # the settings window is recording ctrl+alt+space
    service._pressed()
    service._released()
    service.muted = False
    service._pressed()

    assert seen == ["press", "release", "press"]

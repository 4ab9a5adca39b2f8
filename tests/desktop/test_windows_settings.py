from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import keyring
import keyring.backends.null
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QSpinBox

from agent import credentials, paths
from agent.config import SETTINGS, Setting
from audio.devices import AudioDeviceError
from desktop import integration
from desktop.background import Background
from desktop.windows import settings as settings_module
from desktop.windows.hotkey_editor import HotkeyEdit
from desktop.windows.mic_picker import MicPicker
from desktop.windows.setting_editors import editor_for, split_label
from desktop.windows.settings import TABS, SettingsWindow, section_of
from tests.desktop.windows_helpers import MemoryKeyring, screenshot

USER_FILE = '# written by me\nmodel = "claude-sonnet-4-6"  # fast enough\nmode = "standard"\n'


@pytest.fixture
def config_path() -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(USER_FILE)
    return path


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(keyring.backends.null.Keyring())


MICS = ["USB Headset Mic", "Built-in Microphone"]


class FakeRecorder:
    """Stands in for ``audio.capture.Recorder``: opens unless the device is "Broken"."""

    made: ClassVar[list[FakeRecorder]] = []

    def __init__(self, device: str) -> None:
        self.device = device
        self.is_open = False
        self.polls = 0
        FakeRecorder.made.append(self)

    def open(self) -> None:
        if self.device == "Broken":
            raise AudioDeviceError("The device 'Broken' is busy: another program is using it.")
        self.is_open = True

    def level(self) -> float:
        self.polls += 1
        return 0.6

    def close(self) -> None:
        self.is_open = False


def fake_window(qtbot: Any, **kw: Any) -> SettingsWindow:
    """A settings window whose microphone is a fake and whose background work runs at once."""
    FakeRecorder.made.clear()
    kw.setdefault("background", Background(immediate=True))
    kw.setdefault("recorder_factory", FakeRecorder)
    kw.setdefault("list_inputs", lambda: list(MICS))
    win = SettingsWindow(**kw)
    qtbot.addWidget(win)
    return win


@pytest.fixture
def window(qtbot: Any, config_path: Path) -> SettingsWindow:
    win = fake_window(qtbot)
    win.show()
    return win


def texts(window: SettingsWindow) -> list[str]:
    return [label.text() for label in window.findChildren(QLabel)]


def test_every_setting_has_an_editor_of_its_kind_with_its_label(window: SettingsWindow) -> None:
    assert set(window.editors) == {s.key for s in SETTINGS}
    labels = texts(window)
    for setting in SETTINGS:
        widget = window.editors[setting.key].widget
        name, _hint = split_label(setting.label)
        if setting.key == "hotkey":
            assert isinstance(widget, HotkeyEdit)
        elif setting.key == "input_device":
            assert isinstance(widget, MicPicker)
        elif setting.choices:
            assert isinstance(widget, QComboBox)
        elif isinstance(setting.default, bool):
            assert isinstance(widget, QCheckBox) and widget.text() == name
            continue
        elif isinstance(setting.default, int):
            assert isinstance(widget, QSpinBox)
            if setting.minimum is not None:
                assert widget.minimum() == setting.minimum
        elif isinstance(setting.default, float):
            assert isinstance(widget, QDoubleSpinBox)
        else:
            assert isinstance(widget, QLineEdit)
        assert name in labels, setting.key


def test_settings_are_grouped_in_four_tabs() -> None:
    assert TABS == ("Assistant", "Voice", "Buddy", "Advanced")
    assert section_of("model") == ("Assistant", "Agent")
    assert section_of("whisper_model") == ("Voice", "Listening")
    assert section_of("buddy_name") == ("Buddy", "Buddy")
    assert section_of("context_window") == ("Advanced", "Model requests")
    # Settings the app core adds later find a place by their key.
    assert section_of("hotkey_mode") == ("Voice", "Push-to-talk")
    assert section_of("sound_cues") == ("Voice", "Push-to-talk")
    assert section_of("something_new") == ("Advanced", "Other")


def test_a_setting_declared_later_is_shown_too(
    qtbot: Any, config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = (
        Setting("hotkey_mode", "hold", "Hotkey mode", choices=("hold", "toggle")),
        Setting("transcript_grace_seconds", 0.0, "Seconds to cancel or edit a transcript"),
    )
    monkeypatch.setattr(settings_module, "SETTINGS", SETTINGS + extra)
    win = SettingsWindow()
    qtbot.addWidget(win)

    assert win.editors["hotkey_mode"].get() == "hold"
    assert win.editors["transcript_grace_seconds"].get() == 0.0


def test_editing_and_saving_writes_the_file_keeps_comments_and_emits(
    window: SettingsWindow, qtbot: Any, config_path: Path
) -> None:
    model = window.editors["model"].widget
    model.clear()
    qtbot.keyClicks(model, "claude-opus-4-1")
    window.editors["mode"].widget.setCurrentText("auto")
    window.editors["max_turns"].widget.setValue(12)
    window.editors["speak_summaries"].widget.setChecked(False)
    assert window.save_button.isEnabled()
    screenshot(window, "settings_edited")

    with qtbot.waitSignal(window.settings_changed, timeout=30_000) as changed:
        qtbot.mouseClick(window.save_button, Qt.MouseButton.LeftButton)

    assert changed.args == [
        {"model": "claude-opus-4-1", "mode": "auto", "max_turns": 12, "speak_summaries": False}
    ]
    assert config_path.read_text() == (
        '# written by me\nmodel = "claude-opus-4-1"  # fast enough\nmode = "auto"\n'
        "max_turns = 12\nspeak_summaries = false\n"
    )
    assert not window.save_button.isEnabled()
    assert "Saved" in window.status.text()


def test_an_invalid_config_file_is_reported_and_left_unchanged(
    qtbot: Any, config_path: Path
) -> None:
    broken = 'model = "claude\n'
    config_path.write_text(broken)
    win = fake_window(qtbot)
    win.show()
    assert "not valid TOML" in win.banner.text()  # said at once, on opening

    win.editors["max_turns"].widget.setValue(3)
    with qtbot.assertNotEmitted(win.settings_changed):
        assert win.save() is False

    assert config_path.read_text() == broken
    assert win.banner.isVisible() and win.banner.text().startswith("Not saved:")
    assert "not valid TOML" in win.banner.text()
    screenshot(win, "settings_invalid_file")


def test_revert_puts_back_the_saved_values(window: SettingsWindow) -> None:
    window.editors["max_turns"].widget.setValue(7)
    window.revert()

    assert window.editors["max_turns"].get() == 50
    assert window.changes() == {}


def test_the_api_key_goes_to_the_keyring_and_never_into_the_file(
    qtbot: Any, config_path: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    win = SettingsWindow()
    qtbot.addWidget(win)
    assert win.key_status.text() == "No key is stored yet."
    assert win.key_field.echoMode() == QLineEdit.EchoMode.Password

    qtbot.keyClicks(win.key_field, "sk-ant-secret-123")
    with qtbot.waitSignal(win.api_key_stored, timeout=30_000):
        qtbot.mouseClick(win.key_button, Qt.MouseButton.LeftButton)
    win.editors["max_turns"].widget.setValue(9)
    assert win.save()

    key = (credentials.KEYRING_SERVICE, credentials.KEYRING_USER)
    assert memory_keyring.passwords == {key: "sk-ant-secret-123"}
    assert win.key_field.text() == ""
    assert win.key_status.text() == "The key is stored in the keyring."
    assert "sk-ant" not in config_path.read_text()
    # Opened again, the window says a key is there but never shows it.
    again = SettingsWindow()
    qtbot.addWidget(again)
    assert again.key_status.text() == "A key is stored in the keyring."
    assert again.key_field.text() == ""


def test_without_a_keyring_the_window_says_so(qtbot: Any, window: SettingsWindow) -> None:
    # tests/conftest.py selects the null backend: nothing can be stored.
    qtbot.keyClicks(window.key_field, "sk-ant-secret-123")
    with qtbot.assertNotEmitted(window.api_key_stored):
        window.store_key()

    assert window.key_status.text().startswith("Could not store the key: No usable keyring")
    assert "ANTHROPIC_API_KEY" in window.key_status.text()


def test_start_at_login_writes_and_removes_the_autostart_entry(window: SettingsWindow) -> None:
    entry = integration.autostart_path()
    assert not window.login_switch.isChecked()

    window.login_switch.setChecked(True)
    assert entry.exists()
    window.login_switch.setChecked(False)
    assert not entry.exists()


def test_the_banner_and_the_hotkey_backend_line(qtbot: Any, window: SettingsWindow) -> None:
    window.show_message("Harken needs an Anthropic API key to work. Paste it below.")
    window.set_hotkey_backend("pynput", "X11 keyboard hook, no root needed")

    assert window.banner.isVisible()
    assert window.backend_line.isReadOnly()
    assert window.backend_line.text() == "pynput — X11 keyboard hook, no root needed"
    # The meter shows in the screenshot.
    qtbot.waitUntil(lambda: window.mic.bar.level > 0.5, timeout=30_000)
    screenshot(window, "settings_first_run")
    for index, tab in enumerate(TABS[1:], start=1):
        window.tabs.setCurrentIndex(index)
        screenshot(window, f"settings_{tab.lower()}")


def test_editors_give_values_back_in_the_settings_type(qtbot: Any) -> None:
    grace = editor_for(Setting("grace", 1.5, "Grace seconds", minimum=0), 2.5)
    floor = editor_for(Setting("floor", -50, "Floor dB"), -60)

    assert grace.get() == 2.5 and isinstance(grace.get(), float)
    assert floor.get() == -60 and floor.widget.minimum() < -60


# ---- the hotkey: press to record ----

CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def test_a_recorded_chord_is_shown_canonically_and_saved(
    qtbot: Any, window: SettingsWindow, config_path: Path
) -> None:
    edit = window.hotkey_edit
    assert edit is not None and edit.value() == "ctrl+alt+space"
    with qtbot.waitSignal(window.recording_changed, timeout=30_000) as started:
        qtbot.mouseClick(edit.record_button, Qt.MouseButton.LeftButton)
    assert started.args == [True] and edit.recording

    qtbot.keyPress(edit, Qt.Key.Key_Control)  # modifiers held so far are shown
    assert edit.shown.text() == "ctrl+…"
    qtbot.keyRelease(edit, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)
    assert edit.shown.text().startswith("Press the shortcut")
    with qtbot.waitSignal(window.recording_changed, timeout=30_000) as stopped:
        qtbot.keyClick(edit, Qt.Key.Key_F9, CTRL_ALT | Qt.KeyboardModifier.ShiftModifier)

    assert stopped.args == [False] and not edit.recording
    assert edit.shown.text() == edit.value() == "ctrl+alt+shift+f9"
    assert window.changes() == {"hotkey": "ctrl+alt+shift+f9"}
    qtbot.mouseClick(edit.record_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_H, Qt.KeyboardModifier.MetaModifier)
    assert edit.value() == "super+h"

    assert window.save()
    assert 'hotkey = "super+h"' in config_path.read_text()


def test_a_printable_key_alone_is_refused_and_recording_goes_on(
    qtbot: Any, window: SettingsWindow
) -> None:
    edit = window.hotkey_edit
    qtbot.mouseClick(edit.record_button, Qt.MouseButton.LeftButton)

    qtbot.keyClick(edit, Qt.Key.Key_A)
    assert not edit.message.isHidden()
    assert edit.message.text().startswith("a alone would type text")
    qtbot.keyClick(edit, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert "shift+space alone would type text" in edit.message.text()

    assert edit.recording and edit.value() == "ctrl+alt+space"
    qtbot.keyClick(edit, Qt.Key.Key_Space, CTRL_ALT)
    assert not edit.recording and edit.message.isHidden()
    assert window.changes() == {}


def test_escape_cancels_recording_and_reset_restores_the_default(
    qtbot: Any, window: SettingsWindow
) -> None:
    edit = window.hotkey_edit
    edit.set_value("Control+Shift+K")
    assert edit.value() == "ctrl+shift+k"
    qtbot.mouseClick(edit.record_button, Qt.MouseButton.LeftButton)
    assert edit.shown.text().startswith("Press the shortcut")

    with qtbot.waitSignal(window.recording_changed, timeout=30_000) as stopped:
        qtbot.keyClick(edit, Qt.Key.Key_Escape)
    assert stopped.args == [False]
    assert not edit.recording and edit.shown.text() == "ctrl+shift+k"

    qtbot.mouseClick(edit.reset_button, Qt.MouseButton.LeftButton)
    assert edit.value() == "ctrl+alt+space"
    assert window.changes() == {}


def test_hiding_the_window_ends_recording(qtbot: Any, window: SettingsWindow) -> None:
    edit = window.hotkey_edit
    qtbot.mouseClick(edit.record_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.recording_changed, timeout=30_000) as stopped:
        window.hide()
    assert stopped.args == [False] and not edit.recording


@pytest.mark.parametrize(
    ("key", "modifiers", "text"),
    [
        (Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier, None),
        (Qt.Key.Key_Space, CTRL_ALT, "ctrl+alt+space"),
        (Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier, "ctrl++"),
        (Qt.Key.Key_PageDown, Qt.KeyboardModifier.AltModifier, "alt+page_down"),
        (Qt.Key.Key_5, Qt.KeyboardModifier.MetaModifier, "super+5"),
        (Qt.Key.Key_F12, Qt.KeyboardModifier.NoModifier, "f12"),
    ],
)
def test_qt_key_presses_map_to_chord_text(key: Any, modifiers: Any, text: str | None) -> None:
    from desktop.hotkeys.chord import Chord
    from desktop.windows.hotkey_editor import chord_text

    assert chord_text(key, modifiers) == text
    if text is not None:
        assert str(Chord.parse(text)) == text


# ---- the microphone: picker and level meter ----


def test_the_device_combo_lists_the_default_and_the_inputs_and_saves_the_choice(
    qtbot: Any, window: SettingsWindow, config_path: Path
) -> None:
    mic = window.mic
    combo = mic.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["System default", *MICS]
    assert mic.value() == ""
    assert FakeRecorder.made[-1].device == ""

    combo.setCurrentIndex(1)  # changing the device restarts the meter on it
    assert window.changes() == {"input_device": "USB Headset Mic"}
    assert [r.device for r in FakeRecorder.made] == ["", "USB Headset Mic"]
    assert not FakeRecorder.made[0].is_open and FakeRecorder.made[1].is_open
    assert window.save()
    assert 'input_device = "USB Headset Mic"' in config_path.read_text()

    mic.combo.setCurrentIndex(0)
    assert window.save()
    assert 'input_device = ""' in config_path.read_text()


def test_a_stored_device_that_is_not_plugged_in_stays_selected(
    qtbot: Any, config_path: Path
) -> None:
    config_path.write_text('input_device = "Old Webcam"\n')
    win = fake_window(qtbot)
    win.show()

    assert win.mic.value() == "Old Webcam"
    assert win.mic.combo.currentText() == "Old Webcam"
    assert win.changes() == {}


def test_the_meter_polls_only_while_the_window_is_shown(qtbot: Any, config_path: Path) -> None:
    win = fake_window(qtbot)
    assert FakeRecorder.made == [] and not win.mic.metering  # nothing opened while hidden

    win.show()
    qtbot.waitUntil(lambda: win.mic.bar.level > 0.5, timeout=30_000)
    recorder = FakeRecorder.made[-1]
    assert recorder.is_open and win.mic.metering

    win.close()
    # Its poll timer is stopped, so no poll can come later: nothing to wait for.
    assert not win.mic.metering and not recorder.is_open
    assert win.mic.bar.level == 0.0

    win.show()  # shown again: a fresh recorder
    assert win.mic.metering and FakeRecorder.made[-1] is not recorder


def test_a_device_that_cannot_be_opened_is_explained_inline(qtbot: Any, config_path: Path) -> None:
    config_path.write_text('input_device = "Broken"\n')
    win = fake_window(qtbot, list_inputs=lambda: ["Broken", *MICS])
    win.show()

    assert not win.mic.message.isHidden()
    assert win.mic.message.text() == "The device 'Broken' is busy: another program is using it."
    assert not win.mic.metering

    win.mic.combo.setCurrentIndex(win.mic.combo.findData("USB Headset Mic"))
    assert win.mic.message.isHidden() and win.mic.metering


def test_the_meter_opens_off_the_gui_thread(qtbot: Any, config_path: Path) -> None:
    import threading

    threads: list[str] = []

    class Recording(FakeRecorder):
        def open(self) -> None:
            threads.append(threading.current_thread().name)
            super().open()

    win = fake_window(qtbot, background=Background(), recorder_factory=Recording)
    win.show()
    qtbot.waitUntil(lambda: win.mic.metering, timeout=30_000)

    assert threads and threads[0] != threading.main_thread().name


@pytest.fixture
def spoken_wav(tmp_path: Path) -> Path:
    import shutil
    import subprocess

    if shutil.which("espeak-ng") is None or shutil.which("paplay") is None:
        pytest.skip("needs espeak-ng and paplay")
    path = tmp_path / "speech.wav"
    text = "Testing the microphone level meter, one two three."
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True)
    return path


@pytest.mark.skipif(
    os.environ.get("HARKEN_TEST_AUDIO") != "1",
    reason="no virtual microphone: run under tests/desktop_env.sh (PulseAudio)",
)
def test_the_meter_moves_with_speech_on_the_real_default_microphone(
    qtbot: Any, config_path: Path, spoken_wav: Path
) -> None:
    import subprocess

    win = SettingsWindow(list_inputs=lambda: [])  # the real Recorder, on a real worker
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.mic.metering, timeout=60_000)
    peaks = [0.0]

    def loud() -> bool:
        peaks.append(max(peaks[-1], win.mic.bar.level))
        return peaks[-1] > 0.3

    player = subprocess.Popen(["paplay", "-d", "virtmic", str(spoken_wav)])
    try:
        qtbot.waitUntil(loud, timeout=30_000)
    finally:
        player.wait(timeout=30)
    win.close()

    assert peaks[-1] > 0.3, f"the meter stayed at {peaks[-1]:.2f}"
    assert not win.mic.metering and win.mic.recorder is None

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.null
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox

from agent import credentials, paths
from agent.config import SETTINGS, Setting
from desktop import integration
from desktop.windows import settings as settings_module
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


@pytest.fixture
def window(qtbot: Any, config_path: Path) -> SettingsWindow:
    win = SettingsWindow()
    qtbot.addWidget(win)
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
        if setting.choices:
            assert isinstance(widget, QComboBox)
        elif isinstance(setting.default, bool):
            assert isinstance(widget, QCheckBox) and widget.text() == name
            continue
        elif isinstance(setting.default, int):
            assert isinstance(widget, QSpinBox)
            if setting.minimum is not None:
                assert widget.minimum() == setting.minimum
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

    with qtbot.waitSignal(window.settings_changed) as changed:
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
    win = SettingsWindow()
    qtbot.addWidget(win)
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
    with qtbot.waitSignal(win.api_key_stored):
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


def test_the_banner_and_the_hotkey_backend_line(window: SettingsWindow) -> None:
    window.show_message("Harken needs an Anthropic API key to work. Paste it below.")
    window.set_hotkey_backend("pynput", "X11 keyboard hook, no root needed")

    assert window.banner.isVisible()
    assert window.backend_line.isReadOnly()
    assert window.backend_line.text() == "pynput — X11 keyboard hook, no root needed"
    screenshot(window, "settings_first_run")
    for index, tab in enumerate(TABS[1:], start=1):
        window.tabs.setCurrentIndex(index)
        screenshot(window, f"settings_{tab.lower()}")


def test_editors_give_values_back_in_the_settings_type(qtbot: Any) -> None:
    grace = editor_for(Setting("grace", 1.5, "Grace seconds", minimum=0), 2.5)
    floor = editor_for(Setting("floor", -50, "Floor dB"), -60)

    assert grace.get() == 2.5 and isinstance(grace.get(), float)
    assert floor.get() == -60 and floor.widget.minimum() < -60

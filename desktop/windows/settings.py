"""The settings window, generated from ``agent.config.SETTINGS``.

What the app uses:

    SettingsWindow(path=None)           build it (hidden); reads config.toml (``path``);
                                        ``background``, ``recorder_factory`` and
                                        ``list_inputs`` are for tests (see mic_picker);
                                        ``mcp_statuses`` (``AgentBridge.mcp_statuses``)
                                        and ``workspace`` feed the MCP servers section
    show_message(text, kind="info")     a banner at the top (first run: "needs a key…")
    set_hotkey_backend(name, detail)    name the push-to-talk backend in use
    settings_changed(dict)              a signal after saving: the changed keys -> values
    api_key_stored()                    a signal after a new key went into the keyring
    recording_changed(bool)             a signal: True while the hotkey editor records a
                                        new shortcut, False when done; pause the global
                                        hotkey meanwhile, so pressing the chord to record
                                        it does not also start push-to-talk

Every setting appears in one of four tabs (Assistant, Voice, Buddy, Advanced), in a
section of its kind (``settings_form``: the generated rows and where each goes); this
module adds the rows no setting describes (API key, hotkey backend, start at login, the
MCP servers: ``mcp_servers``, kept current while the window is shown), and under the key
what the agent still needs (a key, or an endpoint that needs none). The model is typed or
picked from the endpoint's own list (``settings_models``: read when the window is shown
if the endpoint is not Anthropic's, else by its ▾ button). Save
writes only the changed keys (``agent.config_file``); a config file that is not valid TOML
is reported and left untouched. The API key goes to the OS keyring only; the field never
shows a stored key. "Start at login" applies when toggled.
The hotkey is recorded by pressing it (``hotkey_editor``); the microphone is picked from
the input devices, with a level meter that runs only while the window is shown
(``mic_picker``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from agent import credentials
from agent.config import SETTINGS, Setting, load_config
from agent.config_file import save_settings
from agent.errors import ConfigError
from audio.capture import Recorder
from desktop import integration
from desktop.background import Background
from desktop.windows.hotkey_editor import HotkeyEdit
from desktop.windows.mcp_servers import McpServersSection, StatusReader
from desktop.windows.mic_picker import MicPicker, input_names
from desktop.windows.setting_editors import SettingEditor, custom_editor, editor_for
from desktop.windows.settings_form import (
    SECTIONS,
    TABS,
    add_heading,
    add_page,
    add_setting_row,
    column,
    display_order,
    hint_label,
    name_label,
    section_of,
)
from desktop.windows.settings_models import ModelList, agent_needs
from desktop.windows.style import css, mix, theme

__all__ = ["SECTIONS", "TABS", "SettingsWindow", "section_of"]


class SettingsWindow(QWidget):
    settings_changed = Signal(dict)
    api_key_stored = Signal()
    recording_changed = Signal(bool)

    def __init__(
        self,
        path: Path | None = None,
        parent: QWidget | None = None,
        *,
        background: Background | None = None,
        recorder_factory: Callable[[str], Any] = Recorder,
        list_inputs: Callable[[], list[str]] = input_names,
        mcp_statuses: StatusReader | None = None,
        workspace: Callable[[], Path] | None = None,
    ) -> None:
        super().__init__(parent)
        self._mcp_options = {
            "workspace": workspace or self._workspace,
            "statuses": mcp_statuses,
            "background": background,
        }
        self.hotkey_edit: HotkeyEdit | None = None
        self.mic: MicPicker | None = None
        self.model_list: ModelList | None = None
        self._mic_options = {
            "background": background,
            "recorder_factory": recorder_factory,
            "list_inputs": list_inputs,
        }
        self.setWindowTitle("Harken — Settings")
        self.resize(640, 680)
        self.path = path
        self.colours = theme()
        config = load_config(path)
        self.saved: dict[str, Any] = dict(config.values)
        self.editors: dict[str, SettingEditor] = {}
        self._build()
        if config.problems:
            self.show_message("\n".join(config.problems), kind="error")
        self._refresh_dirty()

    # ---- layout ----

    def _build(self) -> None:
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        forms = {tab: add_page(self.tabs, tab) for tab in TABS}
        self._api_key_rows(forms["Assistant"])
        order = display_order()
        shown: list[tuple[str, str]] = []
        for setting in sorted(SETTINGS, key=lambda s: order.get(s.key, len(order))):
            place = section_of(setting.key)
            if place not in shown:
                shown.append(place)
                add_heading(forms[place[0]], place[1])
                if place == ("Voice", "Push-to-talk"):
                    self._backend_row(forms["Voice"])
            self._add_editor(forms[place[0]], setting)
        add_heading(forms["Assistant"], "MCP servers")
        self.mcp_section = McpServersSection(**self._mcp_options)
        forms["Assistant"].addRow(self.mcp_section)
        self._login_rows(forms["Assistant"])

        self.status = QLabel("")
        self.status.setStyleSheet(f"color: {css(self.colours.muted)};")
        self.revert_button = QPushButton("Revert")
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save and apply now (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        bottom = QHBoxLayout()
        bottom.setContentsMargins(16, 8, 16, 12)
        bottom.setSpacing(8)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.banner)
        outer.addWidget(self.tabs, 1)
        outer.addLayout(bottom)

    def _add_editor(self, form: QFormLayout, setting: Setting) -> None:
        value = self.saved.get(setting.key, setting.default)
        editor = self._special_editor(setting, value) or editor_for(setting, value)
        self.editors[setting.key] = editor
        editor.changed.connect(self._refresh_dirty)
        explains_itself = editor.widget in (self.hotkey_edit, self.mic)
        add_setting_row(form, editor, self.colours, explains_itself=explains_itself)
        if setting.key == "model" and isinstance(editor.widget, QLineEdit):
            self.model_list = ModelList(
                editor.widget,
                endpoint=lambda: str(self._current("base_url")),
                background=self._mic_options["background"],
            )
            form.addRow("", self.model_list)

    def _special_editor(self, setting: Setting, value: Any) -> SettingEditor | None:
        """The hotkey recorder and the microphone picker; None for the other settings."""
        if setting.key == "hotkey":
            edit = self.hotkey_edit = HotkeyEdit(str(value), str(setting.default))
            edit.recording_changed.connect(self.recording_changed)
            return custom_editor(setting, edit, edit.value, edit.set_value, edit.changed)
        if setting.key == "input_device":
            mic = self.mic = MicPicker(str(value), **self._mic_options)
            return custom_editor(setting, mic, mic.value, mic.set_value, mic.changed)
        return None

    def _api_key_rows(self, form: QFormLayout) -> None:
        add_heading(form, "Anthropic API key")
        self.key_field = QLineEdit()
        self.key_field.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_field.setPlaceholderText("sk-ant-…  (paste a new key to store it)")
        self.key_field.returnPressed.connect(self.store_key)
        self.key_button = QPushButton("Store key")
        self.key_button.clicked.connect(self.store_key)
        cell = QWidget()
        row = QHBoxLayout(cell)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.key_field, 1)
        row.addWidget(self.key_button)
        self.key_status = hint_label("", self.colours)
        form.addRow(name_label("API key"), column(cell, self.key_status))
        self.needs = hint_label("", self.colours)
        self.needs.setObjectName("agent_needs")
        form.addRow("", self.needs)
        self._show_key_status()

    def _backend_row(self, form: QFormLayout) -> None:
        self.backend_line = QLineEdit("Not started yet")
        self.backend_line.setReadOnly(True)
        self.backend_line.setFrame(False)
        self.backend_line.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.backend_line.setStyleSheet("background: transparent;")
        form.addRow(name_label("Hotkey backend in use"), self.backend_line)

    def _login_rows(self, form: QFormLayout) -> None:
        add_heading(form, "Desktop")
        self.login_switch = QCheckBox("Start Harken when I log in")
        self.login_switch.setChecked(integration.autostart_path().exists())
        self.login_switch.toggled.connect(self._set_autostart)
        form.addRow("", self.login_switch)

    # ---- what the app calls ----

    def show_message(self, text: str, kind: str = "info") -> None:
        """A banner at the top; ``kind`` is "info" or "error"; empty text hides it."""
        tint = self.colours.error if kind == "error" else self.colours.accent
        self.banner.setText(text)
        self.banner.setStyleSheet(
            f"background: {css(mix(tint, self.colours.base, 0.88))};"
            f" color: {css(self.colours.text)};"
            f" border-left: 4px solid {css(tint)}; padding: 10px 12px; margin: 12px 16px 6px;"
        )
        self.banner.setVisible(bool(text))

    def set_hotkey_backend(self, name: str, detail: str) -> None:
        """Name the push-to-talk backend in use (read-only; the setting forces one)."""
        self.backend_line.setText(f"{name} — {detail}" if detail else name)
        self.backend_line.setToolTip(self.backend_line.text())
        self.backend_line.setCursorPosition(0)

    def values(self) -> dict[str, Any]:
        """What the editors show now."""
        order = [s.key for s in SETTINGS if s.key in self.editors]  # as declared
        return {key: self.editors[key].get() for key in order}

    def changes(self) -> dict[str, Any]:
        """The settings edited since the last save."""
        return {k: v for k, v in self.values().items() if v != self.saved.get(k)}

    def save(self) -> bool:
        """Write the changed settings; True when saved (or nothing to save)."""
        changes = self.changes()
        if not changes:
            self.status.setText("Nothing to save.")
            return True
        try:
            written = save_settings(changes, self.path)
        except ConfigError as exc:
            self.show_message(f"Not saved: {exc}", kind="error")
            self.status.setText("Not saved.")
            return False
        self.saved.update(changes)
        self.show_message("")
        self._refresh_dirty()
        self.status.setText(f"Saved to {written.name} and applied.")
        self.settings_changed.emit(changes)
        return True

    def revert(self) -> None:
        for key, editor in self.editors.items():
            editor.set(self.saved.get(key, editor.setting.default))
        self._refresh_dirty()
        self.status.setText("")

    def store_key(self) -> None:
        key = self.key_field.text().strip()
        if not key:
            self._show_key_status("Paste a key into the field first.", error=True)
            return
        try:
            credentials.store_api_key(key)
        except Exception as exc:  # RuntimeError (no keyring) or a backend's own failure
            problem = str(exc)
        else:
            # Some back ends (the null one) accept a key and keep nothing: read it back.
            problem = "" if _stored_key() == key else "No usable keyring kept it."
        if problem:
            self._show_key_status(
                f"Could not store the key: {problem} Set ANTHROPIC_API_KEY instead.", error=True
            )
            return
        self.key_field.clear()
        self._show_key_status("The key is stored in the keyring.")
        self.show_message("")
        self.api_key_stored.emit()

    # ---- the meter runs, a shortcut records, the MCP list refreshes: only while shown ----

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self.mic is not None and not self.mic.active:
            self.mic.start_meter()
        self.mcp_section.watch(True)
        if self.model_list is not None:
            self.model_list.refresh_if_local()

    def hideEvent(self, event: Any) -> None:
        if self.hotkey_edit is not None:
            self.hotkey_edit.cancel_recording()
        if self.mic is not None:
            self.mic.stop_meter()
        self.mcp_section.watch(False)
        super().hideEvent(event)

    # ---- helpers ----

    def _workspace(self) -> Path:
        # As the app decides it (``desktop.app.workspace_of``): the saved setting, else here.
        chosen = str(self.saved.get("workspace") or "")
        return Path(chosen).expanduser() if chosen else Path.cwd()

    def _show_key_status(self, text: str = "", error: bool = False) -> None:
        if not text:
            stored = bool(_stored_key())
            text = "A key is stored in the keyring." if stored else "No key is stored yet."
            if os.environ.get("ANTHROPIC_API_KEY", "").strip():
                text += "\nANTHROPIC_API_KEY is set in the environment and is used first."
        colour = self.colours.error if error else self.colours.muted
        self.key_status.setStyleSheet(f"color: {css(colour)};")
        self.key_status.setText(text)
        needs = agent_needs(str(self.saved.get("base_url") or ""))
        self.needs.setText(needs)
        self.needs.setVisible(bool(needs))

    def _current(self, key: str) -> object:
        """What the editor of ``key`` shows now (saved or not), else the saved value."""
        editor = self.editors.get(key)
        return editor.get() if editor is not None else self.saved.get(key, "")

    def _set_autostart(self, on: bool) -> None:
        try:
            integration.set_autostart(on)
        except OSError as exc:
            self.show_message(f"Could not change start at login: {exc}", kind="error")
            self.login_switch.blockSignals(True)
            self.login_switch.setChecked(not on)
            self.login_switch.blockSignals(False)
            return
        self.status.setText(
            "Harken will start at login." if on else "Harken will not start at login."
        )

    def _refresh_dirty(self) -> None:
        dirty = bool(self.changes())
        self.save_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
        if dirty:
            self.status.setText("Unsaved changes.")


def _stored_key() -> str | None:
    try:
        import keyring

        return keyring.get_password(credentials.KEYRING_SERVICE, credentials.KEYRING_USER)
    except Exception:  # no backend, locked, no D-Bus: nothing we can show as stored
        return None

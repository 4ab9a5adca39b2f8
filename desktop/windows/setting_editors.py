"""One editor widget per setting, chosen from the setting's declaration.

    editor_for(setting, value)   a ``SettingEditor``: choices -> combo box, bool -> check box,
                                 int -> spin box (from ``minimum``), float -> decimal spin
                                 box, text -> line edit
    split_label(label)           "Model id (empty: default)" -> ("Model id", "empty: default")
    custom_editor(setting, widget, get, put, changed)
                                 a ``SettingEditor`` around a purpose-built widget (the
                                 hotkey recorder, the microphone picker)

Every editor reports edits through ``changed`` and gives its value back with the
setting's own type. Spin boxes and combo boxes ignore the mouse wheel unless focused, so
scrolling the page never changes a setting by accident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from agent.config import Setting

INT_LIMIT = 2**31 - 1  # QSpinBox holds a C int


class _Changes(QObject):
    changed = Signal()


@dataclass
class SettingEditor:
    setting: Setting
    widget: QWidget
    get: Callable[[], Any]
    set: Callable[[Any], None]
    signals: _Changes

    @property
    def changed(self) -> Any:
        return self.signals.changed


def split_label(label: str) -> tuple[str, str]:
    """The label's name and its parenthesised hint, if it ends with one."""
    if label.endswith(")") and " (" in label:
        name, _, hint = label.rpartition(" (")
        return name, hint[:-1]
    return label, ""


def editor_for(setting: Setting, value: Any) -> SettingEditor:
    """An editor for ``setting`` showing ``value``."""
    name, hint = split_label(setting.label)
    signals = _Changes()
    default = setting.default
    widget: Any
    if setting.choices:
        widget = QComboBox()
        widget.addItems(list(setting.choices))
        widget.currentIndexChanged.connect(signals.changed)

        def get() -> Any:
            return widget.currentText()

        def put(v: Any) -> None:
            if widget.findText(str(v)) < 0:
                widget.addItem(str(v))  # an unexpected value stays visible, not lost
            widget.setCurrentText(str(v))
    elif isinstance(default, bool):
        widget = QCheckBox(name)
        widget.toggled.connect(signals.changed)
        get, put = widget.isChecked, lambda v: widget.setChecked(bool(v))
    elif isinstance(default, int):
        widget = QSpinBox()
        low = setting.minimum if setting.minimum is not None else -INT_LIMIT
        widget.setRange(max(-INT_LIMIT, low), INT_LIMIT)
        widget.setGroupSeparatorShown(True)
        widget.valueChanged.connect(signals.changed)
        get, put = widget.value, lambda v: widget.setValue(int(v))
    elif isinstance(default, float):
        widget = QDoubleSpinBox()
        low = setting.minimum if setting.minimum is not None else -1e9
        widget.setRange(float(low), 1e9)
        widget.setDecimals(1)
        widget.setSingleStep(0.5)
        widget.valueChanged.connect(signals.changed)
        get, put = widget.value, lambda v: widget.setValue(float(v))
    else:
        widget = QLineEdit()
        widget.setPlaceholderText(hint)
        widget.textChanged.connect(signals.changed)
        get, put = widget.text, lambda v: widget.setText(str(v))
    if isinstance(widget, QAbstractSpinBox | QComboBox):
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        widget.installEventFilter(_WHEEL_GUARD)
        widget.setMinimumWidth(160)
    widget.setToolTip(f"{setting.label}\nconfig.toml: {setting.key}")
    widget.setObjectName(f"setting_{setting.key}")
    put(value)
    return SettingEditor(setting, widget, get, put, signals)


def custom_editor(
    setting: Setting,
    widget: QWidget,
    get: Callable[[], Any],
    put: Callable[[Any], None],
    changed: Any,
) -> SettingEditor:
    """A ``SettingEditor`` for ``widget``, whose ``changed`` signal reports its edits."""
    signals = _Changes()
    changed.connect(signals.changed)
    widget.setToolTip(f"{setting.label}\nconfig.toml: {setting.key}")
    widget.setObjectName(f"setting_{setting.key}")
    return SettingEditor(setting, widget, get, put, signals)


class _WheelGuard(QObject):
    """Hands the wheel to the page (which scrolls) while the editor is not focused."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.Wheel or not isinstance(watched, QWidget):
            return False
        if watched.hasFocus() or watched.parentWidget() is None:
            return False
        QApplication.sendEvent(watched.parentWidget(), event)
        return True


_WHEEL_GUARD = _WheelGuard()

"""The microphone setting: a device picker with a live level meter under it.

    MicPicker(value, background=None, recorder_factory=Recorder, list_inputs=input_names)
        .value()/.set_value(v)   what the setting stores: a device name, or "" for the default
        changed()                a signal when another device was picked
        start_meter()/stop_meter()   the settings window calls these when shown and hidden
        .devices_ready           True once the device list is in the combo
    LevelBar                     a thin bar painted with QPainter, ``set_level(0..1)``

The meter opens ``recorder_factory(device)`` off the GUI thread (``desktop.background``,
one lane, so opening and closing never overlap), then reads ``level()`` on the GUI thread
with a timer. Picking another device restarts it; a device that cannot be opened is named
under the combo with the reason (``AudioDeviceError`` text). The device list is read off
the GUI thread too, when the meter first starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QVBoxLayout, QWidget

from audio.capture import Recorder
from audio.devices import AudioDeviceError, list_devices
from desktop.background import Background
from desktop.windows.style import css, mix, text_font, theme

DEFAULT_LABEL = "System default"
POLL_MS = 50
LANE = "settings-mic"


def input_names() -> list[str]:
    """The names of the input devices, as the setting stores them."""
    return [d.name for d in list_devices() if d.inputs > 0]


class LevelBar(QWidget):
    """A thin bar: how loud the microphone is now (0..1); falls back smoothly."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = 0.0
        self.colours = theme()
        self.setFixedHeight(6)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_level(self, level: float) -> None:
        level = min(1.0, max(0.0, float(level)))
        self.level = max(level, self.level * 0.7)  # rises at once, falls over a few polls
        self.update()

    def reset(self) -> None:
        self.level = 0.0
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, 6)

    def paintEvent(self, _event: Any) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        box = QRectF(self.rect())
        radius = box.height() / 2
        p.setBrush(mix(self.colours.muted, self.colours.base, 0.75))
        p.drawRoundedRect(box, radius, radius)
        if self.level > 0:
            p.setBrush(self.colours.accent)
            p.drawRoundedRect(QRectF(box.x(), box.y(), box.width() * self.level, box.height()),
                              radius, radius)  # fmt: skip
        p.end()


class MicPicker(QWidget):
    changed = Signal()

    def __init__(
        self,
        value: str,
        *,
        background: Background | None = None,
        recorder_factory: Callable[[str], Any] = Recorder,
        list_inputs: Callable[[], list[str]] = input_names,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.background = background or Background(workers=1)
        self.recorder_factory = recorder_factory
        self.list_inputs = list_inputs
        self.recorder: Any = None
        self.devices_ready = False
        self.active = False  # between start_meter and stop_meter
        self._generation = 0  # bumped at each start and stop: late opens are closed
        self.colours = theme()
        self.combo = QComboBox()
        self.combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.combo.addItem(DEFAULT_LABEL, "")
        self.combo.currentIndexChanged.connect(self._picked)
        self.bar = LevelBar()
        self.bar.setToolTip("The microphone's level now: speak to see it move")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setFont(text_font(0.9))
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.hide()
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(5)
        column.addWidget(self.combo)
        column.addWidget(self.bar)
        column.addWidget(self.message)
        self.set_value(value)

    # ---- the value ----

    def value(self) -> str:
        return str(self.combo.currentData() or "")

    def set_value(self, value: Any) -> None:
        value = str(value or "")
        index = self.combo.findData(value)
        if index < 0:  # a device not plugged in now, or an index: shown, not lost
            self.combo.addItem(value, value)
            index = self.combo.count() - 1
        self.combo.setCurrentIndex(index)

    def _fill(self, names: list[str]) -> None:
        current = self.value()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(DEFAULT_LABEL, "")
        for name in names:
            self.combo.addItem(name, name)
        self.set_value(current)
        self.combo.blockSignals(False)
        self.devices_ready = True

    # ---- the meter ----

    @property
    def metering(self) -> bool:
        return self.timer.isActive()

    def start_meter(self) -> None:
        """(Re)open the selected device off the GUI thread and show its level."""
        self._halt()
        self.active = True
        generation = self._generation
        if not self.devices_ready:
            self.background.run(self.list_inputs, self._fill, self._no_list, lane=LANE)
        device = self.value()

        def open_it() -> Any:
            recorder = self.recorder_factory(device)
            recorder.open()
            return recorder

        self._say("Opening the microphone…")
        self.background.run(
            open_it,
            lambda rec: self._opened(generation, rec),
            lambda exc: self._failed(generation, device, exc),
            lane=LANE,
        )

    def stop_meter(self) -> None:
        """Stop polling and close the device (off the GUI thread)."""
        self.active = False
        self._halt()
        self._say("")

    def _halt(self) -> None:
        self._generation += 1
        self.timer.stop()
        self.bar.reset()
        recorder, self.recorder = self.recorder, None
        if recorder is not None:
            self._close(recorder)

    def _opened(self, generation: int, recorder: Any) -> None:
        if generation != self._generation:  # stopped or restarted meanwhile
            self._close(recorder)
            return
        self.recorder = recorder
        self._say("")
        self.timer.start()

    def _failed(self, generation: int, device: str, exc: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(exc, AudioDeviceError):
            text = str(exc)
        else:  # PortAudio missing, a driver's own error: still say it here
            text = f"Cannot open {device or 'the default microphone'}: {exc}"
        self._say(text, error=True)

    def _no_list(self, exc: BaseException) -> None:
        self.devices_ready = True  # the default and the stored value stay choosable
        self._say(f"Cannot list the microphones: {exc}", error=True)

    def _poll(self) -> None:
        if self.recorder is not None:
            self.bar.set_level(self.recorder.level())

    def _close(self, recorder: Any) -> None:
        self.background.run(recorder.close, None, lambda _exc: None, lane=LANE)

    def _picked(self) -> None:
        self.changed.emit()
        if self.active:
            self.start_meter()

    def _say(self, text: str, error: bool = False) -> None:
        colour = self.colours.error if error else self.colours.muted
        self.message.setStyleSheet(f"color: {css(colour)};")
        self.message.setText(text)
        self.message.setVisible(bool(text))

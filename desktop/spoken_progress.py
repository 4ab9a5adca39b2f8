"""A step that runs long earns one spoken line: "Still running pytest."

    progress = SpokenProgress(parent, say)
    progress.watch(call_id, description)   a tool started ("Running `pytest`.")
    progress.finished(call_id)             it ended: nothing is said for it
    progress.stop_all()                    the turn ended

``say(line)`` is called on the GUI thread once a step has run ``PROGRESS_AFTER_MS``; the
caller decides whether anything is still worth saying then (the turn may have ended).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

PROGRESS_AFTER_MS = 12_000  # a step running this long earns a spoken progress line


class SpokenProgress(QObject):
    """One single-shot timer per running step; GUI thread only."""

    def __init__(self, parent: QObject, say: Callable[[str], None]) -> None:
        super().__init__(parent)
        self._say = say
        self._timers: dict[str, QTimer] = {}

    def watch(self, call_id: str, description: str) -> None:
        """Say a line about this step if it is still running after ``PROGRESS_AFTER_MS``."""
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._speak(description))
        timer.start(PROGRESS_AFTER_MS)
        self._timers[call_id] = timer

    def finished(self, call_id: str) -> None:
        """The step ended: nothing is said about it."""
        timer = self._timers.pop(call_id, None)
        if timer is not None:
            timer.stop()

    def stop_all(self) -> None:
        """The turn ended: no step says anything any more."""
        for timer in self._timers.values():
            timer.stop()
        self._timers.clear()

    def _speak(self, description: str) -> None:
        from audio.spoken import for_the_ear

        said = for_the_ear(description)  # "Running pytest." -> "Still running pytest."
        if said:
            self._say(f"Still {said[0].lower()}{said[1:]}")

"""The global push-to-talk key in the running app: started, restarted and stopped off the
GUI thread; its presses reach the controller on the GUI thread.

    service = HotkeyService(background, on_press, on_release, on_status)
    service.start(config) / restart(config) / stop()

``on_status(name, detail, ok)`` says which backend listens (or why none can), for the
settings window, the log and a notification. The backends (``desktop.hotkeys``) probe the
machine (X display, D-Bus) and call back on their own threads, hence the background lane.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.config import Config
    from desktop.background import Background
    from desktop.hotkeys.base import HotkeyBackend

log = logging.getLogger(__name__)

LANE = "hotkey"


class HotkeyService:
    """The push-to-talk key of the running app; its backend lives on the hotkey lane."""

    def __init__(
        self,
        background: Background,
        on_press: Callable[[], None],
        on_release: Callable[[], None],
        on_status: Callable[[str, str, bool], None],
    ) -> None:
        self.background = background
        self.on_press = on_press
        self.on_release = on_release
        self.on_status = on_status
        self.backend: HotkeyBackend | None = None  # hotkey lane only
        # While the settings window records a new shortcut, presses are for it, not us.
        self.muted = False

    def start(self, config: Config) -> None:
        """Choose and start the backend ``config`` names, off the GUI thread."""
        self.background.run(lambda: self._start(config), self._report, self._failed, lane=LANE)

    def restart(self, config: Config) -> None:
        """Stop the backend, then start the one ``config`` names (a changed setting)."""
        self.stop()
        self.start(config)

    def stop(self, *, quitting: bool = False) -> None:
        """Stop listening. When ``quitting``, on a thread nobody waits for: pynput's
        listener can take seconds to notice (it waits for the next X event), and a Python
        thread left running is harmless at exit."""

        def stop() -> None:
            backend, self.backend = self.backend, None
            if backend is not None:
                backend.stop()

        if quitting:
            threading.Thread(target=stop, name="harken-hotkey-stop", daemon=True).start()
            return
        self.background.run(stop, None, lambda exc: log.warning("hotkey stop: %s", exc), lane=LANE)

    def _start(self, config: Config) -> tuple[str, str, bool]:
        from desktop.hotkeys.base import HotkeyError, NoBackend
        from desktop.hotkeys.choose import choose_backend
        from desktop.hotkeys.chord import Chord, ChordError

        try:
            chord = Chord.parse(config.hotkey)
        except ChordError as exc:
            return "none", f"{exc} (the hotkey setting)", False
        backend = choose_backend(config.hotkey_backend, chord)
        ok, reason = backend.available()
        if ok:
            try:
                backend.start(self._pressed, self._released)
            except HotkeyError as exc:
                ok, reason = False, str(exc)
        if ok:
            self.backend = backend
        elif not isinstance(backend, NoBackend):
            log.info("hotkey backend %s unavailable: %s", backend.name, reason)
        detail = f"{backend.label}, {chord}: {reason}" if ok else reason
        return backend.name, detail, ok

    def _pressed(self) -> None:
        self.background.on_main(lambda: None if self.muted else self.on_press())

    def _released(self) -> None:
        self.background.on_main(lambda: None if self.muted else self.on_release())

    def _report(self, status: tuple[str, str, bool]) -> None:
        name, detail, ok = status
        log.info("hotkey: %s backend (%s)", name, detail)
        self.on_status(name, detail, ok)

    def _failed(self, exc: BaseException) -> None:
        log.exception("the hotkey could not start", exc_info=exc)
        self.on_status("none", f"The hotkey could not start: {exc}", False)

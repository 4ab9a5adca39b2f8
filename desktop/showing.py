"""What the running app shows and plays while the interaction moves on.

``Showing`` is mixed into ``desktop.controller.Controller``: ``_show_state`` puts the
machine's state on the tray icon (or the mini window, where there is no tray) with a
tooltip that says what went wrong or which permission is waited for, and lets go of the
overlay's keyboard grab once the grace period is over; ``_show_level`` feeds the overlay's
meter; ``_overlay``, ``_buddy`` and ``_cue`` call the overlay, the pet and the sound cues
when they are there (any of them may be missing: while starting, or turned off).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desktop import state as st

if TYPE_CHECKING:
    from desktop.parts import Parts
    from desktop.permission_flow import PermissionFlow
    from desktop.tray import TrayIcon
    from desktop.windows.mini import MiniWindow


class Showing:
    """Mixed into ``Controller``, which sets the attributes below."""

    machine: st.Machine
    parts: Parts | None
    permissions: PermissionFlow
    tray: TrayIcon | None
    mini: MiniWindow | None
    _grabbing: bool  # the overlay holds the keyboard (Esc and E in the grace period)

    def _show_state(self) -> None:
        if self._grabbing and self.machine.state is not st.State.CONFIRMING:
            self._grabbing = False
            if self.parts and self.parts.overlay:
                self.parts.overlay.releaseKeyboard()
        display = self.machine.display
        tooltip = ""
        if display == "error":
            tooltip = f"Harken: {self.machine.error}"
        elif display == "waiting" and (request := self.permissions.waiting()) is not None:
            tooltip = f"Harken: allow {request.name}? {request.description}"
        if self.tray is not None:
            self.tray.set_state(display, tooltip)
        if self.mini is not None:
            from desktop.tray import TOOLTIPS

            self.mini.set_state(display, tooltip or TOOLTIPS.get(display, "Harken"))

    def _show_level(self) -> None:
        p = self.parts
        if p is not None and p.voice is not None:
            self._overlay("set_level", p.voice.level())

    def _overlay(self, method: str, *args: Any) -> None:
        overlay = self.parts.overlay if self.parts else None
        if overlay is not None:
            getattr(overlay, method)(*args)

    def _buddy(self, method: str, *args: Any) -> None:
        buddy = self.parts.buddy if self.parts else None
        if buddy is not None:
            getattr(buddy, method)(*args)

    def _cue(self, name: str) -> None:
        cues = self.parts.cues if self.parts else None
        if cues is not None:
            cues.play(name)

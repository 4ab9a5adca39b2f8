"""The windows the tray app builds once its icon is up: the conversation window, the
recording overlay, the buddy, the mini window (without a tray) and, on demand, the settings
window. Qt and the window modules load only when these run (``desktop.app.start_parts``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("harken.app")  # the app's own log, as before the split


def build_windows(controller: Any, config: Any, menu: Any, has_tray: bool) -> dict[str, Any]:
    """The conversation window, the overlay, the buddy and, without a tray, the mini window."""
    from desktop.windows.conversation import ConversationWindow
    from desktop.windows.overlay import RecordingOverlay

    windows: dict[str, Any] = {
        "conversation": ConversationWindow(),
        "overlay": RecordingOverlay(),
        "buddy": build_buddy(config),
    }
    if not has_tray:
        from desktop.windows.mini import MiniWindow

        mini = MiniWindow()
        mini.set_menu(menu)
        mini.talk_pressed.connect(controller.press)
        mini.talk_released.connect(controller.release)
        mini.show()
        controller.mini = mini
    controller.make_settings_window = lambda: make_settings_window(controller)
    return windows


def make_settings_window(controller: Any) -> Any:
    """A settings window showing the live MCP status and the hotkey backend."""
    from desktop.windows.settings import SettingsWindow

    def mcp_statuses(where: Path) -> Any:
        # Called on the settings section's worker: it waits for the agent thread.
        parts = controller.parts
        bridge = parts.bridge if parts is not None else None
        return bridge.mcp_statuses(where) if bridge is not None else None

    def workspace() -> Path:
        parts = controller.parts
        return parts.workspace if parts is not None else Path.cwd()

    window = SettingsWindow(mcp_statuses=mcp_statuses, workspace=workspace)
    status = getattr(controller, "hotkey_status", None)
    if status is not None:
        window.set_hotkey_backend(*status)
    return window


def build_buddy(config: Any) -> Any:
    """The user's buddy window (shown when the settings say so); None if it cannot hatch."""
    from agent.buddy import hatch, name_of, user_id_for
    from desktop.buddy.window import BuddyWindow

    try:
        buddy = hatch(user_id_for(config))
        window = BuddyWindow(buddy, name_of(buddy, config))
    except Exception:  # the pet is a companion, not a reason to fail
        log.exception("the buddy could not hatch")
        return None
    if config.buddy_visible:
        window.show_pet()
    return window

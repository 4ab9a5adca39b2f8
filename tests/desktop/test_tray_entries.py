"""Tray entries that open windows of other parts of the app, from the real controller."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from agent.config import Config
from desktop.background import Background
from desktop.controller import Controller, Parts
from desktop.tray import TrayMenu
from desktop.windows.memory import MemoryWindow


def test_memory_opens_the_memory_window_for_the_apps_folder(qtbot: Any, workspace: Path) -> None:
    controller = Controller(Config(), quit_app=lambda: None)
    parts = Parts(Background(immediate=True))
    parts.workspace = workspace
    controller.attach(parts)
    menu = TrayMenu(controller)
    try:
        next(a for a in menu.actions() if a.text() == "Memory…").trigger()
        # Visible ones: a window an earlier test closed may still exist, hidden.
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MemoryWindow)]
        shown = [w for w in windows if w.isVisible()]
        assert len(shown) == 1, windows
        assert Path(shown[0].workspace).resolve() == workspace.resolve()
    finally:
        for window in QApplication.topLevelWidgets():
            if isinstance(window, MemoryWindow):
                window.close()
        controller.shutdown()

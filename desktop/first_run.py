"""What a person meets the first time: no API key yet, or a desktop without a tray.

check_api_key(controller, background)   no key: the settings window opens and says so
explain_missing_tray(controller)        once per user: why there is a small window
                                        instead of a tray icon, and the fix
"""

from __future__ import annotations

import logging
from typing import Any

from agent import paths

log = logging.getLogger(__name__)

NEEDS_KEY = (
    "Harken's agent needs an Anthropic API key, or a local Anthropic-compatible server "
    "(Ollama, a LiteLLM proxy) that needs none: see below. A key is kept in your system "
    "keyring, never in a file. Voice and dictation work without either."
)
NO_TRAY = (
    "Your desktop shows no system tray, so Harken keeps a small window open instead; "
    "its menu has everything the tray menu has.\n\n"
    "On GNOME, install and enable the \u201cAppIndicator and KStatusNotifierItem Support\u201d "
    "extension (package gnome-shell-extension-appindicator), then start Harken again to "
    "get the tray icon."
)
NO_TRAY_MARKER = "no-tray-explained"


def check_api_key(controller: Any, background: Any) -> None:
    """Look for the key off the GUI thread (the keyring may be slow to answer)."""
    from agent import credentials

    def found(key: str | None) -> None:
        if key:
            return
        log.info("no API key: opening the settings")
        controller.show_settings(NEEDS_KEY)

    background.run(credentials.api_key, found)


def explain_missing_tray(controller: Any) -> None:
    """Say once per user (a marker in the data folder) why there is no tray icon."""
    marker = paths.data_dir() / NO_TRAY_MARKER
    log.warning("no system tray: showing the mini window")
    if marker.exists():
        return
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Information, "Harken: no system tray", NO_TRAY)
    box.setModal(False)  # the mini window stays usable while this is open
    box.show()
    controller._no_tray_box = box  # keep it alive while it is open
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("The missing tray was explained once.\n")
    except OSError as exc:
        log.warning("cannot remember that the missing tray was explained: %s", exc)

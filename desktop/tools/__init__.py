"""Tools that act on the user's desktop, added to the sessions of the tray and `harken ask`.

    Clipboard      read or replace the clipboard's text              (clipboard.py)
    Screenshot     the screen, a window or a region, as an image     (screen.py)
    ActiveWindow   the focused window and the selected text          (screen.py)
    Notify         a desktop notification                            (launch.py)
    Open           a web address, file or application                (launch.py)

    attach_desktop_tools(session)   give a session these tools when there is a screen,
                                    and web search when the user turned it on
                                    (``agent.tools.web_search``)

What each call touches is judged by the permission engine like any tool's
(``agent.permissions.desktop_calls``). The X11 parts use python-xlib (``x11.py``,
``clip_owner.py``), pictures are encoded with numpy and zlib (``png.py``), Notify uses
D-Bus through jeepney, Open the desktop's own handler; on Wayland, screenshots come from
xdg-desktop-portal (``portal_shot.py``, the one place Qt is loaded: QImage reads the PNG)
and the clipboard from wl-clipboard when installed (else XWayland's). No Qt otherwise:
``harken ask`` stays light. This package may import ``agent``; nothing in ``agent`` or
``audio`` imports it, and it imports Xlib, numpy, jeepney and Qt only inside the functions
that use them.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from agent.tools.base import Tool


def has_screen() -> bool:
    """Whether there is a desktop to act on: an X display (XWayland counts), or Wayland."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False  # only Linux desktops are served yet


def desktop_tools() -> list[Tool[Any]]:
    """The desktop tools, in the order the model sees them."""
    from desktop.tools.clipboard import CLIPBOARD
    from desktop.tools.launch import NOTIFY, OPEN
    from desktop.tools.screen import ACTIVE_WINDOW, SCREENSHOT

    return [CLIPBOARD, SCREENSHOT, ACTIVE_WINDOW, NOTIFY, OPEN]


# The names of ``desktop_tools()``, known without importing them (``harken ask`` stays light).
DESKTOP_TOOL_NAMES = ("Clipboard", "Screenshot", "ActiveWindow", "Notify", "Open")
NO_DISPLAY = (
    "there is no desktop display in this session (neither DISPLAY nor WAYLAND_DISPLAY is "
    "set), so the desktop tools ({names}) are not available. Do the task another way or "
    "tell the user."
)


def attach_desktop_tools(session: Any) -> None:
    """Add the desktop tools to ``session`` when there is a screen, and web search on the
    turns the user's setting and rules allow it. Without a screen, a call to one of them
    is answered with why it cannot run (``agent.tool_runner.UNAVAILABLE``)."""
    from agent.tool_runner import UNAVAILABLE
    from agent.tools.web_search import attach_web_search

    if has_screen():
        for tool in desktop_tools():
            session.tools.setdefault(tool.name, tool)
    else:
        why = NO_DISPLAY.format(names=", ".join(DESKTOP_TOOL_NAMES))
        UNAVAILABLE.update(dict.fromkeys(DESKTOP_TOOL_NAMES, why))
    attach_web_search(session)


__all__ = ["attach_desktop_tools", "desktop_tools", "has_screen"]

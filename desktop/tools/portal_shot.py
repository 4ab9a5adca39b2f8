"""Screenshots on Wayland: xdg-desktop-portal's Screenshot interface, over D-Bus (jeepney).

A Wayland compositor lets no program read the screen by itself; X11's GetImage through
XWayland sees only X windows (the rest is black). The portal asks the compositor, which
may ask the user once, and answers with a PNG file's URI. The PNG is read with Qt's
QImage (loaded only here) so it can be cropped to a region and scaled like X11 shots.

    wayland_session()          whether the desktop is a Wayland session
    portal_screenshot()        (RGB pixels, the file the desktop saved); raises ToolError
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from agent.tools.base import ToolError

PORTAL = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SCREENSHOT = "org.freedesktop.portal.Screenshot"
REQUEST = "org.freedesktop.portal.Request"
ANSWER_TIMEOUT_S = 120.0  # the desktop may show the user a question first


def wayland_session() -> bool:
    """Whether this is a Wayland session (where X11's view of the screen is partial)."""
    return (
        bool(os.environ.get("WAYLAND_DISPLAY"))
        or os.environ.get("XDG_SESSION_TYPE", "").lower() == "wayland"
    )


def portal_screenshot() -> tuple[Any, Path]:
    """The whole screen through the portal, as an RGB array, and the file it came in."""
    from jeepney import DBusAddress, MatchRule, new_method_call
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import Proxy, open_dbus_connection

    try:
        connection = open_dbus_connection(bus="SESSION")
    except (OSError, KeyError) as exc:
        raise ToolError(f"No desktop session bus, so no screenshot portal ({exc}).") from None
    with connection:
        token = f"harken{secrets.token_hex(6)}"
        sender = connection.unique_name.removeprefix(":").replace(".", "_")
        request_path = f"{PORTAL_PATH}/request/{sender}/{token}"
        # Listen before asking: the answer may come before the call's own reply.
        rule = MatchRule(type="signal", interface=REQUEST, member="Response", path=request_path)
        Proxy(message_bus, connection).AddMatch(rule)
        portal = DBusAddress(PORTAL_PATH, bus_name=PORTAL, interface=SCREENSHOT)
        options = {"handle_token": ("s", token), "interactive": ("b", False)}
        call = new_method_call(portal, "Screenshot", "sa{sv}", ("", options))
        with connection.filter(rule) as answers:
            reply = connection.send_and_get_reply(call, timeout=10)
            if reply.header.message_type.name == "error":
                why = reply.body[0] if reply.body else "no screenshot portal"
                raise ToolError(f"The desktop has no screenshot portal: {why}")
            try:
                signal = connection.recv_until_filtered(answers, timeout=ANSWER_TIMEOUT_S)
            except TimeoutError:
                raise ToolError("The desktop did not answer the screenshot request.") from None
    code, results = signal.body
    if code != 0:
        raise ToolError("The desktop refused the screenshot (declined or cancelled).")
    uri = str(results.get("uri", ("s", ""))[1])
    path = Path(unquote(urlsplit(uri).path))
    return _read_png(path), path


def _read_png(path: Path) -> Any:
    """The RGB pixels of the image file ``path`` (QImage reads it; no window needed)."""
    import numpy as np
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    if image.isNull():
        raise ToolError(f"The desktop's screenshot {path} could not be read.")
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return raw.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()

"""Screenshot on a Wayland desktop: through xdg-desktop-portal's Screenshot interface (a
scripted portal on a private session bus answers with a PNG file, as GNOME's and KDE's
do), via the real ``harken ask``."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from jeepney import DBusAddress, HeaderFields, MessageType, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import Proxy, open_dbus_connection

from desktop.tools import png
from tests.desktop.fake_portal import private_bus
from tests.desktop.test_desktop_tools import decoded, result_image, result_text, tool_results
from tests.e2e.conftest import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

PORTAL_NAME = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"


class FakeScreenshotPortal:
    """Answers Screenshot calls like xdg-desktop-portal: a Request path now, then its
    Response signal with the file's URI (``answer`` 1: the user declined)."""

    def __init__(self, address: str, picture: Path, answer: int = 0) -> None:
        self.picture, self.answer = picture, answer
        self.calls: list[tuple[Any, ...]] = []
        self._conn = open_dbus_connection(address)
        Proxy(message_bus, self._conn).RequestName(PORTAL_NAME)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._conn.receive(timeout=0.1)
            except TimeoutError:
                continue
            fields = message.header.fields
            if message.header.message_type != MessageType.method_call:
                continue
            if fields.get(HeaderFields.member) != "Screenshot":
                continue
            self.calls.append(message.body)
            _parent, options = message.body
            sender = fields[HeaderFields.sender][1:].replace(".", "_")
            request = f"{PORTAL_PATH}/request/{sender}/{options['handle_token'][1]}"
            self._conn.send(new_method_return(message, "o", (request,)))
            results = {"uri": ("s", self.picture.as_uri())} if self.answer == 0 else {}
            emitter = DBusAddress(request, interface="org.freedesktop.portal.Request")
            self._conn.send(new_signal(emitter, "Response", "ua{sv}", (self.answer, results)))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._conn.close()


@pytest.fixture
def screen_png(tmp_path: Path) -> tuple[Path, Any]:
    """A 640×400 "screen": dark, with an orange rectangle at (100, 50) of 200×80."""
    pixels = np.full((400, 640, 3), 30, dtype=np.uint8)
    pixels[50:130, 100:300] = (255, 128, 0)
    path = tmp_path / "Screenshot from today.png"
    path.write_bytes(png.encode(pixels))
    return path, pixels


def wayland_ask(api: ScriptedAPI, workspace: Path, bus: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}  # no X server at all
    env |= {
        "ANTHROPIC_BASE_URL": api.base_url,  # type: ignore[attr-defined]
        "WAYLAND_DISPLAY": "wayland-harken-test",
        "DBUS_SESSION_BUS_ADDRESS": bus,
    }
    return subprocess.run(
        [*harken_command(), "ask", "--yes", "look at my screen"],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_on_wayland_the_portal_takes_the_screenshot(
    api: ScriptedAPI, workspace: Path, screen_png: tuple[Path, Any]
) -> None:
    picture, pixels = screen_png
    box = {"x": 100, "y": 50, "width": 200, "height": 80}
    api.script(
        Reply([tool_use("Screenshot", {})]),
        Reply([tool_use("Screenshot", {"region": box})]),
        Reply([tool_use("Screenshot", {"window": "active"})]),
        Reply([text("An orange box.")]),
    )
    with private_bus() as bus:
        portal = FakeScreenshotPortal(bus, picture)
        try:
            result = wayland_ask(api, workspace, bus)
        finally:
            portal.close()

    assert result.returncode == 0, result.stderr
    assert len(portal.calls) == 2
    assert portal.calls[0][1]["interactive"] == ("b", False)
    whole, region, window = (tool_results(r)[0] for r in api.requests[1:4])
    assert (decoded(result_image(whole)) == pixels).all()
    assert "screenshot portal" in result_text(whole) and str(picture) in result_text(whole)
    cut = decoded(result_image(region))
    assert cut.shape == (80, 200, 3) and (cut == (255, 128, 0)).all()
    assert window["is_error"] and "not one window" in result_text(window)


def test_a_declined_portal_screenshot_tells_the_model(
    api: ScriptedAPI, workspace: Path, screen_png: tuple[Path, Any]
) -> None:
    api.script(Reply([tool_use("Screenshot", {})]), Reply([text("ok")]))
    with private_bus() as bus:
        portal = FakeScreenshotPortal(bus, screen_png[0], answer=1)
        try:
            result = wayland_ask(api, workspace, bus)
        finally:
            portal.close()

    assert result.returncode == 0, result.stderr
    [refused] = tool_results(api.requests[1])
    assert refused["is_error"]
    assert result_text(refused) == "The desktop refused the screenshot (declined or cancelled)."

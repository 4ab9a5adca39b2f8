"""The desktop tools on a real X server (tests/desktop_env.sh's Xvfb), through the real
``harken ask`` and the scripted Messages API: the clipboard round-trips, a screenshot
reaches the model as an image of the right size, ActiveWindow names a real Qt window and
its selected text, and a Screenshot the user refuses never runs."""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from agent.events import PermissionAnswer
from desktop.tools import attach_desktop_tools, png, x11
from tests.conftest import Recorder
from tests.e2e.conftest import harken_command
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = pytest.mark.real_display

SCREEN = (1280, 800)  # tests/desktop_env.sh's Xvfb


def harken_ask(api: ScriptedAPI, workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``harken ask --yes ARGS`` on the test display, against the scripted API."""
    # The test screen is X11's, even when the tests run inside a Wayland session.
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env["ANTHROPIC_BASE_URL"] = api.base_url  # type: ignore[attr-defined]
    return subprocess.run(
        [*harken_command(), "ask", "--yes", *args],
        cwd=workspace,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def tool_results(request: dict[str, Any]) -> list[dict[str, Any]]:
    """The tool_result blocks of a request's last message."""
    content = request["messages"][-1]["content"]
    return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]


def result_text(result: dict[str, Any]) -> str:
    content = result.get("content")
    if isinstance(content, str):
        return content
    return "\n".join(b.get("text", "") for b in content or [] if b.get("type") == "text")


def result_image(result: dict[str, Any]) -> bytes:
    images = [b for b in result["content"] if b.get("type") == "image"]
    assert len(images) == 1, result
    assert images[0]["source"]["media_type"] == "image/png"
    return base64.b64decode(images[0]["source"]["data"])


def clipboard_now() -> str | None:
    d = x11.connect()
    try:
        return x11.read_selection(d, "CLIPBOARD")
    finally:
        d.close()


def test_clipboard_write_then_read_round_trips(api: ScriptedAPI, workspace: Path) -> None:
    words = "Harken was here: naïve café ✓ 42"
    api.script(
        Reply([tool_use("Clipboard", {"action": "write", "text": words})]),
        Reply([tool_use("Clipboard", {"action": "read"})]),
        Reply([text("It round-tripped.")]),
    )

    result = harken_ask(api, workspace, "copy that and read it back")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "It round-tripped."
    wrote, read = (tool_results(r)[0] for r in api.requests[1:3])
    assert not wrote.get("is_error") and "Copied 32 characters" in result_text(wrote)
    assert not read.get("is_error")
    assert words in result_text(read)  # the model's next request holds the text
    # The text outlives `harken ask`: another program pastes it.
    assert clipboard_now() == words


def test_a_screenshot_reaches_the_model_as_an_image(api: ScriptedAPI, workspace: Path) -> None:
    api.script(
        Reply([tool_use("Screenshot", {})]),
        Reply(
            [tool_use("Screenshot", {"region": {"x": 10, "y": 20, "width": 300, "height": 120}})]
        ),
        Reply([text("I see it.")]),
    )

    result = harken_ask(api, workspace, "look at my screen")

    assert result.returncode == 0, result.stderr
    whole, region = (tool_results(r)[0] for r in api.requests[1:3])
    assert png.size_of(result_image(whole)) == SCREEN
    assert "1280×800 pixels" in result_text(whole)
    assert png.size_of(result_image(region)) == (300, 120)
    assert "at (10, 20)" in result_text(region)


def decoded(data: bytes) -> Any:
    """The RGB pixels of a PNG made by ``desktop.tools.png`` (every row Sub-filtered)."""
    import zlib

    import numpy as np

    width, height = png.size_of(data)
    body, at = b"", 8
    while at < len(data):  # collect the IDAT chunks
        length = int.from_bytes(data[at : at + 4], "big")
        if data[at + 4 : at + 8] == b"IDAT":
            body += data[at + 8 : at + 8 + length]
        at += 12 + length
    rows = np.frombuffer(zlib.decompress(body), np.uint8).reshape(height, width * 3 + 1)
    assert set(rows[:, 0].tolist()) == {1}
    return (np.cumsum(rows[:, 1:].reshape(height, width, 3), axis=1) % 256).astype(np.uint8)


def test_a_window_screenshot_shows_that_window(
    qtbot: Any, api: ScriptedAPI, workspace: Path
) -> None:
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    window.setWindowTitle("Orange report — Harken test")
    window.setStyleSheet("background: rgb(255, 128, 0);")
    window.setGeometry(300, 200, 360, 240)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=30_000)
    api.script(
        Reply([tool_use("Screenshot", {"window": "orange report"})]), Reply([text("Orange.")])
    )
    done: list[subprocess.CompletedProcess[str]] = []
    runner = threading.Thread(target=lambda: done.append(harken_ask(api, workspace, "look")))
    runner.start()
    qtbot.waitUntil(lambda: not runner.is_alive(), timeout=120_000)  # Qt keeps painting

    assert done[0].returncode == 0, done[0].stderr
    [result] = tool_results(api.requests[1])
    assert "the window 'Orange report — Harken test'" in result_text(result)
    pixels = decoded(result_image(result))
    assert pixels.shape == (240, 360, 3)
    # What the user sees there: the window's own colour, edge to edge.
    assert pixels[120, 180].tolist() == [255, 128, 0]
    assert pixels[2, 2].tolist() == [255, 128, 0] and pixels[-3, -3].tolist() == [255, 128, 0]


def test_a_large_screen_is_scaled_to_what_the_api_uses() -> None:
    import numpy as np

    pixels = np.zeros((2160, 3840, 3), dtype=np.uint8)
    pixels[:, 1920:] = 255  # right half white: the scaled picture keeps its halves
    shown, scale = png.fit(pixels)
    assert shown.shape == (882, 1568, 3)
    assert scale == pytest.approx(1568 / 3840)
    assert shown[0, 0].tolist() == [0, 0, 0] and shown[0, -1].tolist() == [255, 255, 255]
    assert png.size_of(png.encode(shown)) == (1568, 882)


def test_active_window_names_a_real_qt_window_and_its_selection(
    qtbot: Any, api: ScriptedAPI, workspace: Path
) -> None:
    from PySide6.QtGui import QClipboard, QGuiApplication
    from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

    window = QWidget()
    window.setWindowTitle("Quarterly notes — Harken test")
    QVBoxLayout(window).addWidget(QLineEdit("budget for March"))
    window.resize(420, 160)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=30_000)
    window.activateWindow()
    # Selected text on X11 is the PRIMARY selection, which this window now owns.
    QGuiApplication.clipboard().setText("budget for March", QClipboard.Mode.Selection)

    def focused_title() -> str:
        d = x11.connect()
        try:
            found = x11.focused_window(d)
            return x11.window_info(d, found).title if found is not None else ""
        finally:
            d.close()

    qtbot.waitUntil(lambda: focused_title() == "Quarterly notes — Harken test", timeout=60_000)
    api.script(Reply([tool_use("ActiveWindow", {})]), Reply([text("You are in your notes.")]))
    done: list[subprocess.CompletedProcess[str]] = []
    # Qt must keep answering while harken asks it for the selection: run harken aside.
    runner = threading.Thread(
        target=lambda: done.append(harken_ask(api, workspace, "what's this?"))
    )
    runner.start()
    qtbot.waitUntil(lambda: not runner.is_alive(), timeout=120_000)

    assert done[0].returncode == 0, done[0].stderr
    said = result_text(tool_results(api.requests[1])[0])
    assert "Title: Quarterly notes — Harken test" in said
    assert f"pid {os.getpid()}" in said  # this very process shows the window
    assert "<selected_text>\nbudget for March\n</selected_text>" in said


async def test_screenshot_asks_in_standard_mode_and_a_no_keeps_it_from_running(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply([tool_use("Screenshot", {})]), Reply([text("Understood.")]))
    session = make_session(mode="standard")
    attach_desktop_tools(session)
    events = Recorder(answer=lambda _event: PermissionAnswer(allow=False))
    session.subscribe(events)

    outcome = await session.submit("what is on my screen?")

    assert outcome.stop_reason == "end_turn"
    [asked] = events.of("permission_requested")
    assert asked.name == "Screenshot"
    assert asked.reason == "reads outside the workspace: the screen"
    assert events.of("tool_started") == []  # it never ran
    [refused] = tool_results(api.requests[1])
    assert refused["is_error"] and "denied" in result_text(refused)
    assert "image" not in str(refused["content"])


async def test_in_bypass_mode_a_screenshot_runs_without_asking(
    api: ScriptedAPI, make_session: Any
) -> None:
    api.script(Reply([tool_use("Screenshot", {"window": "no such window anywhere"})]),
               Reply([text("ok")]))  # fmt: skip
    session = make_session(mode="bypass")
    attach_desktop_tools(session)
    events = Recorder()
    session.subscribe(events)

    await session.submit("screenshot")

    assert events.of("permission_requested") == []
    [result] = tool_results(api.requests[1])
    assert "No visible window's title or application has 'no such window anywhere'" in (
        result_text(result)
    )

"""The tray app as a person uses it: real X server, tray, microphone, hotkey and Whisper.

`harken` starts on the virtual screen of tests/desktop_env.sh (Xvfb with the trayer tray
host) with the PulseAudio virtual microphone, against the scripted Messages API. The test
holds the hotkey with xdotool, speaks a command into the microphone (espeak-ng + paplay),
releases the key, and checks what the scripted server heard, the permission dialog (a
screenshot is kept), the answer (Allow: the file exists; Deny: it does not), and the
spoken summary: with ``HARKEN_SPEECH_OUT`` set, the app writes each spoken text to a WAV
file in that folder instead of playing it, and logs the text.

Screenshots go to ``artifacts/e2e/``: the overlay while recording, the permission
dialog, the tray menu, the conversation window, and the settings window on a first run.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.desktop_helpers import (
    ARTIFACTS,
    TRAY_E2E,
    HarkenApp,
    eventually,
    find_window,
    run,
    say_with_hotkey,
    screenshot,
    tray_desktop,
    tray_icon_center,
    wait_visible,
    window_gone,
)
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = TRAY_E2E


def heard(request: dict[str, Any]) -> str:
    """The text of the last user message the model was sent."""
    content = request["messages"][-1]["content"]
    return " ".join(block.get("text", "") for block in content if block.get("type") == "text")


@pytest.fixture
def desktop(
    api: ScriptedAPI, isolated_env: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[dict[str, Any]]:
    """The environment a person's session would give Harken, pointing at the test's own
    folders and the scripted API."""
    with tray_desktop(api, isolated_env, tmp_path, keep_log_as=request.node.name) as desktop:
        yield desktop


def answer_dialog(app: HarkenApp, key: str, shot: str, after: int) -> None:
    window = find_window("Harken — allow")
    # The dialog ignores Allow until it is armed (a moment after it shows); it says when.
    app.wait_log("Allow can be pressed now", after=after)
    screenshot(shot)
    run("xdotool", "windowfocus", "--sync", window)
    run("xdotool", "key", key)
    assert window_gone(window), "the permission dialog stayed open"


def test_spoken_request_asks_permission_and_acts_on_the_answer(
    desktop: dict[str, Any], api: ScriptedAPI, workspace: Path
) -> None:
    def write_asked(request: dict[str, Any]) -> Reply:
        return Reply([tool_use("Write", {"file_path": "notes.txt", "content": "Buy milk.\n"})])

    api.script(
        write_asked,
        Reply([text("I created notes.txt with your note in it.")]),
        Reply([tool_use("Write", {"file_path": "later.txt", "content": "Later.\n"})]),
        Reply([text("You said no, so I did not create later.txt.")]),
    )
    app = HarkenApp(desktop["env"], workspace, desktop["log"]).start()
    try:
        # Allow.
        # Words tiny.en hears surely in espeak's voice (spoken file names have their own
        # tests: tests/audio/test_names_heard.py).
        say_with_hotkey(
            app, "please create a file called notes", desktop["tmp"], shot="01-recording.png"
        )
        answer_dialog(app, "a", "02-permission-dialog.png", after=0)
        assert eventually((workspace / "notes.txt").exists, timeout=30), app.tail()
        assert (workspace / "notes.txt").read_text() == "Buy milk.\n"
        first = heard(api.requests[0]).lower()
        assert {"create", "file", "called"} <= set(re.findall(r"[a-z]+", first)), first
        # The question was spoken first, then the summary.
        asked = app.wait_log("spoken text written to")
        assert "speech-001.wav" in asked and "wants to write notes.txt" in asked, asked
        spoken = app.wait_log("speech-002.wav")
        assert "created" in spoken
        assert (desktop["speech"] / "speech-002.wav").stat().st_size > 1000
        screenshot("03-after-allow.png")

        # Deny.
        log_size = len(app.log_text())
        # Words tiny.en hears surely: a misheard command ("later, not DXT") is refused as
        # not understood, and this part is about the dialog's Deny.
        say_with_hotkey(app, "please create one more file for later", desktop["tmp"])
        answer_dialog(app, "d", "04-permission-dialog-deny.png", after=log_size)
        spoken = app.wait_log("speech-004.wav", after=log_size)  # after its question's
        assert "did not create" in spoken, spoken
        assert not (workspace / "later.txt").exists()
        assert len(api.requests) == 4
        result = api.requests[3]["messages"][-1]["content"][0]
        assert result["type"] == "tool_result" and result["is_error"] is True

        # The conversation window, opened as a second `harken` opens it.
        second = HarkenApp(desktop["env"], workspace, desktop["log"]).start(ready=None)
        assert second.process is not None and second.process.wait(20) == 0
        wait_visible("^Harken — Conversation$")
        time.sleep(0.5)  # for the picture only (painting); nothing is asserted on it
        screenshot("05-conversation.png")

        # The tray menu.
        x, y = tray_icon_center()
        run("xdotool", "mousemove", str(x), str(y), "click", "3")
        time.sleep(0.8)  # for the picture only: the menu has no title to wait for
        screenshot("06-tray-menu.png")
        run("xdotool", "key", "Escape")
    finally:
        status = app.quit()
    assert status == 0, app.tail()
    log = app.log_text()
    assert "Traceback" not in log, app.tail()
    assert "Harken stopped" in log


def test_first_run_without_a_key_opens_the_settings(
    desktop: dict[str, Any], api: ScriptedAPI, workspace: Path
) -> None:
    # Anthropic's own endpoint: a local one (the scripted API) would need no key.
    env = {**desktop["env"], "ANTHROPIC_API_KEY": "", "ANTHROPIC_BASE_URL": ""}
    app = HarkenApp(env, workspace, desktop["log"]).start(ready="no API key")
    try:
        wait_visible("^Harken — Settings$")
        time.sleep(0.8)  # for the picture only (painting); nothing is asserted on it
        screenshot("07-first-run-settings.png")
    finally:
        assert app.quit() == 0, app.tail()
    assert api.requests == []


def test_grace_period_shows_the_transcript_and_escape_cancels_it(
    desktop: dict[str, Any], api: ScriptedAPI, workspace: Path, isolated_env: Path
) -> None:
    config = isolated_env / "xdg_config_home" / "harken" / "config.toml"
    config.write_text("sound_cues = false\ntranscript_grace_seconds = 3\n")
    api.script(Reply([text("Two tests fail.")]))
    app = HarkenApp(desktop["env"], workspace, desktop["log"]).start()
    try:
        say_with_hotkey(app, "run the tests and show me which ones fail", desktop["tmp"])
        app.wait_log("take 1 heard")
        wait_visible("^Harken — listening$")
        screenshot("08-grace-period.png")
        run("xdotool", "key", "Escape")
        app.wait_log("cancel(): confirming -> idle")
        assert api.requests == []

        # Whether the cancelled words stay unsent is known once other words have gone
        # through a grace period of their own, as long and begun after the cancel: by then
        # the first one would have run out too. Only the second words may have been sent.
        log_size = len(app.log_text())
        say_with_hotkey(app, "open the readme file", desktop["tmp"])
        app.wait_log("take 2 heard", after=log_size)
        app.wait_log("spoken text written to", timeout=30, after=log_size)
        assert len(api.requests) == 1
        words = set(re.findall(r"[a-z]+", heard(api.requests[0]).lower()))
        assert {"open", "file"} <= words and not words & {"tests", "fail"}, words
    finally:
        assert app.quit() == 0, app.tail()


def test_without_a_tray_the_mini_window_stands_in_and_says_why_once(
    desktop: dict[str, Any], workspace: Path, tmp_path: Path
) -> None:
    import subprocess

    # A screen without a tray host. Xvfb picks a free display and writes its number once
    # it accepts clients (-displayfd): no guessed number, no waiting for its socket.
    read_end, write_end = os.pipe()
    screen = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1024x700x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        pass_fds=(write_end,),
    )
    os.close(write_end)
    with os.fdopen(read_end) as ready:
        number = ready.readline().strip()
    try:
        assert number, "Xvfb did not start"
        env = {**desktop["env"], "DISPLAY": f":{number}"}
        app = HarkenApp(env, workspace, desktop["log"]).start()
        try:
            assert "no system tray" in app.wait_log("no system tray")
            assert wait_visible("^Harken$", env), "no mini window"
            assert wait_visible("no system tray", env), "the missing tray was not explained"
            shot = screenshot_of(env, "09-no-tray-mini-window.png")
            assert shot.stat().st_size > 0
        finally:
            assert app.quit() == 0, app.tail()
        # The second start shows the mini window but does not explain again. The question
        # is shown (if at all) in the same step that logs "no system tray", before the app
        # returns to its event loop; "ready to listen" comes later from that loop, when the
        # window's map request has long reached the X server.
        app = HarkenApp(env, workspace, desktop["log"]).start(ready="ready to listen")
        try:
            app.wait_log("no system tray")
            assert wait_visible("^Harken$", env), "no mini window"
            assert not visible(env, "no system tray"), "explained a second time"
        finally:
            assert app.quit() == 0, app.tail()
    finally:
        screen.terminate()
        screen.wait(10)


def visible(env: dict[str, str], title: str) -> list[str]:
    return run_on(env, "xdotool", "search", "--onlyvisible", "--name", title).split()


def run_on(env: dict[str, str], *args: str) -> str:
    import subprocess

    done = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=30)
    return done.stdout


def screenshot_of(env: dict[str, str], name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    run_on(env, "import", "-window", "root", str(path))
    return path

"""Dictation on a real desktop: no API key, a real text field in a real window, the
PulseAudio virtual microphone. ``harken ptt press --dictate``, a spoken sentence, ``harken
ptt release --dictate``: the field holds the sentence, "comma" typed as ",", and nothing
reached any model."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audio.wer import wer
from tests.e2e.desktop_helpers import (
    NEEDS,
    HarkenApp,
    find_window,
    harken_command,
    have_desktop_env,
    private_runtime_dir,
    run,
    screenshot,
    speak_into_mic,
)
from tests.scripted_api import ScriptedAPI

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_display,
    pytest.mark.skipif(not have_desktop_env(), reason=NEEDS),
]

FIELD_TITLE = "Dictation target"
# A text field that writes what it holds to a file at every change (what the test reads).
FIELD_APP = f"""
import sys
from PySide6.QtWidgets import QApplication, QLineEdit
app = QApplication(sys.argv)
field = QLineEdit()
field.setWindowTitle({FIELD_TITLE!r})
field.resize(700, 60)
out = sys.argv[1]
def save(text):
    with open(out + ".part", "w") as f:
        f.write(text)
    import os
    os.replace(out + ".part", out)
field.textChanged.connect(save)
field.show()
field.activateWindow()
app.exec()
"""


def ptt(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [*harken_command(), "ptt", *args], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr


def test_dictation_types_the_spoken_sentence_into_the_focused_field(
    api: ScriptedAPI, isolated_env: Path, workspace: Path, tmp_path: Path
) -> None:
    config = isolated_env / "xdg_config_home" / "harken"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("sound_cues = false\n")
    env = {
        **os.environ,
        **private_runtime_dir(tmp_path),
        "ANTHROPIC_API_KEY": "",  # a fresh install: no key, Anthropic's own endpoint
        "ANTHROPIC_BASE_URL": "",
        "QT_QPA_PLATFORM": "xcb",
    }
    log = isolated_env / "xdg_state_home" / "harken" / "log" / "harken.log"
    app = HarkenApp(env, workspace, log).start(ready="ready to listen")
    typed = tmp_path / "field.txt"
    field = subprocess.Popen([sys.executable, "-c", FIELD_APP, str(typed)], env=env)
    try:
        window = find_window(f"^{FIELD_TITLE}$")
        run("xdotool", "windowfocus", "--sync", window)
        size = len(app.log_text())
        ptt(env, "press", "--dictate")
        app.wait_log(": recording", after=size)
        # Said as people dictate: a short pause before and after the spoken mark.
        speak_into_mic("The report is ready, comma, please review it today", tmp_path, 0.5)
        ptt(env, "release", "--dictate")
        line = app.wait_log(": typing ", timeout=60, after=size)
        said = ast.literal_eval(line.split(": typing ", 1)[1].strip())
        app.wait_log("dictation typed", timeout=60, after=size)
        text = wait_text(typed, said)
        screenshot("dictation-field.png")
    finally:
        field.terminate()
        field.wait(10)
        assert app.quit() == 0, app.tail()
    assert "," in text, text
    assert wer("The report is ready, please review it today.", text) <= 0.25, text
    assert "comma" not in text.lower(), text
    assert api.requests == []


def wait_text(path: Path, expected: str, timeout: float = 30) -> str:
    """What the field holds once all of ``expected`` has reached it (X delivers the typed
    keys after xdotool returns); on a timeout, what it holds then."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        if text == expected:
            break
        time.sleep(0.05)
    return text

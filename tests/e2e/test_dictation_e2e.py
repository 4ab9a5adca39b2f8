"""Dictation on a real desktop: no API key, a real text field in a real window, the
PulseAudio virtual microphone. ``harken ptt press --dictate``, a spoken sentence, ``harken
ptt release --dictate``: the field holds the sentence, "comma" typed as ",", and nothing
reached any model."""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from audio.wer import wer
from tests.e2e.desktop_helpers import (
    TRAY_E2E,
    HarkenApp,
    find_window,
    harken_command,
    run,
    say_with_hotkey,
    screenshot,
    speak_into_mic,
    tray_desktop,
)
from tests.scripted_api import ScriptedAPI

pytestmark = TRAY_E2E

FIELD_TITLE = "Dictation target"
HOTKEY = "ctrl+alt+d"  # the dictation_hotkey setting's default
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


@dataclass
class Dictating:
    app: HarkenApp
    env: dict[str, str]
    field: Path  # what the focused text field holds
    folder: Path


@pytest.fixture
def d(dictating: Dictating) -> Dictating:
    """``dictating``, short."""
    return dictating


@pytest.fixture
def dictating(
    api: ScriptedAPI, isolated_env: Path, workspace: Path, tmp_path: Path
) -> Iterator[Dictating]:
    """Harken on a fresh install (no key, Anthropic's own endpoint) and a focused field."""
    # Empty values: no key and the default endpoint; what Harken says is played, not saved.
    fresh = {"ANTHROPIC_API_KEY": "", "ANTHROPIC_BASE_URL": "", "HARKEN_SPEECH_OUT": ""}
    with tray_desktop(api, isolated_env, tmp_path, env=fresh) as desktop:
        env = desktop["env"]
        app = HarkenApp(env, workspace, desktop["log"]).start(ready="ready to listen")
        typed = tmp_path / "field.txt"
        field = subprocess.Popen([sys.executable, "-c", FIELD_APP, str(typed)], env=env)
        try:
            run("xdotool", "windowfocus", "--sync", find_window(f"^{FIELD_TITLE}$"))
            yield Dictating(app, env, typed, tmp_path)
        finally:
            field.terminate()
            field.wait(10)
            assert app.quit() == 0, app.tail()
    assert api.requests == []  # nothing reached any model


def said_in_log(d: Dictating, after: int) -> str:
    """What the take typed, as the app logs it."""
    line = d.app.wait_log(": typing ", timeout=60, after=after)
    return str(ast.literal_eval(line.split(": typing ", 1)[1].strip()))


def typed_text(d: Dictating, after: int) -> str:
    """What the field holds once all the take typed has reached it."""
    said = said_in_log(d, after)
    d.app.wait_log("dictation typed", timeout=60, after=after)
    return wait_text(d.field, said)


def test_dictation_types_the_spoken_sentence_into_the_focused_field(dictating: Dictating) -> None:
    d = dictating
    size = len(d.app.log_text())
    ptt(d.env, "press", "--dictate")
    d.app.wait_log(": recording", after=size)
    # Said as people dictate: a short pause before and after the spoken mark.
    speak_into_mic("The report is ready, comma, please review it today", d.folder, 0.5)
    ptt(d.env, "release", "--dictate")
    text = typed_text(d, size)
    screenshot("dictation-field.png")
    assert "," in text, text
    assert wer("The report is ready, please review it today.", text) <= 0.25, text
    assert "comma" not in text.lower(), text
    # A take with no speech types nothing.
    size = len(d.app.log_text())
    ptt(d.env, "toggle", "--dictate")
    d.app.wait_log(": recording", after=size)
    ptt(d.env, "toggle", "--dictate")
    d.app.wait_log("nothing typed", timeout=60, after=size)
    assert d.field.read_text() == text


def test_the_dictation_hotkey_types_what_is_said(dictating: Dictating) -> None:
    d = dictating
    size = say_with_hotkey(
        d.app, "Please water the plants on Friday", d.folder, hotkey=HOTKEY, recording=": recording"
    )
    text, said = typed_text(d, size), said_in_log(d, size)
    # The x11 hotkey backend listens without grabbing: a field may take the chord's own
    # letter before the dictated text. What was typed is the end of what it holds.
    assert text.endswith(said), (text, said)
    assert wer("Please water the plants on Friday.", said) <= 0.34, said


def dictate(d: Dictating, said: str) -> str:
    """One take by ``harken ptt press/release --dictate``; what the field then holds."""
    size = len(d.app.log_text())
    ptt(d.env, "press", "--dictate")
    d.app.wait_log(": recording", after=size)
    speak_into_mic(said, d.folder, 0.5)
    ptt(d.env, "release", "--dictate")
    d.app.wait_log("dictation typed", timeout=60, after=size)
    return wait_text(d.field, said_in_log(d, size))


def test_takes_in_a_row_in_one_field_are_typed_with_a_space_between(d: Dictating) -> None:
    first = dictate(d, "The report is ready")
    both = dictate(d, "Please water the plants on Friday")
    # Not "ready.Please": the second take goes on after a space.
    assert both.startswith(first + " ") and len(both) > len(first) + 10, (first, both)
    assert both[len(first) + 1].isalpha(), both


def test_a_take_heard_but_not_understood_says_why_and_types_nothing(d: Dictating) -> None:
    size = len(d.app.log_text())
    ptt(d.env, "press", "--dictate")
    d.app.wait_log(": recording", after=size)
    # German through the English-only model: heard, but not understood.
    wav = d.folder / "german.wav"
    said = "Bitte öffne das Terminal und zeige mir die Dateien im Download-Ordner."
    run("espeak-ng", "-v", "de", "-s", "150", "-w", str(wav), said)
    run("paplay", "-d", "virtmic", str(wav), timeout=60)
    ptt(d.env, "release", "--dictate")
    notice = d.app.wait_log("notice: Dictation typed nothing", timeout=60, after=size)
    assert "not understood" in notice, notice
    assert not d.field.exists() or d.field.read_text() == ""


def wait_text(path: Path, expected: str, timeout: float = 30) -> str:
    """What the field holds once it ends with all of ``expected`` (X delivers the typed
    keys after xdotool returns); on a timeout, what it holds then."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text() if path.exists() else ""
        if text.endswith(expected):
            break
        time.sleep(0.05)
    return text

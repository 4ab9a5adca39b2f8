"""The tray app with speech it cannot understand: a model that cannot hear the language
set is said at start, and speech in another language is not sent to the agent: the person
is told it was not understood.

The real controller and ``Voice``, the real tiny.en model and, for the spoken take, the
real recorder on the PulseAudio virtual microphone.
"""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from agent.config import load_config
from desktop.background import Background
from desktop.controller import Controller, Parts
from desktop.state import State
from tests.audio.conftest import wait_heard_to_the_end

needs_mic = pytest.mark.skipif(
    os.environ.get("HARKEN_TEST_AUDIO") != "1",
    reason="no virtual microphone: run under tests/desktop_env.sh (PulseAudio)",
)


def notices(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the tray told the person (the controller logs each notice it shows)."""
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("notice: ")]


@needs_mic
def test_the_tray_app_says_at_start_that_the_model_cannot_hear_the_language_set(
    qtbot: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from desktop.voice import Voice

    caplog.set_level(logging.INFO, logger="desktop.controller")
    config = load_config().override(whisper_model="tiny.en", language="de")
    background = Background()
    voice = Voice(background, config, tmp_path)
    controller = Controller(config, quit_app=lambda: None)
    controller.attach(Parts(background, voice=voice))
    try:
        voice.start()
        qtbot.waitUntil(
            lambda: any("hears only English" in n for n in notices(caplog)), timeout=60_000
        )
    finally:
        controller.shutdown()  # as at quit: the lanes end, then the devices close
    (said,) = [n for n in notices(caplog) if "hears only English" in n]
    assert "'de'" in said and 'whisper_model = "base"' in said, said


@needs_mic
def test_french_spoken_to_the_tray_app_is_not_sent_but_said_not_understood(
    qtbot: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from audio.transcribe import Transcriber
    from desktop.voice import Voice

    caplog.set_level(logging.INFO, logger="desktop.controller")
    wav = tmp_path / "french.wav"
    french = "Bonjour, pouvez-vous ouvrir le fichier de configuration et vérifier les paramètres?"
    subprocess.run(["espeak-ng", "-v", "fr", "-s", "150", "-w", str(wav), french], check=True)
    config = load_config()
    background = Background()
    voice = Voice(background, config, tmp_path)
    voice.transcriber = Transcriber("tiny.en", language="en").start()
    sent: list[str] = []
    voice.transcript_ready.connect(lambda take, text: sent.append(text))
    controller = Controller(config, quit_app=lambda: None)
    controller.attach(Parts(background, voice=voice))
    try:
        voice.transcriber.wait_ready(60)
        controller.press()
        qtbot.waitUntil(
            lambda: voice.recorder is not None and voice.recorder.receiving, timeout=10_000
        )
        subprocess.run(["paplay", "-d", "virtmic", str(wav)], check=True)
        wait_heard_to_the_end(voice.recorder)
        controller.release()
        qtbot.waitUntil(lambda: any("not understood" in n for n in notices(caplog)), timeout=60_000)
    finally:
        controller.shutdown()  # as at quit: the lanes end, then the devices close
    assert sent == []  # no invented English went on as a command
    assert controller.machine.state is State.IDLE
    (said,) = [n for n in notices(caplog) if "not understood" in n]
    assert said.startswith("notice: Nothing to send: not understood"), said

"""The tray app when the sound server freezes while the key is held: told at once, the take
ends when the key is let go, the next press says why the microphone cannot be used, and
quitting does not hang. The GUI thread never waits on the server (the microphone works on
a lane of its own, and every call into the server is bounded: ``audio.stream_calls``).

The real controller, overlay and ``Voice`` with the real recorder and tiny.en model,
recording from a PulseAudio of the test's own (tests/private_pulse.py), frozen mid-take.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from agent.config import load_config
from desktop.background import Background
from desktop.controller import Controller, Parts
from desktop.state import State
from desktop.windows.overlay import RecordingOverlay
from tests.private_pulse import HANG_S, private_pulse

WAIT_MS = int(HANG_S * 1000)


def test_a_sound_server_frozen_mid_take_is_said_at_once_and_nothing_hangs(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audio.transcribe import Transcriber
    from desktop.voice import Voice

    with private_pulse(tmp_path) as pulse:
        # Streams this process opens from now on record from the private server.
        monkeypatch.setenv("PULSE_SERVER", pulse.env["PULSE_SERVER"])
        config = load_config()
        background = Background()
        voice = Voice(background, config, tmp_path)
        voice.transcriber = Transcriber("tiny.en", language="en").start()
        overlay = RecordingOverlay()
        qtbot.addWidget(overlay)
        controller = Controller(config, quit_app=lambda: None)
        controller.attach(Parts(background, voice=voice, overlay=overlay))
        notices: list[str] = []
        voice.failed.connect(notices.append)
        try:
            controller.press()
            qtbot.waitUntil(
                lambda: voice.recorder is not None and voice.recorder.receiving, timeout=WAIT_MS
            )
            pulse.freeze()
            qtbot.waitUntil(lambda: "stopped sending sound" in overlay.warning, timeout=WAIT_MS)
            assert controller.machine.state is State.RECORDING  # said while the key is held

            controller.release()
            qtbot.waitUntil(lambda: controller.machine.state is State.IDLE, timeout=WAIT_MS)

            # The next press: the microphone cannot open on a frozen server, and says so.
            controller.press()
            qtbot.waitUntil(lambda: bool(notices), timeout=WAIT_MS)
            assert "sound server does not answer" in notices[-1], notices
            controller.release()
            qtbot.waitUntil(lambda: controller.machine.state is State.IDLE, timeout=WAIT_MS)
        finally:
            controller.stop()
            started = time.monotonic()
            voice.close()  # at quit: the frozen stream is left behind, not waited for
            background.shutdown()
            closed_in = time.monotonic() - started
    assert closed_in < HANG_S, f"closing the voice took {closed_in:.0f} s"

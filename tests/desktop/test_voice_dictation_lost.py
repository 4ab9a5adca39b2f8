"""Dictation when recording stops before the person does: told at once and again with what
was typed, never a silent half sentence.

Before, a dictation take that reached ``max_recording_seconds`` typed its first half and
said nothing: the recorder's warning went to the agent's overlay, which ignores dictation
takes (numbered apart). The real ``Voice`` and recorder on the PulseAudio virtual
microphone and the real tiny.en model, held back as if still loading, so nothing is decoded
while the key is down and the bound is reached.
"""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from agent.config import load_config
from desktop.background import Background

SENTENCE = (
    "Please open the quarterly report in the documents folder, then copy the summary table "
    "into a new spreadsheet, and finally send it to the whole team with a short note about "
    "the deadline."
)

pytestmark = pytest.mark.skipif(
    os.environ.get("HARKEN_TEST_AUDIO") != "1",
    reason="no virtual microphone: run under tests/desktop_env.sh (PulseAudio)",
)


def test_a_dictation_take_stopped_at_the_bound_says_so_at_once_and_after(
    qtbot: Any, tmp_path: Path
) -> None:
    from audio.models import load
    from audio.transcribe import Transcriber
    from desktop.dictation import Dictation
    from desktop.voice import Voice

    wav = tmp_path / "sentence.wav"
    subprocess.run(["espeak-ng", "-s", "160", "-w", str(wav), SENTENCE], check=True)
    config = load_config().override(max_recording_seconds=5, hotkey_mode="hold")
    background = Background()
    voice = Voice(background, config, tmp_path)
    gate = threading.Event()
    voice.transcriber = Transcriber(
        loader=lambda: (gate.wait(60), load("tiny.en"))[1], language="en"
    ).start()
    said: list[str] = []
    dictation = Dictation(voice, background, lambda: config, said.append)
    typed: list[str] = []
    dictation.typed.connect(typed.append)
    try:
        dictation.press()
        qtbot.waitUntil(
            lambda: voice.recorder is not None and voice.recorder.receiving, timeout=10_000
        )
        player = subprocess.Popen(["paplay", "-d", "virtmic", str(wav)])
        qtbot.waitUntil(lambda: bool(said), timeout=30_000)
        assert player.poll() is None  # said while the person is still speaking
        assert "stopped at 5.0 s" in said[0] and "max_recording_seconds" in said[0], said
        player.wait()
        dictation.release()
        gate.set()
        qtbot.waitUntil(lambda: any("Last words kept" in s for s in said), timeout=60_000)
    finally:
        gate.set()
        voice.close()
        background.shutdown()
    after = next(s for s in said if "Last words kept" in s)
    assert after.startswith("Dictation: Recording stopped at 5.0 s"), after

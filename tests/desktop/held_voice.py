"""A long sentence spoken into the PulseAudio virtual microphone while the real ``Voice``
records and its tiny.en model is held back as if still loading, so nothing is decoded while
the key is down and ``max_recording_seconds`` is reached (tests/desktop/test_voice_takes.py,
tests/desktop/test_voice_dictation_lost.py).

    needs_microphone                 skip mark: only under tests/desktop_env.sh
    held_voice(tmp_path, config)     context: HeldVoice (background, voice, gate, wav)
    held.speak(qtbot)                play the sentence once the recorder receives
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from agent.config import Config
from desktop.background import Background

SENTENCE = (
    "Please open the quarterly report in the documents folder, then copy the summary table "
    "into a new spreadsheet, and finally send it to the whole team with a short note about "
    "the deadline."
)

needs_microphone = pytest.mark.skipif(
    os.environ.get("HARKEN_TEST_AUDIO") != "1",
    reason="no virtual microphone: run under tests/desktop_env.sh (PulseAudio)",
)


@dataclass
class HeldVoice:
    """The real ``Voice`` whose model waits for ``gate``; ``wav`` holds ``SENTENCE``."""

    background: Background
    voice: Any  # desktop.voice.Voice, imported late (it loads the audio stack)
    gate: threading.Event
    wav: Path

    def speak(self, qtbot: Any) -> subprocess.Popen[bytes]:
        """Once the recorder receives, start playing the sentence into the microphone."""
        qtbot.waitUntil(
            lambda: self.voice.recorder is not None and self.voice.recorder.receiving,
            timeout=10_000,
        )
        return subprocess.Popen(["paplay", "-d", "virtmic", str(self.wav)])


@contextmanager
def held_voice(tmp_path: Path, config: Config) -> Iterator[HeldVoice]:
    """A ``Voice`` on ``config`` whose tiny.en model loads only once ``gate`` is set; on exit
    the gate opens and the voice and background stop."""
    from audio.models import load
    from audio.transcribe import Transcriber
    from desktop.voice import Voice

    wav = tmp_path / "sentence.wav"
    subprocess.run(["espeak-ng", "-s", "160", "-w", str(wav), SENTENCE], check=True)
    background = Background()
    voice = Voice(background, config, tmp_path)
    gate = threading.Event()
    voice.transcriber = Transcriber(
        loader=lambda: (gate.wait(60), load("tiny.en"))[1], language="en"
    ).start()
    try:
        yield HeldVoice(background, voice, gate, wav)
    finally:
        gate.set()
        voice.close()
        background.shutdown()

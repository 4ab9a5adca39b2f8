"""Fixtures for the voice tests: espeak clips, the PulseAudio virtual microphone, one model.

The microphone is real: ``tests/desktop_env.sh`` starts PulseAudio with a null sink
``virtmic`` whose monitor is the default input, and exports HARKEN_TEST_AUDIO=1 when that
works. Playing a WAV into the sink is speaking into the microphone.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"
JFK = DATA / "jfk.flac"
JFK_TEXT = (
    "And so, my fellow Americans, ask not what your country can do for you, "
    "ask what you can do for your country."
)


class VirtualMic:
    def play(self, wav: Path) -> None:
        """Speak ``wav`` into the microphone; returns when it has been played."""
        subprocess.run(["paplay", "-d", "virtmic", str(wav)], check=True)

    def play_async(self, wav: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(["paplay", "-d", "virtmic", str(wav)])


@pytest.fixture
def virtual_mic() -> VirtualMic:
    if os.environ.get("HARKEN_TEST_AUDIO") != "1":
        pytest.skip("no virtual microphone: run under tests/desktop_env.sh (PulseAudio)")
    return VirtualMic()


@pytest.fixture(scope="session")
def speech_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("speech")


@pytest.fixture(scope="session")
def espeak(speech_dir: Path) -> Callable[..., Path]:
    """``espeak(text, voice=, speed=)``: a WAV of ``text`` spoken by espeak-ng."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    made: dict[tuple[str, str, int], Path] = {}

    def make(text: str, voice: str = "en-us", speed: int = 160) -> Path:
        key = (text, voice, speed)
        if key not in made:
            path = speech_dir / f"clip{len(made)}.wav"
            cmd = ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text]
            subprocess.run(cmd, check=True)
            made[key] = path
        return made[key]

    return make


@pytest.fixture(autouse=True)
def no_take_left_running(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A test that fails in the middle of a take must not leave it running: the shared
    model's one worker would wait for that take's end for ever, and every later test that
    transcribes would hang instead of failing. Takes left open are cancelled."""
    from audio.transcribe import Transcriber

    started: list[Any] = []
    live = Transcriber.live

    def tracked(self: Any, *args: Any, **kwargs: Any) -> Any:
        take = live(self, *args, **kwargs)
        started.append(take)
        return take

    monkeypatch.setattr(Transcriber, "live", tracked)
    yield
    for take in started:
        if not take.future.done():
            take.cancel()


@pytest.fixture(scope="session")
def transcriber() -> Iterator[object]:
    """The embedded tiny.en model, loaded once for the whole session."""
    from audio.transcribe import Transcriber

    t = Transcriber("tiny.en", language="en").start()
    t.wait_ready()
    yield t
    t.close()


SILENT = 1e-5  # the idle virtual sink's monitor gives exact zeros: this is -100 dBFS


def wait_heard_to_the_end(recorder: Any, quiet_after: float = 0.3, timeout: float = 30) -> None:
    """Wait until the take holds sound followed by ``quiet_after`` seconds of the idle
    sink's silence: the microphone has heard a clip to its end, however quiet the clip.
    paplay returns once the sink took the sound; the monitor delivers it to the recorder a
    little later, more so on a busy machine. (A clip's own pauses are not silent: espeak's
    last under 0.15 s, and recorded speech has its room's noise.) Counted in samples of the
    whole take: live decoding may release (drop) the speech it has decoded before the
    silence after it is long enough, and the sound seen then still counts."""
    import numpy as np

    deadline = time.monotonic() + timeout
    last_loud: int | None = None
    while True:
        offset, audio = recorder.span()
        loud = np.flatnonzero(np.abs(audio) > SILENT)
        if len(loud):
            last_loud = offset + int(loud[-1])
        if last_loud is not None and offset + len(audio) - last_loud >= quiet_after * 16_000:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the microphone did not hear the clip end in {timeout} s")
        time.sleep(0.01)


def wait_until(condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    """``condition()``'s first true value; the deadline only catches a hang."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.01)
    return value


def read_audio(path: Path) -> object:
    """A file as 16 kHz mono float32 (PyAV, as ``harken transcribe`` reads files)."""
    from faster_whisper import decode_audio

    return decode_audio(str(path))

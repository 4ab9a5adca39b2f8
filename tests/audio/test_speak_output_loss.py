"""A sound server that dies or freezes ends speech with one clear line, never a hang.

Each test runs ``harken say`` against a PulseAudio of its own (tests/private_pulse.py), so
killing or freezing it leaves the shared one other tests use alone.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.private_pulse import HANG_S, PrivatePulse, private_pulse

LONG = " ".join(
    f"This is sentence number {n} of a summary that takes a good while to say." for n in range(12)
)


def start_say(pulse: PrivatePulse, text: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "say", text],
        cwd=Path(__file__).resolve().parents[2],
        env=pulse.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(say: subprocess.Popen[str]) -> tuple[int, list[str]]:
    """Its exit status and stderr lines; fails (and kills it) if it hangs."""
    try:
        _, err = say.communicate(timeout=HANG_S)
    except subprocess.TimeoutExpired:
        say.kill()
        say.communicate()
        pytest.fail("harken say hung after the sound server went away")
    return say.returncode, [line for line in err.splitlines() if line.strip()]


@pytest.mark.parametrize(
    "fault", [PrivatePulse.kill, PrivatePulse.freeze], ids=["killed", "frozen"]
)
def test_say_ends_with_one_clear_line_when_the_sound_server_goes_away_mid_speech(
    tmp_path: Path, fault: Callable[[PrivatePulse], None]
) -> None:
    with private_pulse(tmp_path) as pulse:
        say = start_say(pulse, LONG)
        try:
            pulse.wait_sink_input()  # speech is playing
            fault(pulse)
            status, lines = finish(say)
        finally:
            if say.poll() is None:
                say.kill()
    assert status == 1
    assert len(lines) == 1, lines  # no PortAudio or ALSA internals
    assert lines[0].startswith("harken: Speech stopped: the sound output"), lines


def test_say_with_a_frozen_sound_server_gives_up_with_one_clear_line(tmp_path: Path) -> None:
    # espeak-ng itself connects to the sound server when it starts, and waits for ever.
    with private_pulse(tmp_path) as pulse:
        pulse.freeze()
        status, lines = finish(start_say(pulse, "Hello there."))
    assert status == 1
    assert len(lines) == 1, lines
    assert "sound server" in lines[0], lines


def test_a_speaker_gives_up_on_an_output_that_does_not_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The speech engine is already up (as in the tray app); the server freezes before the
    # next summary opens its stream, and opening a stream there waits for ever.
    from audio.devices import AudioDeviceError
    from audio.speak import Speaker

    with private_pulse(tmp_path) as pulse:
        monkeypatch.setenv("PULSE_SERVER", pulse.env["PULSE_SERVER"])
        speaker = Speaker()
        try:
            speaker.voices()
            pulse.freeze()
            speaker.say("Are you still there?")
            assert speaker.wait(timeout=HANG_S), "the speaker hung on a frozen sound server"
            assert isinstance(speaker.error, AudioDeviceError)
            assert "sound server" in str(speaker.error)
        finally:
            speaker.close()


def test_say_with_no_output_on_the_sound_server_says_so_in_words(tmp_path: Path) -> None:
    with private_pulse(tmp_path) as pulse:
        for module in ("module-always-sink", "module-null-sink"):
            pulse.pactl("unload-module", module)
        status, lines = finish(start_say(pulse, "Hello there."))
    assert status == 1
    assert len(lines) == 1, lines
    assert "no speaker or headphones" in lines[0] and "PaErrorCode" not in lines[0], lines


def test_say_on_an_output_suspended_mid_speech_ends_and_names_the_cause(tmp_path: Path) -> None:
    with private_pulse(tmp_path) as pulse:
        say = start_say(pulse, LONG)
        try:
            pulse.wait_sink_input()
            pulse.pactl("suspend-sink", "speakers", "1")  # it plays nothing until resumed
            status, lines = finish(say)
        finally:
            if say.poll() is None:
                say.kill()
    assert status == 1
    assert len(lines) == 1 and lines[0].startswith("harken: Speech stopped: the sound output")
    assert "suspended" in lines[0], lines

"""A sound server that dies or freezes while the microphone is in use ends the take with
clear words, never a hang, a crash or C internals on the terminal.

Each test runs ``harken listen`` (or ``harken devices``) against a PulseAudio of its own
(tests/private_pulse.py); its only input is the monitor of a null sink (silence), which is
enough: what is checked is how the take ends, not what it heard. Before this was fixed, a
killed server printed three lines of PortAudio internals; a frozen one hung the take at
its end for ever (closing the stream waited on the server), and, once that close was
bounded, the process died on its way out ("double free or corruption") when PortAudio's
teardown met the stream still stuck in the server; a frozen server at the start hung
`harken listen` and `harken devices`, and hid their message (starting PortAudio points
descriptor 2 at /dev/null until it returns).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.audio.clips import Listen
from tests.private_pulse import HANG_S, PrivatePulse, private_pulse

ROOT = Path(__file__).resolve().parents[2]
STOPPED = "stopped sending sound"


def said_in_words(stderr: str) -> list[str]:
    """stderr's lines, each one checked to be Harken's own (no PortAudio or ALSA lines,
    no crash report from the C library)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert all(line.startswith("harken: ") for line in lines), stderr
    return lines


@pytest.mark.parametrize(
    "fault", [PrivatePulse.kill, PrivatePulse.freeze], ids=["killed", "frozen"]
)
def test_a_take_whose_sound_server_goes_away_ends_with_words_when_the_user_stops(
    tmp_path: Path, fault: Callable[[PrivatePulse], None]
) -> None:
    with private_pulse(tmp_path) as pulse:
        listen = Listen(env=pulse.env, timeout=HANG_S)
        try:
            listen.start()  # recording
            fault(pulse)
            listen.wait_stderr(STOPPED)  # said at once, while the key is still held
            code = listen.stop()  # returns within the bound, or fails the test
        finally:
            if listen.process.poll() is None:
                listen.process.kill()
    lines = said_in_words(listen.stderr)
    assert code == 1, listen.stderr  # nothing usable was recorded, and it says so
    assert any(STOPPED in line for line in lines)
    assert lines[-1].startswith("harken: nothing recorded"), lines


def test_listen_with_a_frozen_sound_server_says_the_microphone_did_not_open(
    tmp_path: Path,
) -> None:
    with private_pulse(tmp_path) as pulse:
        pulse.freeze()
        listen = Listen(env=pulse.env, timeout=HANG_S)
        try:
            code = listen.process.wait(timeout=HANG_S)
            for reader in listen._readers:
                reader.join(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail("harken listen hung on a frozen sound server")
        finally:
            if listen.process.poll() is None:
                listen.process.kill()
    lines = said_in_words(listen.stderr)
    assert code == 1
    assert "The microphone did not open" in lines[-1] and "frozen" in lines[-1], lines


def test_devices_with_a_frozen_sound_server_says_it_does_not_answer(tmp_path: Path) -> None:
    with private_pulse(tmp_path) as pulse:
        pulse.freeze()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "desktop.cli", "devices"],
                cwd=ROOT, env=pulse.env, capture_output=True, text=True, timeout=HANG_S,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail("harken devices hung on a frozen sound server")
    [line] = said_in_words(done.stderr)
    assert done.returncode == 1
    assert "sound server does not answer" in line


def test_doctor_with_a_frozen_sound_server_says_to_restart_it(tmp_path: Path) -> None:
    with private_pulse(tmp_path) as pulse:
        pulse.freeze()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "desktop.cli", "doctor", "--json"],
                cwd=ROOT, env=pulse.env, capture_output=True, text=True, timeout=2 * HANG_S,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            pytest.fail("harken doctor hung on a frozen sound server")
    checks = {c["name"]: c for c in json.loads(done.stdout)["checks"]}
    for name in ("microphone", "speech"):
        assert checks[name]["status"] == "fail", checks[name]
        assert "frozen" in checks[name]["detail"], checks[name]
        # Not "connect a microphone" or "install espeak-ng": nothing is missing.
        assert checks[name]["fix"].startswith("Restart the sound server"), checks[name]


def test_devices_with_the_sound_server_gone_says_so_and_fails(tmp_path: Path) -> None:
    with private_pulse(tmp_path) as pulse:
        pulse.kill()
        done = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "devices"],
            cwd=ROOT, env=pulse.env, capture_output=True, text=True, timeout=HANG_S,
        )  # fmt: skip
    assert done.returncode == 1, done.stdout
    assert "is the sound server running?" in said_in_words(done.stderr)[-1]


def test_listen_whose_input_ends_says_so_not_interrupted(tmp_path: Path) -> None:
    with private_pulse(tmp_path) as pulse:
        done = subprocess.run(
            [sys.executable, "-m", "desktop.cli", "listen"],
            cwd=ROOT, env=pulse.env, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, timeout=HANG_S,
        )  # fmt: skip
    assert done.returncode == 2  # not 130: nobody pressed Ctrl-C
    assert "the input ended" in said_in_words(done.stderr)[-1]

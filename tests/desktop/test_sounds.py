"""The recording cues: short, soft, rising to start and falling to stop, and optional; a
sound server that freezes makes a cue fail with a warning, never the cue thread hang."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from desktop.sounds import RATE, CuePlayer, cue_samples
from tests.private_pulse import HANG_S, private_pulse


def dominant_hz(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples))
    return float(np.fft.rfftfreq(len(samples), 1 / RATE)[spectrum.argmax()])


def test_start_rises_stop_falls_and_both_are_short_and_soft() -> None:
    start, stop = cue_samples("start"), cue_samples("stop")
    half = len(start) // 2
    assert dominant_hz(start[:half]) < dominant_hz(start[half:])
    assert dominant_hz(stop[:half]) > dominant_hz(stop[half:])
    for cue in (start, stop):
        assert len(cue) / RATE < 0.2
        assert np.abs(cue).max() <= 0.25
        assert abs(cue[0]) < 0.01 and abs(cue[-1]) < 0.01  # faded: no click


def test_turned_off_cues_start_no_thread() -> None:
    player = CuePlayer(enabled=False)
    player.play("start")
    assert player._thread is None


def test_a_cue_plays_and_a_frozen_sound_server_fails_the_next_without_hanging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with private_pulse(tmp_path) as pulse:
        # Streams this process opens from now on play on the private server.
        monkeypatch.setenv("PULSE_SERVER", pulse.env["PULSE_SERVER"])
        player = CuePlayer()
        try:
            player.play("start")
            pulse.wait_sink_input()  # the cue reached the speaker...
            wait_until(lambda: not pulse.pactl("list", "short", "sink-inputs").stdout.strip())
            assert cue_failures(caplog) == []  # ...played whole, and its stream closed
            pulse.freeze()
            player.play("stop")
            player.play("start")  # queued behind the one that cannot open
            wait_until(lambda: len(cue_failures(caplog)) == 2)  # or the cue thread hung
        finally:
            player.close()
    assert all("did not open" in failure for failure in cue_failures(caplog))


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 2 * HANG_S  # only a hang takes this long
    while not condition():
        assert time.monotonic() < deadline, "not within the bound"
        time.sleep(0.05)


def cue_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "cue" in r.getMessage()]

"""The recording cues: short, soft, rising to start and falling to stop, and optional."""

from __future__ import annotations

import numpy as np

from desktop.sounds import RATE, CuePlayer, cue_samples


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

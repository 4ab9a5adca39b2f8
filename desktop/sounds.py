"""Short sound cues that mark the start and the end of a recording.

Synthesised once (two soft tones, rising to start and falling to stop, about 0.15 s)
and played on a thread of their own through a short-lived output stream, so the GUI thread
never waits for the sound device, and the cue thread waits on it only with a bound.
Setting: ``sound_cues``.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any

log = logging.getLogger(__name__)

RATE = 48_000
TONES = {"start": (660.0, 880.0), "stop": (880.0, 660.0)}
TONE_SECONDS = 0.07
VOLUME = 0.2
PLAY_SECONDS = 6.0  # a cue lasts 0.14 s, once the sink starts taking sound (up to ~2 s)


def cue_samples(name: str, rate: int = RATE) -> Any:
    """The cue ``name`` as float32 mono samples."""
    import numpy as np

    parts = []
    n = int(TONE_SECONDS * rate)
    t = np.arange(n, dtype=np.float32) / rate
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.008).astype(np.float32)  # no clicks
    for freq in TONES[name]:
        parts.append(VOLUME * np.sin(2 * np.pi * freq * t).astype(np.float32) * fade)
    return np.concatenate(parts)


class CuePlayer:
    """Plays cues without blocking; a cue asked for while another plays waits its turn."""

    def __init__(self, *, enabled: bool = True, device: str | int | None = None) -> None:
        self.enabled = enabled
        self.device = device
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._samples: dict[str, Any] = {}

    def play(self, name: str) -> None:
        if not self.enabled:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="harken-cues", daemon=True)
            self._thread.start()
        self._queue.put(name)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)

    def _run(self) -> None:
        while (name := self._queue.get()) is not None:
            try:
                self._play(name)
            except Exception as exc:  # no speaker is no reason to stop listening
                log.warning("cannot play the %s cue: %s", name, exc)

    def _play(self, name: str) -> None:
        """Play one cue; every wait on the sound server is bounded (a frozen one makes the
        cue fail with a warning, never the cue thread hang)."""
        from audio.output_stream import close_output, open_output

        playing: dict[str, Any] = {"samples": None, "at": 0}
        played = threading.Event()

        def fill(outdata: Any, frames: int, when: object, status: object) -> None:
            samples, at = playing["samples"], playing["at"]
            part = samples[at : at + frames] if samples is not None else None
            outdata.fill(0)
            if part is None:
                return
            outdata[: len(part), 0] = part
            playing["at"] = at + len(part)
            if playing["at"] >= len(samples):
                played.set()

        stream, rate = open_output(self.device, fill)
        try:
            key = f"{name}@{int(rate)}"
            if key not in self._samples:
                self._samples[key] = cue_samples(name, int(rate))
            playing["samples"] = self._samples[key]
            if not played.wait(PLAY_SECONDS):
                log.warning("the %s cue did not play within %.0f s", name, PLAY_SECONDS)
        finally:
            close_output(stream)

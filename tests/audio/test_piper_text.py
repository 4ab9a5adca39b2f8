"""What the natural voice is given: the words espeak-ng would say, cut only where a
speaker pauses.

Piper speaks espeak-ng's phonemes, got through phonemizer, which keeps punctuation by
cutting the text at every mark, inside numbers and names too. The spoken forms below are
espeak-ng's own readings ("1,234" is "one thousand two hundred...", "3.14" is "three point
one four", "example.com" is "example dot com"); the last test asks the real phonemizer.
"""

from __future__ import annotations

import re

import pytest

from audio.synth_piper import PiperEngine, available, for_phonemizer

WRITTEN_AND_GIVEN = [
    ("It costs 1,234 dollars 56.", "It costs 1234 dollars 56."),
    ("It is 1,000,000 people.", "It is 1000000 people."),
    ("Pi is 3.14.", "Pi is 3 point 1 4."),
    ("It is 1,234.5 metres.", "It is 1234 point 5 metres."),
    ("About 2.5 megabytes, then 0.25.", "About 2 point 5 megabytes, then 0 point 2 5."),
    ("See example.com now.", "See example dot com now."),
    ("Mail jane.doe@example.com now.", "Mail jane dot doe@example dot com now."),
    ("Count 1,2,3 and a,b.", "Count 1 2 3 and a b."),
    ("Hello, world. Next: go!", "Hello, world. Next: go!"),  # pauses stay
    ("In 2024, 12 people came.", "In 2024, 12 people came."),
]


@pytest.mark.parametrize(("written", "given"), WRITTEN_AND_GIVEN)
def test_marks_inside_numbers_and_names_are_said_not_cut_at(written: str, given: str) -> None:
    assert for_phonemizer(written) == given


@pytest.mark.skipif(not available(), reason="the natural-voice extra is absent")
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("It costs 1,234 dollars.", r"θˈaʊzənd"),  # thousand
        ("Pi is 3.14.", r"pˈ?ɔɪnt"),  # point
        ("See example.com now.", r"d\S*ɑːt"),  # dot
    ],
)
def test_the_natural_voice_is_given_the_words_espeak_would_say(text: str, said: str) -> None:
    assert re.search(said, PiperEngine().phonemes(text))

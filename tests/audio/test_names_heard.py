"""Spoken file names heard right with real Whisper (tiny.en) on espeak-ng speech, and
sentences that name no workspace file left as they are heard without workspace words."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from audio.bench_words import make_workspace
from audio.hotwords import workspace_words
from audio.wer import errors
from tests.audio.conftest import read_audio

SAID = [
    ("create a file called notes dot t x t", "notes.txt"),
    ("open app dot py", "app.py"),
    ("rename load underscore config", "load_config"),
    ("look in source slash app", "src/app"),
]
PLAIN = [
    "Run the tests and show me which ones fail.",
    "What time is it in Tokyo right now?",
    "Delete the build folder.",
    "Explain this error message to me in simple words.",
    "Open a terminal in the downloads folder.",
    "Commit the changes with a message saying that the login bug is fixed.",
    "Check the weather forecast for Berlin tomorrow.",
    "Move the meeting with Anna from Tuesday to Thursday afternoon.",
]


@pytest.fixture
def words(tmp_path: Path, transcriber: Any) -> Iterator[list[str]]:
    """The made-up project's words; the shared model gets its own words back after."""
    before = transcriber.words
    yield workspace_words(make_workspace(tmp_path))
    transcriber.set_words(before)


def heard(transcriber: Any, words: list[str], clips: list[Any]) -> list[str]:
    transcriber.set_words(words)
    return [transcriber.transcribe(audio).text for audio in clips]


def test_spoken_file_names_come_out_as_spelled_on_disk(
    transcriber: Any, words: list[str], espeak: Callable[..., Path]
) -> None:
    clips = [read_audio(espeak(text, speed=150)) for text, _ in SAID]
    texts = heard(transcriber, words, clips)
    right = [name for (_, name), text in zip(SAID, texts, strict=True) if name in text]
    # Whisper's output differs a little between CPUs: one of the four may miss.
    assert len(right) >= len(SAID) - 1, texts


def test_workspace_words_do_not_change_sentences_that_name_no_file(
    transcriber: Any, words: list[str], espeak: Callable[..., Path]
) -> None:
    clips = [read_audio(espeak(text, voice="en-us", speed=160)) for text in PLAIN]
    without = heard(transcriber, [], clips)
    with_words = heard(transcriber, words, clips)
    edits = sum(errors(a, b)[0] for a, b in zip(without, with_words, strict=True))
    total = sum(errors(text, text)[1] for text in PLAIN)
    assert edits <= total * 0.05, list(zip(without, with_words, strict=True))
    wrong_without = sum(errors(r, t)[0] for r, t in zip(PLAIN, without, strict=True))
    wrong_with = sum(errors(r, t)[0] for r, t in zip(PLAIN, with_words, strict=True))
    assert wrong_with <= wrong_without + 2, (without, with_words)
    # No workspace name, nor the folder's own name, shows up where none was said.
    assert not any(w in t for w in ("orchard", "Orchard", ".py", ".txt") for t in with_words)


def test_the_bench_prints_word_error_rate_without_and_with_workspace_words(
    transcriber: Any, tmp_path: Path
) -> None:
    from audio import bench_words

    lines: list[str] = []
    heard = bench_words.compare(transcriber, PLAIN[:2], tmp_path, read_audio)
    bench_words.report(heard, lines.append)
    plain = next(line for line in lines if "sentences naming no file" in line)
    names = next(line for line in lines if "spoken file names" in line)
    assert plain.count("%") == 2 and names.count("%") == 2, lines
    # With the words, more names come out as spelled on disk than without.
    before, after = (int(n) for n in names.rsplit("spelled as on disk ", 1)[1].split(" -> "))
    assert after > before, lines


RECORDED = [
    ("open app dot py", "app.py"),
    ("show me notes dot t x t", "notes.txt"),
    ("Run the tests and show me which ones fail.", ""),
]


def test_recordings_in_the_folder_are_not_recited_and_no_word_is_lost(
    transcriber: Any, tmp_path: Path, espeak: Callable[..., Path]
) -> None:
    """The trial's folder: app.py, notes.txt and recordings n1.wav, n2.wav, n2b.wav (the
    clips themselves). Hinted decoding recited the recordings' names ("n2b.") instead of
    the speech; with the folder's words a take must say no less than without them."""
    folder = tmp_path / "trial"
    folder.mkdir()
    (folder / "app.py").write_text("")
    (folder / "notes.txt").write_text("")
    clips = []
    for i, (text, _) in enumerate(RECORDED):
        wav = espeak(text, speed=150)
        for name in (f"n{i + 1}.wav", f"n{i + 1}b.wav"):
            (folder / name).write_bytes(wav.read_bytes())
        clips.append(read_audio(wav))
    words = workspace_words(folder)
    before = transcriber.words
    try:
        without = heard(transcriber, [], clips)
        with_words = heard(transcriber, words, clips)
    finally:
        transcriber.set_words(before)
    pairs = list(zip(without, with_words, strict=True))
    for text in with_words:  # no recording's name where none was said
        assert not re.search(r"\bn\d", text, re.IGNORECASE), pairs
    for (_, name), text in zip(RECORDED, with_words, strict=True):
        assert not name or text.count(name) <= 1, pairs  # no name said twice
    wrong_without = sum(errors(r, t)[0] for (r, _), t in zip(RECORDED, without, strict=True))
    wrong_with = sum(errors(r, t)[0] for (r, _), t in zip(RECORDED, with_words, strict=True))
    assert wrong_with <= wrong_without + 1, pairs

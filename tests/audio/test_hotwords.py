"""Vocabulary biasing: spoken names come back spelled as in the workspace."""

from __future__ import annotations

from pathlib import Path

from audio.hotwords import hotword_prompt, respell, workspace_words
from audio.transcribe import Transcriber
from tests.audio.conftest import read_audio


def make_workspace(root: Path) -> Path:
    ws = root / "harken-demo"
    (ws / "src").mkdir(parents=True)
    (ws / "README.md").write_text("# demo\n")
    (ws / "app.py").write_text("def load_config():\n    pass\n\nclass _Hidden:\n    pass\n")
    (ws / "src" / "SpeechDetector.ts").write_text("export class SpeechDetector {}\n")
    (ws / "node_modules").mkdir()
    (ws / "node_modules" / "junk.js").write_text("")
    return ws


def test_workspace_words_are_project_files_and_compound_identifiers(tmp_path: Path) -> None:
    words = workspace_words(make_workspace(tmp_path))
    assert words[0] == "harken-demo"
    assert {"README.md", "app.py", "SpeechDetector.ts", "load_config"} <= set(words)
    assert "junk.js" not in words and "_Hidden" not in words


def test_spoken_file_names_are_respelled_as_on_disk() -> None:
    words = ["README.md", "app.py", "load_config", "test.py"]
    assert respell("Open the Read Me and edit app dot py.", words) == (
        "Open the README.md and edit app.py."
    )
    assert respell("call load config now", words) == "call load_config now"
    assert respell("the test is fine", words) == "the test is fine"  # a plain word stays


def test_a_name_is_not_joined_across_a_comma() -> None:
    # tiny.en heard "... with the new one, run the tests ..." in a 20 s monologue spoken
    # in a workspace with ``one_run``: it was typed "the new one_run the tests".
    words = ["one_run", "app.py"]
    said = "Replace it with the new one, run the tests; app, py stays."
    assert respell(said, words) == said
    assert respell("open one run and app dot py", words) == "open one_run and app.py"


def test_hotword_prompt_is_short_and_puts_first_words_first() -> None:
    prompt = hotword_prompt(["mine", *[f"file{i}.py" for i in range(100)]])
    assert prompt.startswith("mine, file0.py") and len(prompt) <= 300


def test_spoken_command_gives_the_workspace_spelling(tmp_path: Path, espeak) -> None:
    ws = make_workspace(tmp_path)
    audio = read_audio(espeak("Open the readme and edit app dot py.", speed=150))
    t = Transcriber("tiny.en", language="en", words=workspace_words(ws)).start()
    text = t.transcribe(audio).text
    t.close()
    assert "README.md" in text and "app.py" in text, text

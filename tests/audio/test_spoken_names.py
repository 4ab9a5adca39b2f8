"""Spoken file names and punctuation written as spelled (text rules only, no model)."""

from __future__ import annotations

import pytest

from audio.hotwords import RespellOnly, hinted_agrees, hotword_prompt, needs_hints, respell
from audio.spoken_names import match_names, phonetic_key, spell_names
from audio.spoken_punctuation import dictated, parse_replacements

WORKSPACE = [
    RespellOnly("harken-demo"), "notes.txt", "app.py", "load_config", "README.md",
    RespellOnly("src"), RespellOnly("app"), "SpeechDetector.ts", "deploy_staging.sh",
]  # fmt: skip


@pytest.mark.parametrize(
    ("heard", "written"),
    [
        ("create a file called notes dot t x t", "create a file called notes.txt"),
        ("Create a file called notes dot T-X-T.", "Create a file called notes.txt."),
        ("create a file called notes dot T.X.T", "create a file called notes.txt"),
        ("Create a file call, notes. T-X-T.", "Create a file call, notes.txt."),
        ("create later dot txt", "create later.txt"),
        ("Notes dot TXT", "notes.txt"),
        ("open app dot py", "open app.py"),
        ("Open app dot pie.", "Open app.py."),
        ("open app dot p y", "open app.py"),
        ("open app.PY", "open app.py"),
        ("edit config dot jason", "edit config.json"),
        ("open README dot md", "open README.md"),
        ("rename load underscore config", "rename load_config"),
        ("the name load-underscore config.", "the name load_config."),
        ("look in source slash app", "look in source/app"),
        ("open source forward slash main dot rs", "open source/main.rs"),
        ("run deploy underscore staging dot s h", "run deploy_staging.sh"),
        ("my hyphen project", "my-project"),
    ],
)
def test_spoken_punctuation_of_names_is_written(heard: str, written: str) -> None:
    assert spell_names(heard) == written


@pytest.mark.parametrize(
    "plain",
    [
        "connect the dots and dot the i",
        "Run the tests and show me which ones fail.",
        "I went home. A b c",
        "slash the budget",
        "What time is it in Tokyo right now?",
        "the dot is small",
    ],
)
def test_ordinary_speech_is_left_alone(plain: str) -> None:
    assert spell_names(plain) == plain
    assert respell(plain, WORKSPACE) == plain


@pytest.mark.parametrize(
    ("heard", "written"),
    [
        ("Create a file call, node.txt.", "Create a file call, notes.txt."),
        ("rename lode_config", "rename load_config"),
        ("rename lode underscore config", "rename load_config"),
        ("look in source slash app", "look in src/app"),
        ("open App.py.", "open app.py."),
        ("open speech detector dot ts", "open SpeechDetector.ts"),
        ("edit the read me dot md", "edit the README.md"),
        ("run deploy underscore staging dot sh", "run deploy_staging.sh"),
        ("open harken demo", "open harken-demo"),
    ],
)
def test_a_name_like_a_workspace_file_takes_its_spelling(heard: str, written: str) -> None:
    assert respell(heard, WORKSPACE) == written


def test_names_unlike_any_workspace_file_keep_their_spelling() -> None:
    assert (
        match_names("open banana.py and tests/unit", WORKSPACE) == "open banana.py and tests/unit"
    )
    assert match_names("create todo.txt", WORKSPACE) == "create todo.txt"


@pytest.mark.parametrize(
    ("a", "b"),
    [("load_config", "lode config"), ("phone", "fone"), ("knight", "night"), ("Smith", "smyth")],
)
def test_words_that_sound_alike_share_a_key(a: str, b: str) -> None:
    assert phonetic_key(a) == phonetic_key(b)


@pytest.mark.parametrize(("a", "b"), [("notes", "votes"), ("app", "map"), ("config", "confine")])
def test_words_that_sound_different_do_not(a: str, b: str) -> None:
    assert phonetic_key(a) != phonetic_key(b)


def test_the_folder_name_and_folders_do_not_prime_the_decoder() -> None:
    prompt = hotword_prompt(["Anthropic", *WORKSPACE])
    assert "harken-demo" not in prompt and "src" not in prompt.split(", ")
    assert prompt.startswith("Anthropic, notes.txt, app.py, load_config")


@pytest.mark.parametrize(
    ("heard", "typed"),
    [
        ("hello comma world period", "hello, world."),
        ("Hello, comma, world.", "Hello, world."),
        ("Is it done question mark yes period", "Is it done? Yes."),
        ("first line new line second line", "first line\nSecond line"),
        (
            "dear Anna colon new paragraph the build failed full stop",
            "dear Anna:\n\nThe build failed.",
        ),
        ("wow exclamation mark", "wow!"),
        ("one semicolon two", "one; two"),
        ("Just a sentence.", "Just a sentence."),
        ("Please buy milk, commerce, eggs.", "Please buy milk, eggs."),
        ("It is ready, comment, please review it.", "It is ready, please review it."),
        ("Bring apples, cherries, and pears.", "Bring apples, cherries, and pears."),
    ],
)
def test_spoken_punctuation_is_typed_as_marks(heard: str, typed: str) -> None:
    assert dictated(heard) == typed


def test_personal_replacements_apply_to_whole_words_in_any_case() -> None:
    mine = parse_replacements("harken=Harken, kube control -> kubectl\nfoo → Bar, nonsense")
    assert mine == {"harken": "Harken", "kube control": "kubectl", "foo": "Bar"}
    assert dictated("I use Kube control with harken comma not harkening", mine) == (
        "I use kubectl with Harken, not harkening"
    )


PROMPT = "notes.txt, app.py, load_config, README.md, deploy_staging.sh, SpeechDetector.ts"


@pytest.mark.parametrize(
    "text",
    [
        "For the name load underscore config.",
        "Create a file called notes.txt",
        "look in source slash app",
        "open the speech detector",
        "show me to readme.md",
        "run deploy staging",
    ],
)
def test_text_that_may_name_a_workspace_file_asks_for_the_hints(text: str) -> None:
    assert needs_hints(text, PROMPT)


@pytest.mark.parametrize(
    "text",
    [
        "Run the tests and show me which ones fail.",
        "What time is it in Tokyo right now?",
        "Commit the changes with a message saying that the login bug is fixed.",
        "Install the latest version of the requests library and update the requirements file.",
        "Move the meeting with Anna from Tuesday to Thursday afternoon.",
        "",
    ],
)
def test_text_that_names_no_workspace_file_does_not(text: str) -> None:
    assert not needs_hints(text, PROMPT)


@pytest.mark.parametrize(
    ("heard", "written"),
    [
        # Whisper writes "underscore" and "backslash" as two words.
        ("Rename load under score config.", "Rename load_config."),
        ("rename load under-score config", "rename load_config"),
        ("Rename load, under score config.", "Rename load_config."),
        ("edit load under score config dot pie", "edit load_config.py"),
        ("look in source back slash app", "look in source\\app"),
        ("run deploy dash staging dot s h", "run deploy-staging.sh"),
        ("open harken dash demo", "open harken-demo"),
        ("add a dash of salt", "add a dash of salt"),
    ],
)
def test_joiners_written_as_two_words_or_said_as_dash_join_names(heard: str, written: str) -> None:
    words = [*WORKSPACE, "deploy-staging.sh"]
    assert respell(heard, words) == written


def test_a_function_or_a_file_named_load_config_is_matched_from_under_score() -> None:
    assert "load_config" in respell("Rename load under score config.", ["settings.py"])
    assert respell("open load under score config dot pie", ["load_config.py"]) == (
        "open load_config.py"
    )


@pytest.mark.parametrize(
    ("plain", "hinted"),
    [
        ("over that dot i.", "n2b."),  # the trial: hint names recited, the speech dropped
        ("over that dot i.", "over app.py, n2."),
        ("Open app dot pie.", "Open app.py, notes.txt."),  # a name added
        ("Run the tests.", "Run the test."),  # a word changed
        ("Delete the build folder.", "Delete the folder."),  # a word dropped
        ("", "app.py"),  # a name where nothing was heard
        ("Fix the bug in the login page.", "Fix the mug in the login page."),
    ],
)
def test_a_hinted_decoding_that_changes_words_is_not_trusted(plain: str, hinted: str) -> None:
    assert not hinted_agrees(plain, hinted, "app.py, notes.txt, load_config, README.md")


@pytest.mark.parametrize(
    ("plain", "hinted"),
    [
        ("over that dot i.", "over app.py."),
        ("Rename load under score config.", "Rename load_config."),
        ("create a file called node dot txt", "Create a file called notes.txt."),
        ("Run the tests.", "run the tests"),
        ("Open the Read Me and edit app. I", "Open the README and edit app.py"),
    ],
)
def test_a_hinted_decoding_that_only_spells_a_name_is_trusted(plain: str, hinted: str) -> None:
    assert hinted_agrees(plain, hinted, "app.py, notes.txt, load_config, README.md")


def test_names_that_are_not_word_like_and_media_files_do_not_prime() -> None:
    words = ["n1.wav", "n2.wav", "n2b.wav", "x1.py", "take.wav", "shot.png", "app.py"]
    words += ["notes.txt", "load_config", "run.log", "v2.py", "file2.py"]
    assert hotword_prompt(words) == "app.py, notes.txt, load_config, file2.py"


@pytest.mark.parametrize(
    ("plain", "hinted", "trusted"),
    [
        # The plain text was not understood: it may change, but not be recited over.
        ("over that dot i.", "open app.py.", True),
        ("Overapp.py.", "open app.py.", True),
        ("For the name load_config.", "rename load_config.", True),
        ("over that dot i.", "n2b.", False),  # four words heard, one name written
        ("over that dot i.", "over app.py, notes.txt.", False),  # two names for one stretch
        ("open it", "open it now, app.py", False),  # words added where none were heard
    ],
)
def test_an_unsure_plain_decoding_may_be_corrected_but_not_recited_over(
    plain: str, hinted: str, trusted: bool
) -> None:
    prompt = "app.py, notes.txt, load_config, README.md"
    assert hinted_agrees(plain, hinted, prompt, plain_unsure=True) is trusted

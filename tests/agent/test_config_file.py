from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from agent import paths
from agent.config import load_config
from agent.config_file import format_value, save_settings, update_toml
from agent.errors import ConfigError

USER_FILE = """\
# My Harken settings
model = "claude-sonnet-4-6"     # any Anthropic model id
mode = "standard"

# longer answers for refactors
max_tokens = 8192
"""


def test_changed_keys_are_rewritten_in_place_keeping_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)

    save_settings({"model": "claude-opus-4-1", "max_tokens": 16000}, path)

    assert path.read_text() == USER_FILE.replace("claude-sonnet-4-6", "claude-opus-4-1").replace(
        "8192", "16000"
    )


def test_missing_keys_are_appended_and_the_file_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)

    save_settings({"speak_summaries": False, "hotwords": 'Kubernetes, "Harken"'}, path)

    text = path.read_text()
    assert text.startswith(USER_FILE)
    assert text.endswith('speak_summaries = false\nhotwords = "Kubernetes, \\"Harken\\""\n')
    config = load_config(path)
    assert config.problems == []
    assert config.speak_summaries is False
    assert config.hotwords == 'Kubernetes, "Harken"'


def test_a_missing_file_is_created_in_the_config_folder() -> None:
    path = save_settings({"mode": "auto"})

    assert path == paths.config_file()
    assert path.read_text() == 'mode = "auto"\n'


def test_unknown_lines_and_tables_are_kept_and_new_keys_stay_top_level(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    original = 'mode = "plan"\nfavourite = 3\n\n[extras]\nmodel = "not a setting here"\n'
    path.write_text(original)

    save_settings({"model": "claude-haiku-4-5", "mode": "auto"}, path)

    data = tomllib.loads(path.read_text())
    assert data["model"] == "claude-haiku-4-5"
    assert data["mode"] == "auto"
    assert data["favourite"] == 3
    assert data["extras"] == {"model": "not a setting here"}
    assert path.read_text() == (
        'mode = "auto"\nfavourite = 3\nmodel = "claude-haiku-4-5"\n\n'
        '[extras]\nmodel = "not a setting here"\n'
    )


def test_a_hash_inside_a_string_is_not_taken_for_a_comment(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('hotwords = "C#, F#"  # languages\n')

    save_settings({"hotwords": "Rust"}, path)

    assert path.read_text() == 'hotwords = "Rust"  # languages\n'


def test_a_value_spanning_lines_is_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('hotwords = """\nalpha,\n[beta]\n"""\nmode = "plan"\n')

    save_settings({"hotwords": "gamma", "mode": "auto", "max_turns": 4}, path)

    assert path.read_text() == 'hotwords = "gamma"\nmode = "auto"\nmax_turns = 4\n'


def test_an_invalid_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    broken = 'model = "claude\nmode = standard\n'
    path.write_text(broken)

    with pytest.raises(ConfigError, match="not valid TOML"):
        save_settings({"mode": "auto"}, path)

    assert path.read_text() == broken


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"mode": "reckless"}, "must be one of"),
        ({"max_turns": 0}, "at least 1"),
        ({"speak_summaries": "yes"}, "true or false"),
        ({"no_such_setting": 1}, "Unknown setting"),
    ],
)
def test_bad_values_are_refused_before_anything_is_written(
    tmp_path: Path, changes: dict[str, object], problem: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)

    with pytest.raises(ConfigError, match=problem):
        save_settings(changes, path)

    assert path.read_text() == USER_FILE


def test_windows_line_endings_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'# mine\r\nmode = "plan"\r\n')

    save_settings({"mode": "auto", "max_turns": 9}, path)

    assert path.read_bytes() == b'# mine\r\nmode = "auto"\r\nmax_turns = 9\r\n'


def test_quoted_keys_are_recognised() -> None:
    assert update_toml('"mode" = "plan"\n', {"mode": "auto"}) == '"mode" = "auto"\n'


def test_values_are_written_as_toml_literals() -> None:
    assert format_value(True) == "true"
    assert format_value(-50) == "-50"
    assert format_value(1.5) == "1.5"
    awkward = "tab\there \x7f é"
    assert tomllib.loads("x = " + format_value(awkward))["x"] == awkward
    with pytest.raises(ConfigError):
        format_value(["a"])


def test_a_hand_tuned_file_keeps_its_style_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "# Harken, tuned by hand\n"
        'model="claude-sonnet-4-6"  # the default model\n'
        "speak_summaries =   true\n"
        'mode="standard"\n'
        "\n"
        "[notes]\n"
        "# for later\n"
        'model = "claude-opus-4-1"\n'
    )

    save_settings({"mode": "auto", "speak_summaries": False, "max_turns": 12}, path)

    assert path.read_text() == (
        "# Harken, tuned by hand\n"
        'model="claude-sonnet-4-6"  # the default model\n'
        "speak_summaries =   false\n"
        'mode="auto"\n'
        "max_turns = 12\n"
        "\n"
        "[notes]\n"
        "# for later\n"
        'model = "claude-opus-4-1"\n'
    )


def test_a_corrupt_file_is_refused_with_where_it_breaks_and_kept_byte_for_byte(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    corrupt = b'# mine\r\nmode = "plan"\r\nhotwords = [unclosed\r\n'
    path.write_bytes(corrupt)

    with pytest.raises(ConfigError) as raised:
        save_settings({"mode": "auto"}, path)

    assert str(raised.value).startswith(f"{path} is not valid TOML (")
    assert "line 3" in str(raised.value)
    assert str(raised.value).endswith("fix or remove it, then save again.")
    assert path.read_bytes() == corrupt
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]


def test_a_table_named_like_a_setting_is_refused_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    original = 'model = "claude-sonnet-4-6"\n\n[mode]\nnote = "mine"\n'
    path.write_text(original)

    with pytest.raises(ConfigError, match="not a setting"):
        save_settings({"mode": "auto"}, path)

    assert path.read_text() == original

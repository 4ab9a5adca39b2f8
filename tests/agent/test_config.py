from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import Config, load_config


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "none.toml")
    assert config.model == Config().model and config.problems == []


def test_values_from_the_file_apply(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "claude-haiku-4-5"\nmax_turns = 7\n')
    config = load_config(path)
    assert (config.model, config.max_turns) == ("claude-haiku-4-5", 7)


def test_bad_values_are_reported_one_by_one_and_the_rest_applies(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('max_turns = "many"\nmode = "yolo"\ncolour = "blue"\nmax_tokens = 1000\n')
    config = load_config(path)
    assert config.max_tokens == 1000
    assert config.max_turns == Config().max_turns and config.mode == "standard"
    assert len(config.problems) == 3
    assert any("unknown setting 'colour'" in p for p in config.problems)
    assert any("mode must be one of plan, standard, auto, bypass" in p for p in config.problems)


def test_a_file_that_is_not_toml_is_reported_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("this is = = not toml")
    config = load_config(path)
    assert config.values == Config().values
    assert "not valid TOML" in config.problems[0]
    assert path.read_text() == "this is = = not toml"


def test_overrides_are_validated() -> None:
    assert Config().override(max_turns=3, model=None).max_turns == 3
    with pytest.raises(ValueError, match="max_turns must be at least 1"):
        Config().override(max_turns=0)

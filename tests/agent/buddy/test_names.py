from __future__ import annotations

from pathlib import Path

import pytest

from agent.buddy.bones import hatch
from agent.buddy.names import name_of, store_name, suggested_name
from agent.config import Config, load_config


def test_a_pet_suggests_the_same_name_every_time() -> None:
    assert suggested_name(hatch("alice")) == suggested_name(hatch("alice")) == "Kiply"
    names = {suggested_name(hatch(f"user-{i}")) for i in range(200)}
    assert len(names) > 50


def test_a_chosen_name_wins_over_the_suggestion() -> None:
    buddy = hatch("alice")
    assert name_of(buddy, Config().override(buddy_name="Biscuit")) == "Biscuit"
    assert name_of(buddy, Config()) == suggested_name(buddy)


def test_storing_a_name_keeps_the_rest_of_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# my settings\nmodel = "claude-haiku-4-5"\n')
    store_name("Biscuit", path)
    assert path.read_text() == '# my settings\nmodel = "claude-haiku-4-5"\nbuddy_name = "Biscuit"\n'
    store_name('Sir "Quacks" III', path)
    config = load_config(path)
    assert config.buddy_name == 'Sir "Quacks" III' and config.model == "claude-haiku-4-5"
    assert config.problems == []
    assert path.read_text().count("buddy_name") == 1


def test_a_stored_name_goes_before_any_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("model = 'x'\n[extra]\nkey = 1\n")
    store_name("Pip", path)
    assert path.read_text() == "model = 'x'\nbuddy_name = \"Pip\"\n[extra]\nkey = 1\n"


def test_a_name_is_stored_in_the_user_config_file_by_default() -> None:
    store_name("  Ziggy   Stardust ")
    assert load_config().buddy_name == "Ziggy Stardust"


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b", "x" * 33])
def test_empty_long_or_control_character_names_are_refused(bad: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        store_name(bad, tmp_path / "config.toml")
    assert not (tmp_path / "config.toml").exists()

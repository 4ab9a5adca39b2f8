from __future__ import annotations

from pathlib import Path

from agent.buddy.identity import default_user_id, machine_id, user_id_for
from agent.config import Config


def test_the_default_id_is_stable_and_hides_what_it_is_made_of() -> None:
    first = default_user_id("ada", "3d1219c7c4c5404aaa1f6d2a48adfda4")
    assert first == default_user_id("ada", "3d1219c7c4c5404aaa1f6d2a48adfda4")
    assert first.startswith("u-") and len(first) == 18
    assert "ada" not in first


def test_other_logins_and_other_machines_get_other_ids() -> None:
    base = default_user_id("ada", "m1")
    assert default_user_id("bob", "m1") != base
    assert default_user_id("ada", "m2") != base


def test_the_default_id_of_this_user_here_does_not_change_between_calls() -> None:
    assert default_user_id() == default_user_id()


def test_machine_id_is_read_from_the_first_file_that_has_one(tmp_path: Path) -> None:
    empty, real = tmp_path / "empty", tmp_path / "real"
    empty.write_text("\n")
    real.write_text("abc123\n")
    assert machine_id([tmp_path / "missing", empty, real]) == "abc123"
    assert machine_id([tmp_path / "missing"])  # falls back to the host name


def test_an_explicit_id_beats_the_setting_which_beats_the_default() -> None:
    configured = Config().override(buddy_user_id="from-config")
    assert user_id_for(configured, "given") == "given"
    assert user_id_for(configured) == "from-config"
    assert user_id_for(Config()) == default_user_id()

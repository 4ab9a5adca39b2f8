from __future__ import annotations

from pathlib import Path

from desktop.buddy import placement


def test_a_spot_is_remembered_per_screen_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "harken" / "buddy.json"
    spots = placement.remember(path, placement.load(path), "HDMI-1:1920x1080", 100, 200)
    spots = placement.remember(path, spots, "eDP-1:1280x800", 5, 6)
    again = placement.load(path)
    assert again.screens == {"HDMI-1:1920x1080": (100, 200), "eDP-1:1280x800": (5, 6)}
    assert again.last == "eDP-1:1280x800"


def test_an_unreadable_file_means_no_spots(tmp_path: Path) -> None:
    path = tmp_path / "buddy.json"
    path.write_text("{not json")
    assert placement.load(path) == placement.Spots()
    path.write_text('{"screens": {"a": [1]}}')
    assert placement.load(path) == placement.Spots()
    assert placement.load(tmp_path / "missing.json") == placement.Spots()


def test_spots_are_kept_in_the_user_config_folder() -> None:
    assert placement.store_path().parent.name == "harken"


def test_a_spot_is_fitted_inside_its_screen_and_the_default_is_a_corner() -> None:
    area = (0, 0, 1280, 800)
    assert placement.fit(5000, -40, 128, 128, area) == (1152, 0)
    assert placement.fit(100, 100, 128, 128, area) == (100, 100)
    assert placement.corner(128, 128, area) == (1280 - 128 - 24, 800 - 128 - 24)

"""Where Harken keeps things on disk (platformdirs; tests point XDG_* elsewhere)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "harken"


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP))


def config_file() -> Path:
    return config_dir() / "config.toml"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP))


def sessions_dir() -> Path:
    return data_dir() / "sessions"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP))

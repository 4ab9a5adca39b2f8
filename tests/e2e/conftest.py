"""End-to-end tests: the ``real_display`` marker is known here too (tests/desktop/conftest.py
declares it for the Qt tests), so the e2e folder runs on its own; and the real ``harken``
command run against the scripted API (the ``harken`` fixture)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_display: needs the X display started by tests/desktop_env.sh"
    )


def harken_command() -> list[str]:
    """How to start the installed ``harken`` command (the console script, else the module)."""
    script = Path(sys.executable).parent / "harken"
    if script.exists():
        return [str(script)]
    found = shutil.which("harken")
    return [found] if found else [sys.executable, "-m", "desktop.cli"]


def write_config(home: Path, text: str) -> None:
    """Write the user's ``config.toml`` in the isolated environment ``home``."""
    folder = home / "xdg_config_home" / "harken"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text)


@pytest.fixture
def harken(api: Any, workspace: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``harken ARGS`` in the workspace with the scripted API as its endpoint."""

    def run(
        *args: str, env: dict[str, str] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url, **(env or {})}
        return subprocess.run(
            [*harken_command(), *args],
            cwd=workspace,
            env=full_env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run

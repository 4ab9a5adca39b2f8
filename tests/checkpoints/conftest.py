"""Fixtures for the checkpoint tests: the real ``harken`` command against the scripted API,
and a store that cannot be written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_display: needs the X display started by tests/desktop_env.sh"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The Qt tests here draw offscreen, unless a collected test needs the virtual screen
    of tests/desktop_env.sh and it runs (then xcb), as tests/desktop/conftest.py chooses;
    an explicit QT_QPA_PLATFORM is left alone. Chosen at collection, before Qt starts."""
    marked = any(item.get_closest_marker("real_display") for item in items)
    display = os.environ.get("HARKEN_TEST_DISPLAY") == "1" and bool(os.environ.get("DISPLAY"))
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb" if marked and display else "offscreen")


def harken_command() -> list[str]:
    """The installed console script, else the module."""
    script = Path(sys.executable).parent / "harken"
    return [str(script)] if script.exists() else [sys.executable, "-m", "desktop.cli"]


@pytest.fixture
def harken(api: Any, workspace: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``harken ARGS`` in the workspace, with no terminal, against the scripted API."""

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url}
        return subprocess.run(
            [*harken_command(), *args],
            cwd=workspace,
            env=env,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


@pytest.fixture
def unwritable() -> Iterator[Callable[[Path], None]]:
    """Make a folder that even root cannot write into (``chattr +i`` as root, else mode
    0o555); undone at the end of the test."""
    made: list[Path] = []

    def make(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            if shutil.which("chattr") is None:
                pytest.skip("running as root without chattr: cannot make a read-only folder")
            done = subprocess.run(["chattr", "+i", str(folder)], capture_output=True)
            if done.returncode != 0:
                pytest.skip(f"chattr +i does not work here: {done.stderr.decode()}")
        else:
            folder.chmod(0o555)
        made.append(folder)

    yield make
    for folder in made:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=False)
        else:
            folder.chmod(0o755)

"""End-to-end tests: the ``real_display`` marker is known here too (tests/desktop/conftest.py
declares it for the Qt tests), so the e2e folder runs on its own; and the real ``harken``
command run against the scripted API: to its end (the ``harken`` fixture, ``run_harken``),
started with streams of the test's choosing (``start_harken``), or in the background to be
killed or interrupted (the ``start`` fixture; tests/e2e/background.py)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.background import DEADLINE


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


def failure_lines(stderr: str) -> list[str]:
    """The lines of ``stderr`` that say what failed (``harken: ...``)."""
    return [line for line in stderr.splitlines() if line.startswith("harken:")]


def harken_env(api: Any, env: dict[str, str | None] | None = None) -> dict[str, str]:
    """This process's environment with the scripted API as the endpoint, then ``env`` over
    it (a ``None`` value leaves that variable out)."""
    full_env = {**os.environ, "ANTHROPIC_BASE_URL": api.base_url, **(env or {})}
    return {name: value for name, value in full_env.items() if value is not None}


def run_harken(
    api: Any,
    workspace: Path,
    *args: str,
    env: dict[str, str | None] | None = None,
    timeout: float = 60,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``harken ARGS`` to its end in ``workspace`` against the scripted API; its stdin
    is ``input`` (else nothing), its stdout and stderr are captured as text."""
    return subprocess.run(
        [*harken_command(), *args],
        cwd=workspace,
        env=harken_env(api, env),
        stdin=subprocess.DEVNULL if input is None else None,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_harken(api: Any, workspace: Path, *args: str, **streams: Any) -> subprocess.Popen:
    """Start ``harken ARGS`` in ``workspace`` against the scripted API; ``streams`` are
    Popen's (stdin, stdout, stderr, text, start_new_session...)."""
    return subprocess.Popen(
        [*harken_command(), *args], cwd=workspace, env=harken_env(api), **streams
    )


@pytest.fixture
def harken(api: Any, workspace: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``harken ARGS`` in the workspace with the scripted API as its endpoint."""

    def run(
        *args: str, env: dict[str, str | None] | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return run_harken(api, workspace, *args, env=env, timeout=timeout)

    return run


@pytest.fixture
def start(api: Any, workspace: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start ``harken ARGS`` in the background (its own process group, cleaned up after)."""
    started: list[subprocess.Popen[bytes]] = []

    def run(*args: str, stdin: Any = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
        process = start_harken(
            api,
            workspace,
            *args,
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever the test left running
        process.communicate(timeout=DEADLINE)

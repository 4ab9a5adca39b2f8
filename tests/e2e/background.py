"""A `harken` command running in the background, as a killed or interrupted run needs.

    wait_until(condition, process)    return once condition() holds; fail if harken ends
    wait_for_stderr(process, wanted)  read its stderr until ``wanted`` appeared
    kill(process)                     SIGKILL harken itself (its children are not told)

The ``start`` fixture that launches it lives in tests/e2e/conftest.py. Every wait has a
deadline that only catches a hang.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Callable

import pytest

DEADLINE = 30.0  # seconds; only catches a hang


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    """Return once ``condition()`` holds; fail if the process ends first or on a hang."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if process.poll() is not None:
            _out, err = process.communicate()
            pytest.fail(f"harken ended (exit {process.returncode}) first: {err.decode()}")
        if time.monotonic() > deadline:
            pytest.fail("the condition never came true")
        time.sleep(0.01)  # polling interval, not synchronisation: the condition decides


def wait_for_stderr(process: subprocess.Popen[bytes], wanted: bytes) -> bytes:
    """Read the process's stderr until ``wanted`` has appeared; returns what was read."""
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + DEADLINE
    while wanted not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"never saw {wanted!r} on stderr; saw {seen!r}")
        ready, _, _ = select.select([process.stderr], [], [], remaining)
        if ready:
            chunk = os.read(process.stderr.fileno(), 4096)
            if not chunk:
                pytest.fail(f"stderr closed before {wanted!r}; saw {seen!r}")
            seen += chunk
    return seen


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the harken process itself (as the issue did); its children are not told."""
    process.kill()
    process.wait(timeout=DEADLINE)

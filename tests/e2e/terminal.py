"""A `harken` command on a pseudo-terminal, as a person at a terminal runs it.

    read_until(fd, wanted)                     the bytes read from ``fd`` until ``wanted`` came
    converse(argv, cwd, env, prompt, answers)  run on a terminal, type an answer at each prompt

Every wait has a deadline that only catches a hang.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

HANG_GUARD_S = 60  # only so a broken build cannot hang the run; never reached when it works


def read_until(fd: int, wanted: bytes, timeout: float = HANG_GUARD_S) -> bytes:
    """Bytes read from ``fd`` until they hold ``wanted``; the deadline only catches a hang."""
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise AssertionError(f"{wanted!r} never arrived; got {seen!r}")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise AssertionError(f"output ended before {wanted!r}; got {seen!r}")
        seen += chunk
    return seen


def converse(
    argv: list[str], cwd: Path, env: dict[str, str], prompt: bytes, answers: list[str]
) -> tuple[int, str]:
    """Run ``argv`` with a pseudo-terminal as its stdin, stdout and stderr; type the n-th of
    ``answers`` once ``prompt`` has appeared n times. Its exit status and all it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        argv, cwd=cwd, stdin=follower, stdout=follower, stderr=follower, env=env
    )
    os.close(follower)
    seen, typed = b"", 0
    deadline = time.monotonic() + HANG_GUARD_S
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1.0)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the program ended and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if typed < len(answers) and seen.count(prompt) > typed:
            os.write(leader, answers[typed].encode() + b"\n")
            typed += 1
        if process.poll() is not None and not ready:
            break
    os.close(leader)
    return process.wait(timeout=HANG_GUARD_S), seen.decode("utf-8", "replace")

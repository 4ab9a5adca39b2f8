"""The test helpers that ask whether a process runs: a process ending while it is looked at
counts as gone, never as an error (the cause of a flaky shell cancellation test)."""

from __future__ import annotations

import asyncio
import subprocess

from tests.processes import process_alive, running, wait_gone


def test_a_process_that_exits_between_open_and_read_counts_as_gone() -> None:
    child = subprocess.Popen(["sleep", "300"])
    with open(f"/proc/{child.pid}/stat", "rb") as stat:
        child.kill()
        child.wait()  # reaped: the open /proc entry now answers ESRCH
        assert running(stat) is False


def test_a_running_process_is_alive_and_a_reaped_one_is_not() -> None:
    child = subprocess.Popen(["sleep", "300"])
    try:
        assert process_alive(child.pid)
    finally:
        child.kill()
        child.wait()
    assert not process_alive(child.pid)


def test_a_zombie_counts_as_gone() -> None:
    child = subprocess.Popen(["sleep", "300"])
    child.kill()
    try:
        # Not reaped until wait(): a zombie, which must already count as gone.
        assert asyncio.run(wait_gone([child.pid]))
    finally:
        child.wait()

"""Asking whether processes still run, for tests that check nothing outlived a command.

    process_alive(pid)        one process, by its host pid (zombies count as gone)
    wait_gone(pids)           until none of them runs; False if they outlive the deadline
    matching(pattern)         host pids whose command line contains ``pattern`` (pgrep -f):
                              for processes inside a sandbox's own PID namespace
    wait_matching(pattern)    until ``matching`` finds one
    wait_none_matching(...)   until ``matching`` finds none

A process may exit at any moment while it is being looked at: between the check that its
``/proc`` entry exists and the open, or between the open and the read (the kernel then
answers ESRCH, which Python raises as ProcessLookupError). Each of these means "gone".
Deadlines are generous: they only keep a hung test from hanging the suite.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from typing import BinaryIO

HANG_S = 30.0  # long enough for a slow CI machine; only a hang takes this long


def process_alive(pid: int) -> bool:
    """Whether ``pid`` names a running (not zombie) process on this host."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return running(stat)
    except (FileNotFoundError, ProcessLookupError):  # gone before the open
        return False


def running(stat: BinaryIO) -> bool:
    """Whether the process whose ``/proc/PID/stat`` is open in ``stat`` runs; a process that
    ended since the open (ESRCH on read) is gone. The state follows the last ")" (the
    command name may hold spaces and parentheses): "Z" is a zombie, "X" dead."""
    try:
        text = stat.read()
    except ProcessLookupError:
        return False
    state = text.rsplit(b")", 1)[1].split()[0]
    return state not in (b"Z", b"X")


async def wait_gone(pids: list[int], within_s: float = HANG_S) -> bool:
    """True once none of ``pids`` runs; False if one still runs after ``within_s``."""
    deadline = time.monotonic() + within_s
    while any(process_alive(pid) for pid in pids):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


def matching(pattern: str) -> list[int]:
    """Host pids of processes whose command line contains ``pattern`` (not this one)."""
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split() if int(pid) != os.getpid()]


async def wait_matching(pattern: str, within_s: float = HANG_S) -> list[int]:
    """The pids once a process matching ``pattern`` runs; AssertionError if none starts."""
    deadline = time.monotonic() + within_s
    while not (pids := matching(pattern)):
        if time.monotonic() > deadline:
            raise AssertionError(f"no process matching {pattern!r} started in {within_s} s")
        await asyncio.sleep(0.02)
    return pids


async def wait_none_matching(pattern: str, within_s: float = HANG_S) -> bool:
    """True once no process matches ``pattern``; False if one outlives ``within_s``."""
    deadline = time.monotonic() + within_s
    while matching(pattern):
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True

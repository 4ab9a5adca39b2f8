"""``harken bench voice`` measures release-to-text at realistic release timings: one run
prints, for each tail of silence before the key release and for a release in the middle of
the last word, the naive pipeline's figures next to Harken's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SETTINGS = ("0.00 s", "0.10 s", "0.15 s", "0.20 s", "0.30 s", "mid-word")


def test_one_run_prints_every_release_setting(workspace: Path, isolated_env: Path) -> None:
    if os.environ.get("HARKEN_TEST_AUDIO") != "1":
        pytest.skip("no virtual microphone: run under tests/desktop_env.sh (PulseAudio)")
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "bench", "voice", "--clips", "1"],
        capture_output=True,
        text=True,
        cwd=workspace,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    table = done.stdout.split("release to text", 1)[1].splitlines()
    for setting in SETTINGS:
        row = next((line for line in table if line.startswith(setting)), None)
        assert row is not None, done.stdout
        figures = row[len(setting) :].split()
        # p50, p95 and word error rate of (a) and of (b), then the speedup
        assert len(figures) == 7, row

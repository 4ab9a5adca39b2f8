"""A PulseAudio of the test's own, to kill or freeze without touching the shared one.

    with private_pulse(tmp_path) as pulse:
        pulse.env                       for a client: XDG_RUNTIME_DIR and PULSE_SERVER
        pulse.wait_sink_input()         until something plays on it (pactl list sink-inputs)
        pulse.kill() / pulse.freeze()   SIGKILL (a crash) / SIGSTOP (a hang)

Started as tests/desktop_env.sh starts the shared one, but in a runtime folder of its own
(its socket and pid file live there), with a null sink as its only output. It is killed
when the block ends, whatever happened.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

HANG_S = 30.0  # only a hang takes this long


@dataclass
class PrivatePulse:
    runtime: Path
    pid: int

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "XDG_RUNTIME_DIR": str(self.runtime),
            "PULSE_SERVER": f"unix:{self.runtime / 'pulse' / 'native'}",
        }

    def pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=HANG_S
        )

    def wait_sink_input(self) -> None:
        """Until a client's stream plays on the server (polled; fails after HANG_S)."""
        deadline = time.monotonic() + HANG_S
        while self.pactl("list", "short", "sink-inputs").stdout.strip() == "":
            assert time.monotonic() < deadline, "nothing started playing"
            time.sleep(0.05)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def freeze(self) -> None:
        os.kill(self.pid, signal.SIGSTOP)


@contextlib.contextmanager
def private_pulse(base: Path) -> Iterator[PrivatePulse]:
    """A running private PulseAudio (skips the test when PulseAudio is not installed)."""
    if not (shutil.which("pulseaudio") and shutil.which("pactl")):
        pytest.skip("PulseAudio is not installed (pulseaudio, pactl)")
    runtime = base / "pulse-runtime"
    runtime.mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k not in ("PULSE_SERVER", "DISPLAY")}
    env["XDG_RUNTIME_DIR"] = str(runtime)
    # Off the session bus: the shared PulseAudio owns org.PulseAudio1 there, and a second
    # daemon that cannot take the name exits (the bus is found through DISPLAY, too).
    env["DBUS_SESSION_BUS_ADDRESS"] = "disabled:"
    subprocess.run(
        [
            "pulseaudio",
            "-D",
            "--exit-idle-time=-1",
            "-n",
            "--load=module-native-protocol-unix",
            "--load=module-null-sink sink_name=speakers",
            "--load=module-always-sink",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=HANG_S,
    )
    pid = int((runtime / "pulse" / "pid").read_text().split()[0])
    pulse = PrivatePulse(runtime, pid)
    try:
        deadline = time.monotonic() + HANG_S
        while pulse.pactl("info").returncode != 0:
            assert time.monotonic() < deadline, "the private PulseAudio did not come up"
            time.sleep(0.05)
        yield pulse
    finally:
        pulse.kill()  # frozen or not

"""Clips for the voice tests made with sox, and ``harken listen`` driven as a person would.

``at_peak(src, db, folder)`` is ``src`` attenuated (or amplified) so its loudest sample is
``db`` dBFS, 16-bit, as a quiet microphone records; ``padded(src, folder)`` adds silence
around a clip so that when paplay returns, the microphone has heard all of the speech.

``wait_played_out(recorder)`` waits until the microphone has delivered a clip to its end,
however quiet the clip (the virtual microphone's silence is exact zeros).

``Listen`` runs the real ``harken listen`` with a pipe for its keyboard: it presses Enter
when the command asks for it, and collects stdout and stderr as they come, so a test can
wait for what is said at once (``wait_stderr``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

LEAD_SECONDS = 0.3
TAIL_SECONDS = 1.5  # longer than the monitor's delivery lag on a busy machine


def sox(*args: str) -> None:
    subprocess.run(["sox", *args], check=True, capture_output=True)


def at_peak(src: Path, peak_db: float, folder: Path) -> Path:
    out = folder / f"{src.stem}-peak{-peak_db:g}.wav"
    if not out.exists():
        sox(str(src), "-b", "16", "-r", "16000", "-c", "1", str(out), "gain", "-n", str(peak_db))
    return out


def padded(src: Path, folder: Path) -> Path:
    out = folder / f"{src.stem}-padded.wav"
    if not out.exists():
        sox(str(src), str(out), "pad", str(LEAD_SECONDS), str(TAIL_SECONDS))
    return out


def peak_db(path: Path) -> float:
    """The loudest sample of a file, dBFS, as sox measures it."""
    import math

    out = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True)
    line = next(x for x in out.stderr.splitlines() if x.startswith("Maximum amplitude"))
    return 20 * math.log10(float(line.split(":")[1]))


def wait_played_out(recorder: Any, quiet: float = 0.3, timeout: float = 30) -> None:
    """Wait until the take held sound (any non-zero sample) followed by ``quiet`` seconds
    of digital silence: the clip played into the virtual microphone has been heard to
    its end, at any level. The deadline only catches a hang."""
    import numpy as np

    deadline, heard = time.monotonic() + timeout, False
    while True:
        audio = recorder.captured()
        sound = np.flatnonzero(audio)
        heard = heard or len(sound) > 0
        last = sound[-1] if len(sound) else -1
        if heard and len(audio) - 1 - last >= quiet * 16_000:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the microphone did not hear the clip end in {timeout} s")
        time.sleep(0.01)


class Listen:
    """One ``harken listen`` run: ``start()`` presses Enter to record, ``stop()`` to end."""

    def __init__(self, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> None:
        self.timeout = timeout
        self.process = subprocess.Popen(
            [sys.executable, "-m", "desktop.cli", "listen", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=os.environ.copy() if env is None else env,
        )
        self._out = {"stdout": b"", "stderr": b""}
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(name,), daemon=True) for name in self._out
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, name: str) -> None:
        stream = getattr(self.process, name)
        while chunk := os.read(stream.fileno(), 4096):
            with self._changed:
                self._out[name] += chunk
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def stdout(self) -> str:
        return self._out["stdout"].decode()

    @property
    def stderr(self) -> str:
        return self._out["stderr"].decode()

    def _wait(self, name: str, text: str) -> None:
        deadline = time.monotonic() + self.timeout
        with self._changed:
            while text not in self._out[name].decode(errors="replace"):
                if self.process.poll() is not None and not any(r.is_alive() for r in self._readers):
                    raise AssertionError(f"harken listen ended before {text!r}:\n{self.stderr}")
                if not self._changed.wait(timeout=max(0.0, deadline - time.monotonic())):
                    raise AssertionError(f"no {text!r} within {self.timeout} s:\n{self.stderr}")

    def wait_stderr(self, text: str) -> None:
        self._wait("stderr", text)

    def _enter(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(b"\n")
        self.process.stdin.flush()

    def start(self) -> None:
        """Press Enter once it asks to start; returns when it is recording."""
        self._wait("stdout", "Press Enter to start recording.")
        self._enter()
        self._wait("stdout", "Recording... press Enter to stop.")

    def stop(self) -> int:
        """Press Enter to stop; returns the exit status once it has printed its result."""
        self._enter()
        assert self.process.stdin is not None
        self.process.stdin.close()
        code = self.process.wait(timeout=self.timeout)
        for reader in self._readers:
            reader.join(timeout=10)
        return code

    def text(self) -> str:
        """What was printed after the prompts: the transcript."""
        return self.stdout.rsplit("press Enter to stop.", 1)[-1].strip()

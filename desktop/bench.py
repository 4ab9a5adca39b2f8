"""``harken bench tray``: how soon the tray icon shows, memory, and release-to-speech.

Three measurements of the real ``harken`` process, printed:

1. start-up: from starting the process to Harken's icon being mapped in the tray (watched
   on the X server: the tray host's panel gains a viewable window), next to a bare PySide6
   script that only shows a tray icon; median of ``runs`` after one warm-up each;
2. memory: resident size with the Whisper model loaded and the app idle (``/proc``);
3. key release to the first spoken word of the summary: the hotkey held with xdotool, a
   spoken command played into the virtual microphone, the key released 0.5 s after the
   speech; a scripted Messages API answers after a fixed ``latency``; the summary Harken
   speaks is heard on the sink's monitor, which the benchmark records.

It needs what the end-to-end tests need: an X display with a tray host, xdotool, and the
PulseAudio ``virtmic`` null sink as default source and sink (run it under
tests/desktop_env.sh). Each ``harken`` runs with its own config, data and runtime folders.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BARE_TRAY = """\
import sys
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QSystemTrayIcon
app = QApplication(sys.argv)
tray = QSystemTrayIcon(QIcon(sys.argv[1]))
tray.show()
app.exec()
"""
ANSWER = "I looked at the project. Everything is in order and the tests pass."
COMMAND = "check that the project is in order"
HOTKEY = "ctrl+alt+space"
TAIL_SILENCE = 0.5
SPEECH_DB = -45.0  # a monitor block louder than this is speech


def run(runs: int = 5, latency: float = 0.5, out: Callable[[str], Any] = print) -> int:
    _require()
    from desktop.tray import ICON_FILE

    with tempfile.TemporaryDirectory(prefix="harken-bench-") as tmp:
        folder = Path(tmp)
        script = folder / "bare_tray.py"
        script.write_text(BARE_TRAY)
        bare = [sys.executable, str(script), str(ICON_FILE)]
        harken = [str(Path(sys.executable).parent / "harken")]
        if not Path(harken[0]).exists():
            harken = [sys.executable, "-m", "desktop.cli"]

        out(f"Start-up: process start to the tray icon on screen ({runs} runs each, median)")
        bare_times = [_time_to_tray(bare, os.environ.copy()) for _ in range(runs + 1)][1:]
        app_times = [_time_to_tray(harken, _app_env(folder / f"s{i}")) for i in range(runs + 1)][1:]
        b, a = statistics.median(bare_times), statistics.median(app_times)
        out(f"  bare PySide6 tray script  {b * 1000:6.0f} ms  (min {min(bare_times) * 1000:.0f})")
        out(f"  harken                    {a * 1000:6.0f} ms  (min {min(app_times) * 1000:.0f})")
        out(f"  ratio                     {a / b:6.2f}x  (aim: at most 1.5x)")

        with _ScriptedServer(latency) as server:
            env = _app_env(folder / "voice", base_url=server.url)
            _run_voice(harken, env, folder, runs, latency, server, out)
    return 0


def _require() -> None:
    for tool in ("xdotool", "espeak-ng", "paplay", "pactl"):
        if shutil.which(tool) is None:
            raise RuntimeError(
                f"the tray benchmark needs {tool}; run it under tests/desktop_env.sh"
            )
    if not os.environ.get("DISPLAY"):
        raise RuntimeError("the tray benchmark needs an X display with a tray host")
    info = subprocess.run(["pactl", "info"], capture_output=True, text=True).stdout
    if "Default Source: virtmic.monitor" not in info or "Default Sink: virtmic" not in info:
        raise RuntimeError(
            "the tray benchmark speaks into the virtmic null sink; run it under "
            "tests/desktop_env.sh"
        )


def _app_env(home: Path, base_url: str = "http://127.0.0.1:9") -> dict[str, str]:
    """A fresh user for one harken: its own folders, a test key, cues off."""
    env = dict(os.environ)
    for name in ("config", "data", "state", "cache"):
        env[f"XDG_{name.upper()}_HOME"] = str(home / name)
    runtime = home / "runtime"
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    pulse = Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent")) / "pulse" / "native"
    if pulse.exists():
        env.setdefault("PULSE_SERVER", f"unix:{pulse}")
    env["XDG_RUNTIME_DIR"] = str(runtime)
    config = home / "config" / "harken"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("sound_cues = false\nmax_retries = 0\n")
    env.update(
        ANTHROPIC_API_KEY="sk-ant-bench-0000",
        ANTHROPIC_BASE_URL=base_url,
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        QT_QPA_PLATFORM="xcb",
    )
    env.pop("HARKEN_SPEECH_OUT", None)
    return env


# -- 1. the tray icon ------------------------------------------------------------------------


def _time_to_tray(command: list[str], env: dict[str, str], timeout: float = 30) -> float:
    from Xlib import display

    screen = display.Display()
    try:
        panel = _tray_panel(screen)
        before = _mapped(panel)
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while _mapped(panel) <= before:
                if time.perf_counter() - started > timeout or process.poll() is not None:
                    raise RuntimeError(f"no tray icon from {command[-1]} in {timeout} s")
                time.sleep(0.002)
            return time.perf_counter() - started
        finally:
            _stop(process)
    finally:
        screen.close()


def _tray_panel(screen: Any) -> Any:
    for window in screen.screen().root.query_tree().children:
        if window.get_wm_name() == "panel":  # trayer's
            return window
    raise RuntimeError("no tray host (trayer) on this display")


def _mapped(window: Any) -> int:
    from Xlib import X, error

    count = 0
    for child in window.query_tree().children:
        try:
            if child.get_attributes().map_state == X.IsViewable:
                count += 1 + _mapped(child)
        except error.XError:  # gone while we looked
            pass
    return count


def _stop(process: subprocess.Popen[Any]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- 2 and 3. memory, and release to speech ---------------------------------------------------


def _run_voice(
    harken: list[str],
    env: dict[str, str],
    folder: Path,
    runs: int,
    latency: float,
    server: _ScriptedServer,
    out: Callable[[str], Any],
) -> None:
    log = Path(env["XDG_STATE_HOME"]) / "harken" / "log" / "harken.log"
    wav = folder / "command.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), COMMAND], check=True, capture_output=True)
    process = subprocess.Popen(
        harken, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_log(log, "ready to listen", 120)
        time.sleep(2)  # settle: the first turn's imports are done, nothing is running
        rss, peak = _memory(process.pid)
        out("\nMemory, Whisper model loaded and idle")
        out(f"  resident {rss / 1024:6.0f} MB   (peak {peak / 1024:.0f} MB)")

        out(f"\nKey release to the first spoken word (API latency fixed at {latency:.2f} s)")
        totals = []
        for i in range(runs):
            seen = len(log.read_text(errors="replace"))
            total = _one_take(wav)
            text_s = _logged_seconds(log, seen, "heard in ")
            totals.append(total)
            parts = f"text {text_s:.2f} s after release" if text_s is not None else ""
            out(f"  take {i + 1}: {total:5.2f} s   ({parts})")
            _wait_log(log, "speech_done(): speaking -> idle", 60, after=seen)
        out(f"  median  {statistics.median(totals):5.2f} s, of which {latency:.2f} s is the API")
    finally:
        _stop(process)


def _one_take(wav: Path) -> float:
    """Hold the key, speak, release; seconds from the release to the first loud block."""
    import numpy as np
    import sounddevice as sd

    blocks: list[tuple[float, float]] = []

    def on_block(data: Any, frames: int, when: Any, status: Any) -> None:
        rms = float(np.sqrt(np.mean(data[:, 0] ** 2))) if frames else 0.0
        blocks.append((time.perf_counter(), 20 * np.log10(max(rms, 1e-9))))

    with sd.InputStream(channels=1, samplerate=16000, blocksize=160, callback=on_block):
        subprocess.run(["xdotool", "keydown", HOTKEY], check=True)
        time.sleep(0.3)
        subprocess.run(["paplay", "-d", "virtmic", str(wav)], check=True)
        time.sleep(TAIL_SILENCE)
        released = time.perf_counter()
        subprocess.run(["xdotool", "keyup", HOTKEY], check=True)
        deadline = released + 30
        while time.perf_counter() < deadline:
            loud = [t for t, db in list(blocks) if t > released + 0.05 and db > SPEECH_DB]
            if loud:
                return loud[0] - released
            time.sleep(0.01)
    raise RuntimeError("no speech heard within 30 s of the release")


def _memory(pid: int) -> tuple[int, int]:
    """Resident and peak resident size in kB; RuntimeError if the process has ended (its
    ``/proc`` entry is gone, or goes while it is read: ESRCH)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        raise RuntimeError(f"harken (pid {pid}) exited before its memory was measured") from None
    fields = dict(line.split(":", 1) for line in status.splitlines())
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def _wait_log(log: Path, text: str, timeout: float, after: int = 0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace")[after:]:
            return
        time.sleep(0.05)
    raise RuntimeError(f"harken did not log {text!r} within {timeout:.0f} s (see {log})")


def _logged_seconds(log: Path, after: int, marker: str) -> float | None:
    for line in log.read_text(errors="replace")[after:].splitlines():
        if marker in line:
            try:
                return float(line.split(marker, 1)[1].split()[0])
            except (IndexError, ValueError):
                return None
    return None


class _ScriptedServer:
    """A Messages API that answers every request with ``ANSWER`` after ``latency`` s."""

    def __init__(self, latency: float) -> None:
        self.latency = latency
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> _ScriptedServer:
        latency = self.latency

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", 0)))
                time.sleep(latency)
                body = b"".join(_sse(name, data) for name, data in _events(ANSWER))
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _events(text: str) -> list[tuple[str, dict[str, Any]]]:
    usage = {"input_tokens": 100, "output_tokens": 1}
    message = {
        "id": "msg_bench",
        "type": "message",
        "role": "assistant",
        "model": "bench",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    start = {"type": "text", "text": ""}
    delta = {"type": "text_delta", "text": text}
    end = {"stop_reason": "end_turn", "stop_sequence": None}
    return [
        ("message_start", {"type": "message_start", "message": message}),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": start},
        ),
        ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": delta}),
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": end, "usage": {"output_tokens": 20}}),
        ("message_stop", {"type": "message_stop"}),
    ]


def _sse(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()

"""``harken bench tray``: how soon the tray icon shows, memory, and key release to request.

Three measurements of the real ``harken`` process, printed side by side:

1. start-up: from starting the process to Harken's icon being mapped in the tray (watched
   on the X server: the tray host's panel gains a viewable window), next to a bare PySide6
   script that only shows a tray icon; median of ``runs`` after one warm-up each;
2. memory (``/proc/PID/status``, VmRSS): idle with the Whisper model loaded, after the
   first spoken command and after ten (a leak check: the ten should not cost more than the
   first), next to the bare tray script's;
3. key release to request: the hotkey held (XTest), a spoken command played into the
   virtual microphone followed by ``tail`` seconds of silence, the key released when the
   sink has played it; the time from the release to the request reaching a scripted
   Messages API on 127.0.0.1. Each tail setting runs a fresh ``harken``, so its first
   take (the first request of a session) is shown apart from the others.

It needs what the end-to-end tests need: an X display with a tray host, xdotool, sox and
the PulseAudio ``virtmic`` null sink as default source and sink (run it under
tests/desktop_env.sh). Each ``harken`` runs with its own config, data and runtime folders.
The machine's other load shows in every number: compare figures from one run.
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
from collections.abc import Callable, Sequence
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
ANSWER = "Done. Everything is in order."
COMMANDS = (
    "check that the project is in order",
    "list the files in this folder",
    "run the tests and tell me what fails",
    "what changed since yesterday",
)
HOTKEY = ("Control_L", "Alt_L", "space")
TAILS = (0.0, 0.1, 0.15, 0.2, 0.3)
LEAK_TAKES = 10
SETTLE = 2.0  # seconds for a finished turn's work (trimming, logging) to settle


def run(
    runs: int = 5,
    takes: int = 6,
    tails: Sequence[float] = TAILS,
    out: Callable[[str], Any] = print,
) -> int:
    """Print the three measurements; 0, or RuntimeError when the setup is missing."""
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
        out(f"  ratio                     {a / b:6.2f}x  (aim: at most 1.3x)")

        wavs = {(c, t): _speech(folder, c, t) for c in COMMANDS for t in tails}
        with _ScriptedServer() as server:
            rows = _measure(harken, bare, folder, server, wavs, tails, takes, out)
        _print_latency(rows, out)
    return 0


def _require() -> None:
    for tool in ("xdotool", "espeak-ng", "paplay", "pactl", "sox"):
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


# -- 2 and 3. memory, and key release to request --------------------------------------------


def _measure(
    harken: list[str],
    bare: list[str],
    folder: Path,
    server: _ScriptedServer,
    wavs: dict[tuple[str, float], Path],
    tails: Sequence[float],
    takes: int,
    out: Callable[[str], Any],
) -> dict[float, list[float]]:
    """Memory (in the run of the first tail, which makes ``LEAK_TAKES`` takes), then each
    tail's takes in a fresh harken; returns the seconds of every take by tail."""
    bare_rss = _bare_memory(bare)
    rows: dict[float, list[float]] = {}
    for i, tail in enumerate(tails):
        env = _app_env(folder / f"voice{i}", base_url=server.url)
        log = Path(env["XDG_STATE_HOME"]) / "harken" / "log" / "harken.log"
        process = subprocess.Popen(
            harken, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            _wait_log(log, "ready to listen", 120)
            time.sleep(SETTLE)
            idle = _memory(process.pid)
            count = LEAK_TAKES if i == 0 else takes
            seconds, after = [], []
            for n in range(count):
                wav = wavs[(COMMANDS[n % len(COMMANDS)], tail)]
                seconds.append(_one_take(wav, log, server))
                time.sleep(SETTLE)
                after.append(_memory(process.pid))
            rows[tail] = seconds
        finally:
            _stop(process)
        if i == 0:
            out("\nMemory (VmRSS), Whisper model loaded")
            out(f"  bare PySide6 tray script         {bare_rss[0] / 1024:6.1f} MB")
            out(f"  harken idle                      {idle[0] / 1024:6.1f} MB  (aim: at most 250)")
            out(f"  after the first spoken command   {after[0][0] / 1024:6.1f} MB")
            out(f"  after {count:2d}                         {after[-1][0] / 1024:6.1f} MB")
            growth = (after[-1][0] - after[0][0]) / 1024
            out(f"  growth over commands 2-{count}        {growth:+6.1f} MB  (aim: none)")
            out(f"  peak (VmHWM)                     {after[-1][1] / 1024:6.1f} MB")
    return rows


def _print_latency(rows: dict[float, list[float]], out: Callable[[str], Any]) -> None:
    out("\nKey release to the request leaving Harken (at the scripted API on 127.0.0.1)")
    out("  tail s   first take   others p50    p95   (n)")
    firsts, others = [], []
    for tail, seconds in rows.items():
        first, rest = seconds[0], sorted(seconds[1:])
        firsts.append(first)
        others += rest
        p50 = statistics.median(rest) if rest else float("nan")
        p95 = rest[min(len(rest) - 1, round(0.95 * (len(rest) - 1)))] if rest else float("nan")
        out(f"  {tail:5.2f}   {first:8.3f} s   {p50:8.3f} s {p95:6.3f} s  ({len(rest)})")
    if firsts and others:
        out(
            f"  first takes: median {statistics.median(firsts):.3f} s; the others: median "
            f"{statistics.median(others):.3f} s (aim at a 0.15 s tail: p50 at most 0.1 s)"
        )


def _bare_memory(bare: list[str]) -> tuple[int, int]:
    process = subprocess.Popen(bare, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(SETTLE + 1)
        return _memory(process.pid)
    finally:
        _stop(process)


def _speech(folder: Path, command: str, tail: float) -> Path:
    """``command`` spoken, then ``tail`` seconds of silence, as one WAV file."""
    stem = folder / f"{'-'.join(command.split()[:3])}-{tail:.2f}"
    spoken = stem.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(spoken), command], check=True)
    padded = stem.with_suffix(".wav")
    subprocess.run(["sox", str(spoken), str(padded), "pad", "0", f"{tail:.3f}"], check=True)
    return padded


def _one_take(wav: Path, log: Path, server: _ScriptedServer) -> float:
    """Hold the key, speak, release as the sink has played the tail; the seconds from the
    release to the request reaching the server. Returns once Harken is idle again."""
    from Xlib import XK, X, display
    from Xlib.ext import xtest

    screen = display.Display()
    keys = [screen.keysym_to_keycode(XK.string_to_keysym(name)) for name in HOTKEY]
    seen = len(log.read_text(errors="replace"))
    requests = len(server.arrivals)
    try:
        for key in keys:
            xtest.fake_input(screen, X.KeyPress, key)
        screen.sync()
        time.sleep(0.3)  # the press reaches Harken and the take starts
        subprocess.run(["paplay", "-d", "virtmic", str(wav)], check=True)
        released = time.perf_counter()
        for key in reversed(keys):
            xtest.fake_input(screen, X.KeyRelease, key)
        screen.sync()
    finally:
        screen.close()
    deadline = released + 30
    while len(server.arrivals) <= requests:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"no request within 30 s of the release (see {log})")
        time.sleep(0.005)
    _wait_log(log, "speech_done(): speaking -> idle", 60, after=seen)
    return server.arrivals[requests] - released


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


class _ScriptedServer:
    """A Messages API that notes when each request arrives and answers ``ANSWER``."""

    def __init__(self) -> None:
        self.arrivals: list[float] = []  # time.perf_counter() as each request came in
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> _ScriptedServer:
        arrivals = self.arrivals

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                arrivals.append(time.perf_counter())  # headers read: the request is here
                self.rfile.read(int(self.headers.get("content-length", 0)))
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

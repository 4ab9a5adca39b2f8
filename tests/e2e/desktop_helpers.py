"""Running the real tray app on the virtual screen and microphone of tests/desktop_env.sh.

TRAY_E2E                        the marks of a tray e2e test (skipped without the desktop)
tray_desktop(api, home, tmp)    the session's environment, config.toml and log for the tray
HarkenApp(env, cwd).start()     `harken` as a user starts it; waits for "ready to listen"
say_with_hotkey(app, words, d)  hold the hotkey while the words play into the microphone
eventually(check)               whether check() came true before a deadline only a hang reaches
app.wait_log(text)              a line of its log (the readiness and speech hooks)
app.quit()                      SIGTERM, as the desktop does at logout; its exit status
speak_into_mic(text, folder)    espeak-ng makes the words, paplay plays them into virtmic
wait_visible(title)             the X window ids of visible windows with that title
screenshot(path)                the whole X screen, as a person sees it
find_window(title)              the X window id of a visible window with that title
tray_icon_center()              where Harken's icon sits in the tray (trayer's panel)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"
# The waits below end as soon as what they wait for happens: only a hang reaches this, so
# it is generous for a loaded machine (the tray loads Whisper as other tests run).
HANG_S = 60.0
NEEDS = (
    "needs the virtual screen and microphone: run under tests/desktop_env.sh "
    "(HARKEN_TEST_DISPLAY=1 and HARKEN_TEST_AUDIO=1)"
)
HOTKEY = "ctrl+alt+space"  # the hotkey setting's default: hold to talk


def have_desktop_env() -> bool:
    return (
        os.environ.get("HARKEN_TEST_DISPLAY") == "1"
        and os.environ.get("HARKEN_TEST_AUDIO") == "1"
        and bool(os.environ.get("DISPLAY"))
        and all(shutil.which(t) for t in ("xdotool", "espeak-ng", "paplay", "sox", "import"))
    )


def harken_command() -> list[str]:
    script = Path(sys.executable).parent / "harken"
    return [str(script)] if script.exists() else [sys.executable, "-m", "desktop.cli"]


def private_runtime_dir(base: Path) -> dict[str, str]:
    """A runtime folder of the test's own (the instance socket lives there), while
    PulseAudio is still found where desktop_env.sh started it."""
    runtime = base / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    pulse = Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent")) / "pulse" / "native"
    if pulse.exists() and "PULSE_SERVER" not in os.environ:
        env["PULSE_SERVER"] = f"unix:{pulse}"
    return env


TRAY_E2E = [
    pytest.mark.e2e,
    pytest.mark.real_display,
    pytest.mark.skipif(not have_desktop_env(), reason=NEEDS),
]


@contextmanager
def tray_desktop(
    api: Any,
    isolated_env: Path,
    tmp_path: Path,
    config: str = "sound_cues = false\n",
    *,
    env: dict[str, str] | None = None,
    keep_log_as: str | None = None,
) -> Iterator[dict[str, Any]]:
    """The environment a person's session would give Harken, pointing at the test's own
    folders and the scripted API (plus ``env``), with ``config`` as its config.toml (sound
    cues off by default: the microphone would record them). Yields ``env``, ``log``,
    ``speech`` (where spoken texts go as WAV files) and ``tmp``; afterwards the app's log is
    kept in ARTIFACTS as ``keep_log_as``.log, the app's own account of the test."""
    folder = isolated_env / "xdg_config_home" / "harken"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(config)
    speech = tmp_path / "speech"
    session = {
        **os.environ,
        **private_runtime_dir(tmp_path),
        "ANTHROPIC_API_KEY": TEST_KEY,
        "ANTHROPIC_BASE_URL": api.base_url,
        "QT_QPA_PLATFORM": "xcb",
        "HARKEN_SPEECH_OUT": str(speech),
        **(env or {}),
    }
    log = isolated_env / "xdg_state_home" / "harken" / "log" / "harken.log"
    yield {"env": session, "log": log, "speech": speech, "tmp": tmp_path}
    if keep_log_as and log.exists():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, ARTIFACTS / f"{keep_log_as}.log")


class HarkenApp:
    """One ``harken`` process with its own log."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.log = log
        self.process: subprocess.Popen[str] | None = None
        self.output = cwd.parent / "harken-output.txt"

    def start(self, *, ready: str | None = "ready to listen", timeout: float = 90) -> HarkenApp:
        with open(self.output, "w") as out:
            self.process = subprocess.Popen(
                harken_command(),
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
            )
        if ready:
            self.wait_log(ready, timeout)
        return self

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_log(self, text: str, timeout: float = HANG_S, after: int = 0) -> str:
        """Wait for a log line containing ``text`` (past character ``after``); returns it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log_text()
            for line in log[after:].splitlines():
                if text in line:
                    return line
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"harken exited ({self.process.returncode}):\n{self.tail()}")
            time.sleep(0.1)
        raise AssertionError(f"no log line with {text!r} in {timeout} s:\n{self.tail()}")

    def tail(self) -> str:
        output = self.output.read_text(errors="replace") if self.output.exists() else ""
        return "\n".join((self.log_text() + output).splitlines()[-40:])

    def quit(self, timeout: float = HANG_S) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"harken did not quit in {timeout} s:\n{self.tail()}") from None


def run(*args: str, timeout: float = 30) -> str:
    return subprocess.run(
        list(args), check=True, capture_output=True, text=True, timeout=timeout
    ).stdout


def speak_into_mic(text: str, folder: Path, pause_after: float = 0.0) -> Path:
    """Play ``text`` into the microphone, followed by ``pause_after`` seconds of silence in
    the same stream: paplay returns only once the sink has taken that silence too, so the
    words have been heard before the caller goes on (lets go of the key, say)."""
    stem = folder / "-".join(text.split()[:4])
    wav = stem.with_suffix(".wav")
    run("espeak-ng", "-s", "150", "-w", str(wav), text)
    if pause_after > 0:
        padded = stem.with_name(stem.name + "-pause.wav")
        run("sox", str(wav), str(padded), "pad", "0", str(pause_after))
        wav = padded
    run("paplay", "-d", "virtmic", str(wav), timeout=60)
    return wav


def say_with_hotkey(
    app: HarkenApp,
    words: str,
    folder: Path,
    *,
    pause_after: float = 0.5,
    shot: str | None = None,
    hotkey: str = HOTKEY,
    recording: str = "-> recording",
) -> int:
    """Hold ``hotkey``, speak ``words`` once Harken logs ``recording``, let go
    ``pause_after`` seconds after them (the pause is part of the sound played, so the words
    are in before the key is up), a screenshot ``shot`` taken before letting go. The log's
    size before."""
    size = len(app.log_text())
    run("xdotool", "keydown", hotkey)
    try:
        app.wait_log(recording, after=size)
        speak_into_mic(words, folder, pause_after=pause_after)
        if shot:
            screenshot(shot)
    finally:
        run("xdotool", "keyup", hotkey)
    return size


def eventually(check: Callable[[], Any], timeout: float = HANG_S) -> bool:
    """Whether ``check()`` came true before ``timeout`` seconds (only a hang reaches it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def screenshot(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    run("import", "-window", "root", str(path))
    return path


def find_window(title: str, timeout: float = HANG_S) -> str:
    """The id of a visible window whose title contains ``title``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", title],
            capture_output=True,
            text=True,
        ).stdout.split()
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no window titled {title!r} within {timeout} s")


def wait_visible(
    title: str, env: dict[str, str] | None = None, timeout: float = HANG_S
) -> list[str]:
    """Ids of the visible windows whose title matches ``title`` (a regular expression),
    once there is one; AssertionError at the deadline, which only a hang reaches."""
    deadline = time.monotonic() + timeout
    while True:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", title],
            env=env,
            capture_output=True,
            text=True,
        ).stdout.split()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no visible window titled {title!r} within {timeout} s")
        time.sleep(0.1)


def window_gone(window: str, timeout: float = HANG_S) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        visible = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", "."], capture_output=True, text=True
        ).stdout.split()
        if window not in visible:
            return True
        time.sleep(0.1)
    return False


def tray_icon_center() -> tuple[int, int]:
    """The middle of the last icon trayer's panel holds (Harken's, in a test display)."""
    from Xlib import X, display

    screen = display.Display()
    try:
        root = screen.screen().root
        for window in root.query_tree().children:
            if window.get_wm_name() == "panel":
                icons = [
                    child
                    for child in window.query_tree().children
                    if child.get_attributes().map_state == X.IsViewable
                ]
                if icons:
                    icon = icons[-1]
                    geometry = icon.get_geometry()
                    origin = icon.translate_coords(root, 0, 0)
                    return -origin.x + geometry.width // 2, -origin.y + geometry.height // 2
        raise AssertionError("no icon in the tray")
    finally:
        screen.close()

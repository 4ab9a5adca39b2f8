"""``harken doctor``: run as a user runs it, against the scripted Messages API, the
PulseAudio virtual microphone and the virtual screen; single checks in-process."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import Config
from desktop.cli_doctor import summary
from desktop.doctor import (
    Check,
    check_api_key,
    check_hotkey,
    check_sandbox,
    check_tray,
    check_whisper,
)
from tests.conftest import TEST_KEY
from tests.scripted_api import Failure, Reply, ScriptedAPI, text

HARKEN = str(Path(sys.executable).with_name("harken"))
NAMES = ["api_key", "microphone", "whisper", "speech", "tray", "hotkey", "sandbox"]
FIELDS = {"name", "title", "status", "detail", "fix"}
needs_display = pytest.mark.skipif(
    os.environ.get("HARKEN_TEST_DISPLAY") != "1",
    reason="needs the virtual screen: run under tests/desktop_env.sh (HARKEN_TEST_DISPLAY=1)",
)


def doctor_env(base_url: str, **extra: str) -> dict[str, str]:
    """The environment ``harken doctor`` gets: the scripted API as the endpoint, and Qt
    left to choose the real display (the desktop tests force offscreen for themselves)."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    return {**env, "ANTHROPIC_BASE_URL": base_url, **extra}


def run_doctor(base_url: str, *args: str) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run(
        [HARKEN, "doctor", "--json", *args],
        env=doctor_env(base_url),
        capture_output=True,
        text=True,
        timeout=180,
    )
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout + done.stderr
    return done.returncode, json.loads(lines[0]), done.stdout + done.stderr


def by_name(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {check["name"]: check for check in report["checks"]}


@pytest.fixture
def tone(tmp_path: Path) -> Path:
    """Three seconds of a 440 Hz tone at half of full scale (peak RMS about -9 dBFS)."""
    import numpy as np

    rate = 16_000
    t = np.arange(3 * rate) / rate
    samples = (0.5 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    path = tmp_path / "tone.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


@pytest.fixture
def speaking(tone: Path) -> Iterator[None]:
    """Play the tone into the virtual microphone, over and over, for the whole test."""
    if os.environ.get("HARKEN_TEST_AUDIO") != "1":
        pytest.skip("no virtual microphone: run under tests/desktop_env.sh (PulseAudio)")
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            subprocess.run(["paplay", "-d", "virtmic", str(tone)], check=False, timeout=30)

    player = threading.Thread(target=loop, daemon=True)
    player.start()
    yield
    stop.set()
    player.join(timeout=10)


def test_doctor_json_with_a_good_key_and_a_speaking_microphone(
    api: ScriptedAPI, speaking: None
) -> None:
    code, report, output = run_doctor(api.base_url)  # type: ignore[attr-defined]

    assert set(report) == {"ok", "checks"}
    assert [check["name"] for check in report["checks"]] == NAMES
    for check in report["checks"]:
        assert set(check) == FIELDS
        assert check["status"] in ("ok", "warning", "fail")
        assert "\n" not in check["detail"] + check["fix"]
        assert check["fix"] or check["status"] == "ok"
    checks = by_name(report)

    key = checks["api_key"]
    assert key["status"] == "ok", key
    assert key["detail"] == f"accepted by {api.base_url} (key from ANTHROPIC_API_KEY)"  # type: ignore[attr-defined]
    assert len(api.count_requests) == 1
    assert api.count_requests[0]["model"] == Config().model
    assert TEST_KEY not in output

    mic = checks["microphone"]
    assert mic["status"] == "ok", mic
    level = float(re.search(r"peak level (-?\d+) dBFS", mic["detail"]).group(1))  # type: ignore[union-attr]
    assert -20 <= level <= 0

    assert checks["whisper"]["status"] == "ok", checks["whisper"]
    assert checks["whisper"]["detail"].startswith("tiny.en loads and runs")
    assert checks["speech"]["status"] == "ok", checks["speech"]
    failed = [c for c in report["checks"] if c["status"] == "fail"]
    assert report["ok"] is (not failed)
    assert code == (1 if failed else 0)


def test_doctor_fails_the_key_check_in_one_clear_line_on_a_401(api: ScriptedAPI) -> None:
    api.count_tokens = Failure(401, "invalid x-api-key")
    code, report, output = run_doctor(api.base_url)  # type: ignore[attr-defined]

    key = by_name(report)["api_key"]
    assert key["status"] == "fail"
    assert key["detail"] == (
        "The API key was rejected (401 authentication error). Check ANTHROPIC_API_KEY. "
        "(key from ANTHROPIC_API_KEY)"
    )
    assert key["fix"] == "The key is wrong or revoked: store a valid one with `harken key set`."
    assert report["ok"] is False
    assert code == 1
    assert TEST_KEY not in output


# -- single checks, in-process -------------------------------------------------------------


def test_an_endpoint_without_token_counting_gets_a_one_token_request(api: ScriptedAPI) -> None:
    api.count_tokens = Failure(404, "no such endpoint")
    api.script(Reply([text("pong")]))
    check = check_api_key(Config().override(base_url=api.base_url), os.environ)  # type: ignore[attr-defined]
    assert check.status == "ok", check
    assert api.requests[0]["max_tokens"] == 1


def test_an_unknown_model_fails_naming_the_setting(api: ScriptedAPI) -> None:
    api.count_tokens = Failure(404, "model: claude-nope")
    api.script(Failure(404, "model: claude-nope"))
    config = Config().override(base_url=api.base_url, model="claude-nope")  # type: ignore[attr-defined]
    check = check_api_key(config, os.environ)
    assert check.status == "fail"
    assert "Check the model id" in check.detail
    assert "`model` in config.toml" in check.fix


def test_an_unreachable_endpoint_fails_naming_it() -> None:
    # Bound but not listening, for the whole check: every connection is refused, and no
    # other program can take the port meanwhile (as it could once the socket closed).
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        check = check_api_key(Config().override(base_url=url), os.environ)
    assert check.status == "fail"
    assert check.detail.startswith(f"Cannot reach the API at {url}")
    assert "ANTHROPIC_BASE_URL" in check.fix


def test_a_busy_api_is_only_a_warning(api: ScriptedAPI) -> None:
    api.count_tokens = Failure(529)
    check = check_api_key(Config().override(base_url=api.base_url), os.environ)  # type: ignore[attr-defined]
    assert check.status == "warning"
    assert "overloaded" in check.detail


def test_no_key_fails_with_the_way_to_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    check = check_api_key(Config(), os.environ)
    assert check == Check(
        "api_key",
        "fail",
        "No API key in ANTHROPIC_API_KEY or the OS keyring.",
        "Run `harken key set`, or export ANTHROPIC_API_KEY=sk-ant-...",
    )


@needs_display
def test_the_tray_check_asks_qt_on_the_real_display() -> None:
    environ = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    check = check_tray(Config(), environ)
    assert check == Check("tray", "ok", "a system tray is available (xcb)")


def test_the_tray_check_fails_without_a_display() -> None:
    environ = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    check = check_tray(Config(), environ)
    assert check.status == "fail"
    assert "DISPLAY and WAYLAND_DISPLAY are not set" in check.detail


@needs_display
def test_the_hotkey_check_names_the_x11_backend() -> None:
    check = check_hotkey(Config(), {"DISPLAY": os.environ["DISPLAY"]})
    assert check.status == "ok", check
    assert check.detail.startswith("x11 backend (pynput on X11), ctrl+alt+space: listening on")


def test_without_a_hotkey_backend_the_fix_is_harken_ptt() -> None:
    check = check_hotkey(Config(), {})
    assert check.status == "warning"
    assert check.detail == "No global hotkey for ctrl+alt+space (none backend)"
    assert "`harken ptt toggle`" in check.fix


def test_a_hotkey_that_would_type_text_is_a_warning() -> None:
    config = Config()
    config.values["hotkey"] = "h"
    check = check_hotkey(config, {})
    assert check.status == "warning"
    assert check.detail == "none backend: h alone is typed into other programs too"
    assert check.fix == "Add a modifier, e.g. ctrl+alt+space."


def test_an_unreadable_hotkey_setting_fails_saying_why() -> None:
    config = Config()
    config.values["hotkey"] = "ctrl+banana"
    check = check_hotkey(config, {})
    assert check.status == "fail"
    assert "Unknown key 'banana'" in check.detail


def test_an_english_only_model_with_another_language_fails_with_the_fix() -> None:
    check = check_whisper(Config().override(whisper_model="tiny.en", language="de"), {})
    assert check.status == "fail", check
    assert "tiny.en hears only English" in check.detail and "'de'" in check.detail
    assert 'whisper_model = "base"' in check.fix and 'language = "en"' in check.fix
    assert check.fix.endswith("in config.toml.") and "\n" not in check.detail + check.fix


def test_the_whisper_check_passes_for_english_on_the_english_model() -> None:
    for language in ("en", "auto"):
        check = check_whisper(Config().override(whisper_model="tiny.en", language=language), {})
        assert check.status == "ok", check


def test_harken_doctor_fails_the_whisper_check_for_german_on_tiny_en(
    api: ScriptedAPI, isolated_env: Path
) -> None:
    config = isolated_env / "xdg_config_home" / "harken"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('language = "de"\n')
    code, report, _ = run_doctor(api.base_url)  # type: ignore[attr-defined]
    whisper = by_name(report)["whisper"]
    assert whisper["status"] == "fail" and "hears only English" in whisper["detail"], whisper
    assert "base" in whisper["fix"], whisper
    assert code == 1 and report["ok"] is False


def test_the_sandbox_check_reports_bubblewrap() -> None:
    from agent.sandbox import sandbox_status

    check = check_sandbox(Config(), os.environ)
    assert check.status == ("ok" if sandbox_status().available else "warning")


def test_the_summary_counts_failures_and_warnings() -> None:
    ok = Check("sandbox", "ok", "fine")
    warned = Check("tray", "warning", "no tray", "install one")
    failed = Check("api_key", "fail", "no key", "set one")
    assert summary([ok]) == "Everything Harken needs works."
    assert summary([ok, warned]) == "1 warning."
    assert summary([failed, warned, warned]) == "1 failure, 2 warnings."

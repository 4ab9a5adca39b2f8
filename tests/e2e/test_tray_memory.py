"""The tray app's memory as a person's machine carries it: light while it waits, no growth.

The real ``harken`` on the virtual screen and microphone of tests/desktop_env.sh, against
the scripted Messages API. While it only waits (Whisper loaded, no request made yet) the
agent's SDK is not loaded; ten spoken commands later its resident set is no larger than
after the first, within a margin that a leak of one take's audio per command exceeds.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TEST_KEY
from tests.e2e.desktop_helpers import (
    ARTIFACTS,
    NEEDS,
    HarkenApp,
    have_desktop_env,
    private_runtime_dir,
    run,
    speak_into_mic,
)
from tests.scripted_api import Reply, ScriptedAPI, text

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.real_display,
    pytest.mark.skipif(not have_desktop_env(), reason=NEEDS),
]

HOTKEY = "ctrl+alt+space"
COMMANDS = 10
# About 17 s of speech: one take's audio is 17 s x 16 kHz x 4 bytes = 1.1 MB, so keeping
# each take's audio would grow the nine commands after the first by 10 MB or more.
LONG_COMMAND = (
    "please write a short summary of what changed in this project since last week, then "
    "list the files that were touched, run the whole test suite, tell me which tests fail "
    "and why, and suggest the smallest change that would fix each of them"
)
# Measured growth from the first command to the tenth (VmRSS, after the freed heap went
# back): +1.3 MB with this command, +3.5 and +5.1 MB with short ones, on 2 busy cores.
# A leak of one take's audio per command (about 10 MB over nine) is above this margin.
MARGIN_KB = 8 * 1024
# Shared libraries only the agent's SDK brings in: anthropic's JSON parser, and pydantic.
SDK_LIBRARIES = ("jiter", "_pydantic_core")


@pytest.fixture
def desktop(
    api: ScriptedAPI, isolated_env: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[dict[str, Any]]:
    config = isolated_env / "xdg_config_home" / "harken"
    config.mkdir(parents=True, exist_ok=True)
    # espeak-ng speaks: this measures the app's own growth per command (a take's audio kept
    # would be ~10 MB over nine). The Piper voice's growth is measured by `harken bench tray`
    # (+3.4 MB over commands 2-10 with onnxruntime's arena off); under a loaded machine it
    # reached 8.7 MB here, above a margin meant for leaks of audio.
    (config / "config.toml").write_text('sound_cues = false\nspeech_voice = "espeak"\n')
    env = {
        **os.environ,
        **private_runtime_dir(tmp_path),
        "ANTHROPIC_API_KEY": TEST_KEY,
        "ANTHROPIC_BASE_URL": api.base_url,  # type: ignore[attr-defined]
        "QT_QPA_PLATFORM": "xcb",
        "HARKEN_SPEECH_OUT": str(tmp_path / "speech"),
    }
    log = isolated_env / "xdg_state_home" / "harken" / "log" / "harken.log"
    yield {"env": env, "log": log, "tmp": tmp_path}
    if log.exists():
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(log, ARTIFACTS / f"{request.node.name}.log")


def resident_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines())
    return int(fields["VmRSS"].split()[0])


def loaded_libraries(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {name for name in SDK_LIBRARIES if f"/{name}" in maps}


def command(app: HarkenApp, folder: Path) -> None:
    """One spoken command, start to end: the key held while the words play, the turn
    answered and spoken, and the memory it freed handed back."""
    size = len(app.log_text())
    run("xdotool", "keydown", HOTKEY)
    try:
        app.wait_log("-> recording", after=size)
        speak_into_mic(LONG_COMMAND, folder, pause_after=0.3)
    finally:
        run("xdotool", "keyup", HOTKEY)
    line = app.wait_log("speech_done(): speaking -> idle", timeout=120, after=size)
    done = app.log_text().index(line, size)
    app.wait_log("freed memory handed back", timeout=30, after=done)


def test_idle_tray_has_no_sdk_and_ten_commands_do_not_grow_it(
    desktop: dict[str, Any], api: ScriptedAPI, workspace: Path
) -> None:
    api.script(*[Reply([text(f"Done, step {n}.")]) for n in range(COMMANDS)])
    app = HarkenApp(desktop["env"], workspace, desktop["log"]).start()
    try:
        pid = app.process.pid  # type: ignore[union-attr]
        assert loaded_libraries(pid) == set(), "the agent's SDK is loaded before any request"

        command(app, desktop["tmp"])
        after_first = resident_kb(pid)
        assert loaded_libraries(pid) == set(SDK_LIBRARIES)  # the check above can see them
        for _ in range(COMMANDS - 1):
            command(app, desktop["tmp"])
        after_all = resident_kb(pid)

        assert len(api.requests) == COMMANDS, app.tail()
        growth = after_all - after_first
        assert growth <= MARGIN_KB, (
            f"resident set grew {growth / 1024:.1f} MB over {COMMANDS - 1} commands "
            f"({after_first / 1024:.0f} -> {after_all / 1024:.0f} MB)"
        )
    finally:
        assert app.quit() == 0

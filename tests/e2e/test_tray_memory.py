"""The tray app's memory as a person's machine carries it: light while it waits, no growth.

The real ``harken`` on the virtual screen and microphone of tests/desktop_env.sh, against
the scripted Messages API. While it only waits (Whisper loaded, no request made yet) the
agent's SDK is not loaded; ten spoken commands later its resident set is no larger than
after the first, within a margin that a leak of one take's audio per command exceeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.desktop_helpers import TRAY_E2E, HarkenApp, say_with_hotkey, tray_desktop
from tests.scripted_api import Reply, ScriptedAPI, text

pytestmark = TRAY_E2E

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
    # espeak-ng speaks: this measures the app's own growth per command (a take's audio kept
    # would be ~10 MB over nine). The Piper voice's growth is measured by `harken bench tray`
    # (+3.4 MB over commands 2-10 with onnxruntime's arena off); under a loaded machine it
    # reached 8.7 MB here, above a margin meant for leaks of audio.
    config = 'sound_cues = false\nspeech_voice = "espeak"\n'
    with tray_desktop(api, isolated_env, tmp_path, config, keep_log_as=request.node.name) as d:
        yield d


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
    size = say_with_hotkey(app, LONG_COMMAND, folder, pause_after=0.3)
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

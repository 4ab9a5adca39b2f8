"""A spoken "undo that" in the real tray app: Xvfb, the virtual microphone, real Whisper,
the scripted Messages API. The agent changes a file in one spoken turn; a plain spoken undo
("take that back") restores it without asking the model, and Harken says what it did."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.desktop_helpers import (
    TRAY_E2E,
    HarkenApp,
    eventually,
    say_with_hotkey,
    tray_desktop,
)
from tests.scripted_api import Reply, ScriptedAPI, text, tool_use

pytestmark = TRAY_E2E

ATTEMPTS = 4  # takes of the spoken undo, for the ones tiny.en mishears


@pytest.fixture
def desktop(api: ScriptedAPI, isolated_env: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    # Bypass: the Write runs without a dialog; cues off (the microphone would hear them).
    config = 'sound_cues = false\nmode = "bypass"\n'
    with tray_desktop(api, isolated_env, tmp_path, config) as desktop:
        yield desktop


def test_spoken_undo_that_restores_the_last_turns_files_without_the_model(
    desktop: dict[str, Any], api: ScriptedAPI, workspace: Path
) -> None:
    (workspace / "notes.txt").write_text("Buy milk.\n")
    api.script(
        Reply([tool_use("Read", {"file_path": "notes.txt"})]),
        Reply([tool_use("Write", {"file_path": "notes.txt", "content": "Buy bread.\n"})]),
        Reply([text("I changed your shopping note.")]),
        # A take Whisper mishears goes to the model as a request: it asks again.
        *[Reply([text("Sorry, say that again.")]) for _ in range(ATTEMPTS)],
    )
    app = HarkenApp(desktop["env"], workspace, desktop["log"]).start()
    try:
        say_with_hotkey(app, "change my shopping note to bread", desktop["tmp"])
        assert eventually(lambda: (workspace / "notes.txt").read_text() == "Buy bread.\n")
        app.wait_log("spoken text written to")
        first = " ".join(b.get("text", "") for b in api.requests[0]["messages"][-1]["content"])
        # Words tiny.en hears surely ("note" may come back "node").
        assert {"change", "shopping"} <= set(re.findall(r"[a-z]+", first.lower())), first

        # A plain undo as espeak says it well: tiny.en hears espeak's "undo" as "a new hat"
        # (the undo phrases are checked in test_desktop_undo). Through the microphone of a
        # busy machine tiny.en still mishears it now and then: those takes are said again.
        for _ in range(ATTEMPTS):
            log_size, asked = len(app.log_text()), len(api.requests)
            say_with_hotkey(app, "take that back", desktop["tmp"])
            spoken = app.wait_log("spoken text written to", after=log_size)
            if len(api.requests) == asked:
                break
        assert "Restored 1 file" in spoken, app.tail()
        assert len(api.requests) == asked  # the undo itself asked nothing of the model
        assert (workspace / "notes.txt").read_text() == "Buy milk.\n"
    finally:
        status = app.quit()
    assert status == 0, app.tail()
    assert "Traceback" not in app.log_text(), app.tail()

"""Spoken replies from the tray menu: replay, the whole answer, pause and resume, speed.

The real tray menu, the real ``Voice`` with the real speech engine (espeak-ng through
pyttsx3) writing each spoken text to a WAV file (``speech_out``, as HARKEN_SPEECH_OUT makes
the app do), on the virtual screen.
"""

from __future__ import annotations

import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.desktop.test_tray import Host, action

pytestmark = pytest.mark.real_display

ANSWER = """I fixed the config loader so a missing file falls back to the defaults.

```python
def load(path):
    if not path.exists():
        return DEFAULTS
```

| Test | Result |
|------|--------|
| test_missing | passed |
| test_broken | passed |

All twelve tests pass now, and the README explains the fallback.
"""


@dataclass
class ReplyHost(Host):
    """The app as the menu and the replies see it: the last answer and the settings."""

    voice: Any = None
    config: Any = None
    replies: Any = None

    def change_settings(self, changes: dict[str, Any]) -> None:
        self.config = self.config.override(**changes)
        self.voice.apply(self.config, set(changes))


@pytest.fixture
def app(qtbot: Any, tmp_path: Path) -> Iterator[ReplyHost]:
    from agent.config import load_config
    from audio.speak import Speaker
    from desktop.background import Background
    from desktop.replies import Replies
    from desktop.voice import Voice

    background = Background()
    config = load_config()
    voice = Voice(background, config, tmp_path, speech_out=tmp_path / "speech")
    voice.speaker = Speaker(rate=config.speech_rate)  # what Voice.start() loads, no microphone
    host = ReplyHost(answer=ANSWER, voice=voice, config=config)
    host.replies = Replies(host, voice, background)
    yield host
    voice.close()
    background.shutdown()


def menu_entry(host: ReplyHost, text: str) -> Any:
    from desktop.tray import TrayMenu

    menu = TrayMenu(host)
    menu.aboutToShow.emit()
    return action(menu, "Spoken replies", text)


def spoken(folder: Path, after: int = 0) -> list[tuple[str, float]]:
    """(file name, seconds) of the WAVs written, oldest first, from number ``after`` on."""
    files = sorted(folder.glob("speech-*.wav"))[after:]
    out = []
    for f in files:
        with wave.open(str(f)) as w:
            out.append((f.name, w.getnframes() / w.getframerate()))
    return out


def texts(caplog: Any) -> list[str]:
    return [r.args[1] for r in caplog.records if r.getMessage().startswith("spoken text written")]


def test_replay_says_the_summary_and_the_whole_answer_is_longer_with_code_described(
    app: ReplyHost, qtbot: Any, tmp_path: Path, caplog: Any
) -> None:
    caplog.set_level("INFO")
    with qtbot.waitSignal(app.replies.finished, timeout=60_000):
        menu_entry(app, "Replay last answer").trigger()
    replay_files = spoken(tmp_path / "speech")
    replay = texts(caplog)
    assert replay and "config loader" in " ".join(replay)
    with qtbot.waitSignal(app.replies.finished, timeout=60_000):
        menu_entry(app, "Read whole answer").trigger()
    whole_files = spoken(tmp_path / "speech", after=len(replay_files))
    whole = texts(caplog)[len(replay) :]
    said = " ".join(whole)
    assert sum(s for _, s in whole_files) > 1.5 * sum(s for _, s in replay_files)
    assert "Python code block of 3 lines" in said and "table of 2 rows" in said, said
    assert "def" not in said.split() and "DEFAULTS" not in said and "|" not in said
    assert "twelve tests pass" in said


def test_pause_keeps_the_place_and_resume_goes_on_from_it(
    app: ReplyHost, qtbot: Any, tmp_path: Path, caplog: Any
) -> None:
    caplog.set_level("INFO")
    hold = threading.Event()
    # The speech lane is busy (a summary being said) while the reading is asked for.
    app.replies.background.run(hold.wait, lane="speech")
    menu_entry(app, "Read whole answer").trigger()
    assert app.replies.reading
    menu_entry(app, "Pause reading").trigger()
    hold.set()
    drained = threading.Event()  # everything queued on the speech lane before it has run
    app.replies.background.run(drained.set, lane="speech")
    assert drained.wait(30)
    assert spoken(tmp_path / "speech") == []  # paused before its first sentence: nothing said
    assert menu_entry(app, "Resume reading").isEnabled()
    with qtbot.waitSignal(app.replies.finished, timeout=60_000):
        menu_entry(app, "Resume reading").trigger()
    assert "twelve tests pass" in " ".join(texts(caplog))


def test_the_speed_chosen_in_the_menu_applies_to_the_next_reading(
    app: ReplyHost, qtbot: Any, tmp_path: Path
) -> None:
    seconds = {}
    for speed in ("Speed: Slow", "Speed: Fastest"):
        menu_entry(app, speed).trigger()
        before = len(spoken(tmp_path / "speech"))
        with qtbot.waitSignal(app.replies.finished, timeout=60_000):
            menu_entry(app, "Replay last answer").trigger()
        seconds[speed] = sum(s for _, s in spoken(tmp_path / "speech", after=before))
    assert menu_entry(app, "Speed: Fastest").isChecked()
    assert seconds["Speed: Fastest"] < 0.75 * seconds["Speed: Slow"], seconds


def test_a_reading_whose_sound_server_dies_stops_says_why_and_tries_no_more_sentences(
    qtbot: Any, tmp_path: Path, caplog: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Spoken, not written: a PulseAudio of the test's own is killed mid-sentence.
    from agent.config import load_config
    from audio.speak import Speaker
    from desktop.background import Background
    from desktop.replies import Replies
    from desktop.voice import Voice
    from tests.private_pulse import HANG_S, private_pulse

    caplog.set_level("INFO")
    with private_pulse(tmp_path) as pulse:
        monkeypatch.setenv("PULSE_SERVER", pulse.env["PULSE_SERVER"])
        background = Background()
        config = load_config()
        voice = Voice(background, config, tmp_path)
        voice.speaker = Speaker(voice="espeak", rate=config.speech_rate)
        host = ReplyHost(answer=ANSWER, voice=voice, config=config)
        replies = Replies(host, voice, background)
        try:
            with qtbot.waitSignal(voice.failed, timeout=int(HANG_S * 1000)) as failed:
                replies.read_whole()
                pulse.wait_sink_input()  # the first sentence is playing
                pulse.kill()
            assert "Speech stopped" in failed.args[0] or "sound" in failed.args[0], failed.args
            drained = threading.Event()
            background.run(drained.set, lane="speech")
            assert drained.wait(HANG_S)  # the speech lane is free again
            qtbot.waitUntil(lambda: replies.paused, timeout=int(HANG_S * 1000))
            spoken_after = [r for r in caplog.records if r.getMessage().startswith("speaking:")]
            assert len(spoken_after) == 1, [r.getMessage() for r in spoken_after]
            assert not replies.reading  # paused where it failed: "Resume reading" goes on
        finally:
            voice.close()
            background.shutdown()

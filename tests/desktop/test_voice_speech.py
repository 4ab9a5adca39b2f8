"""The tray's voice when the sound output dies mid-summary: a notice, and speech ends.

The real ``Voice`` with the real speaker, playing on a PulseAudio of the test's own
(tests/private_pulse.py) that is killed once the summary is playing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.private_pulse import HANG_S, private_pulse

SUMMARY = " ".join(f"This is sentence {n} of a spoken summary that goes on." for n in range(10))


def test_a_summary_whose_sound_output_dies_ends_with_a_notice_and_the_voice_stays_usable(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    from agent.config import load_config
    from audio.speak import Speaker
    from desktop.background import Background
    from desktop.voice import Voice

    with private_pulse(tmp_path) as pulse:
        # Streams this process opens from now on play on the private server.
        monkeypatch.setenv("PULSE_SERVER", pulse.env["PULSE_SERVER"])
        background = Background()
        voice = Voice(background, load_config(), tmp_path)
        voice.speaker = Speaker()  # what Voice.start() loads, without the microphone
        failures: list[str] = []
        voice.failed.connect(failures.append)
        try:
            with qtbot.waitSignal(voice.speech_done, timeout=int(HANG_S * 1000)):
                voice.speak(SUMMARY)
                pulse.wait_sink_input()
                pulse.kill()
            assert failures and failures[0].startswith("Speech stopped"), failures
            assert any("Speech stopped" in r.getMessage() for r in caplog.records)
            # The next summary is not stuck behind the dead one: it fails at once, and says so.
            with qtbot.waitSignal(voice.speech_done, timeout=int(HANG_S * 1000)):
                voice.speak("Are you still there?")
            assert len(failures) == 2 and "sound server" in failures[1], failures
        finally:
            voice.close()
            background.shutdown()

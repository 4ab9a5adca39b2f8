"""Dictation when recording stops before the person does: told at once and again with what
was typed, never a silent half sentence.

Before, a dictation take that reached ``max_recording_seconds`` typed its first half and
said nothing: the recorder's warning went to the agent's overlay, which ignores dictation
takes (numbered apart). The real ``Voice`` and recorder on the PulseAudio virtual
microphone and the real tiny.en model, held back as if still loading, so nothing is decoded
while the key is down and the bound is reached.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agent.config import load_config
from tests.desktop.held_voice import held_voice, needs_microphone

pytestmark = needs_microphone


def test_a_dictation_take_stopped_at_the_bound_says_so_at_once_and_after(
    qtbot: Any, tmp_path: Path
) -> None:
    from desktop.dictation import Dictation

    config = load_config().override(max_recording_seconds=5, hotkey_mode="hold")
    said: list[str] = []
    with held_voice(tmp_path, config) as held:
        dictation = Dictation(held.voice, held.background, lambda: config, said.append)
        typed: list[str] = []
        dictation.typed.connect(typed.append)
        dictation.press()
        player = held.speak(qtbot)
        qtbot.waitUntil(lambda: bool(said), timeout=30_000)
        assert player.poll() is None  # said while the person is still speaking
        assert "stopped at 5.0 s" in said[0] and "max_recording_seconds" in said[0], said
        player.wait()
        dictation.release()
        held.gate.set()
        qtbot.waitUntil(lambda: any("Last words kept" in s for s in said), timeout=60_000)
    after = next(s for s in said if "Last words kept" in s)
    assert after.startswith("Dictation: Recording stopped at 5.0 s"), after

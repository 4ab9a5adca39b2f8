"""Conversation mode when the person pauses mid-sentence: nothing said after the pause is
lost. A pause a little longer than the end silence (0.9 s) keeps the take going: both
phrases go to the agent as one request, and a request said in three parts with two such
pauses is one request too. A pause longer than the continuation window sends the first
phrase on; the words after it reach the running turn as a follow-up.

The real controller, overlay and ``Voice`` (recorder on the PulseAudio virtual microphone,
tiny.en, the speech engine writing the reply to a file so the microphone never hears it);
the agent bridge is the recording stand-in of ``test_controller`` (the edge). The clips
are espeak-ng phrases joined by sox silence; the assertions look for words tiny.en hears
surely ("Thursday", "report", "people"), never whole transcripts. Words after a pause that
are not understood (French through tiny.en) hold the first part with a notice.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agent.config import load_config
from desktop.background import Background
from desktop.bridge import Outcome
from desktop.controller import Controller, Parts
from desktop.state import State
from desktop.windows.overlay import RecordingOverlay
from tests.desktop.test_controller import FakeBridge

pytestmark = pytest.mark.skipif(
    os.environ.get("HARKEN_TEST_AUDIO") != "1",
    reason="no virtual microphone: run under tests/desktop_env.sh (PulseAudio)",
)

FIRST = "Move the meeting to Thursday morning."
SECOND = "and send the report to the whole team."
THIRD = "Then book a room for ten people."
FRENCH = "Bonjour, pouvez-vous ouvrir le fichier de configuration et vérifier les paramètres?"
TIMEOUT = 120_000  # ms; tiny.en on a loaded machine


@pytest.fixture
def hands_free(
    qtbot: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Controller, FakeBridge]]:
    from desktop.voice import Voice

    grace = getattr(request, "param", 0)  # transcript_grace_seconds
    config = load_config().override(
        whisper_model="tiny.en",
        language="en",
        conversation_mode=True,
        speak_summaries=True,
        transcript_grace_seconds=grace,
    )
    background = Background()
    voice = Voice(background, config, tmp_path, speech_out=tmp_path / "speech")
    overlay = RecordingOverlay()
    qtbot.addWidget(overlay)
    bridge = FakeBridge()
    controller = Controller(config, quit_app=lambda: None)
    controller.attach(Parts(background, bridge=bridge, voice=voice, overlay=overlay))  # type: ignore[arg-type]
    ready: list[float] = []
    voice.model_ready.connect(ready.append)
    voice.start()
    try:
        qtbot.waitUntil(lambda: bool(ready), timeout=TIMEOUT)
        yield controller, bridge
    finally:
        controller.shutdown()  # as at quit: the lanes end, then the devices close


def clip(folder: Path, pause: float, *phrases: str) -> Path:
    """``phrases`` (FIRST, SECOND by default) with ``pause`` seconds of silence between
    them: one 16 kHz WAV."""
    phrases = phrases or (FIRST, SECOND)
    silence = folder / "pause.wav"
    subprocess.run(
        ["sox", "-n", "-r", "16000", "-c", "1", str(silence), "trim", "0", str(pause)], check=True
    )
    parts: list[str] = []
    for n, words in enumerate(phrases):
        raw, wav = folder / f"{n}-raw.wav", folder / f"{n}.wav"
        voice = ["-v", "fr"] if words == FRENCH else []  # heard by tiny.en as unclear
        subprocess.run(["espeak-ng", *voice, "-s", "160", "-w", str(raw), words], check=True)
        subprocess.run(["sox", str(raw), "-r", "16000", str(wav)], check=True)
        parts += [str(silence), str(wav)] if parts else [str(wav)]
    joined = folder / f"paused-{pause}.wav"
    subprocess.run(["sox", *parts, str(joined)], check=True)
    return joined


def listen_after_a_reply(qtbot: Any, controller: Controller, bridge: FakeBridge) -> None:
    """A typed request, its spoken reply: then Harken listens by itself (no key)."""
    controller.feed(controller.machine.typed, "what time is it")
    bridge.turn_done.emit(Outcome("end_turn", "It is noon."))
    voice = controller.parts.voice  # type: ignore[union-attr]
    qtbot.waitUntil(
        lambda: (
            controller.talk.hands_free.take is not None
            and voice.recorder is not None
            and voice.recorder.recording
            and voice.recorder.receiving
        ),
        timeout=TIMEOUT,
    )


def play(qtbot: Any, wav: Path) -> None:
    """Play ``wav`` into the microphone; Qt runs meanwhile (the detector's polls)."""
    player = subprocess.Popen(["paplay", "-d", "virtmic", str(wav)])
    qtbot.waitUntil(lambda: player.poll() is not None, timeout=TIMEOUT)
    assert player.returncode == 0


def requests(bridge: FakeBridge) -> list[str]:
    return [call[0] for call in bridge.named("submit")]


@pytest.mark.parametrize("hands_free", [0, 3], indirect=True, ids=["sent", "grace"])
def test_a_pause_mid_sentence_in_conversation_mode_sends_one_request_with_both_phrases(
    qtbot: Any, tmp_path: Path, hands_free: tuple[Controller, FakeBridge]
) -> None:
    controller, bridge = hands_free
    wav = clip(tmp_path, 1.2)
    overlay = controller.parts.overlay  # type: ignore[union-attr]
    shown: list[tuple[str, float]] = []  # what the overlay showed, with its grace period
    show_transcript = overlay.show_transcript  # type: ignore[union-attr]

    def showing(text: str, grace: float, *rest: Any) -> None:
        shown.append((text, grace))
        show_transcript(text, grace, *rest)

    overlay.show_transcript = showing  # type: ignore[union-attr]
    listen_after_a_reply(qtbot, controller, bridge)
    play(qtbot, wav)
    qtbot.waitUntil(lambda: len(requests(bridge)) == 2, timeout=TIMEOUT)
    request = requests(bridge)[1].lower()
    assert "thursday" in request and "report" in request, request
    assert bridge.named("follow_up") == []
    assert controller.machine.state is State.THINKING
    # The whole request is what the grace period showed, to confirm or cancel.
    (text, grace) = shown[-1]
    assert grace == controller.config.transcript_grace_seconds
    assert "thursday" in text.lower() and "report" in text.lower(), shown


def test_speech_after_a_long_pause_reaches_the_running_turn_as_a_follow_up(
    qtbot: Any, tmp_path: Path, hands_free: tuple[Controller, FakeBridge]
) -> None:
    controller, bridge = hands_free
    wav = clip(tmp_path, 4.0)  # well past the end silence and the continuation window
    listen_after_a_reply(qtbot, controller, bridge)
    play(qtbot, wav)
    qtbot.waitUntil(lambda: len(bridge.named("follow_up")) == 1, timeout=TIMEOUT)
    request = requests(bridge)[1].lower()
    assert "thursday" in request and "report" not in request, request
    (follow_up,) = bridge.named("follow_up")
    assert "report" in follow_up[0].lower(), follow_up
    assert len(requests(bridge)) == 2  # one request; the rest joined its turn
    assert controller.machine.state is State.THINKING


def test_a_request_said_in_three_parts_with_two_pauses_is_one_request(
    qtbot: Any, tmp_path: Path, hands_free: tuple[Controller, FakeBridge]
) -> None:
    controller, bridge = hands_free
    wav = clip(tmp_path, 1.2, FIRST, SECOND, THIRD)
    listen_after_a_reply(qtbot, controller, bridge)
    play(qtbot, wav)
    qtbot.waitUntil(lambda: len(requests(bridge)) == 2, timeout=TIMEOUT)
    request = requests(bridge)[1].lower()
    assert all(word in request for word in ("thursday", "report", "people")), request
    assert bridge.named("follow_up") == []


def test_words_after_the_pause_that_are_not_understood_hold_the_request_with_a_notice(
    qtbot: Any, tmp_path: Path, hands_free: tuple[Controller, FakeBridge]
) -> None:
    controller, bridge = hands_free
    wav = clip(tmp_path, 1.2, FIRST, FRENCH)
    listen_after_a_reply(qtbot, controller, bridge)
    play(qtbot, wav)
    qtbot.waitUntil(lambda: controller.machine.state is State.CONFIRMING, timeout=TIMEOUT)
    overlay = controller.parts.overlay  # type: ignore[union-attr]
    # Not sent on unseen: the first part waits with what happened to the rest.
    assert "thursday" in overlay.text.lower(), overlay.text  # type: ignore[union-attr]
    assert "after your pause were not heard clearly" in overlay.notice, overlay.notice  # type: ignore[union-attr]
    assert len(requests(bridge)) == 1

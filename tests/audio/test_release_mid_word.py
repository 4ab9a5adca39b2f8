"""A key let go in the middle of the last word still gives that word: the recorder keeps
recording until the word ends (its grace window), through the real microphone, model and
live transcription, as the tray app records a take."""

from __future__ import annotations

import difflib
import subprocess
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from audio.capture import Recorder
from audio.wer import words
from tests.audio.conftest import wait_heard_to_the_end, wait_until

RATE = 16_000
AUDIBLE = 0.003  # about -50 dBFS: where a clip's sound starts and ends
# The last word is a name the sentence does not predict: half of it is another word.
SENTENCES = (
    ("Add a reminder to call my friend Christopher", "christopher"),
    ("Forward the report to Valentina", "valentina"),
)


def audible_seconds(wav: Path) -> float:
    with wave.open(str(wav)) as f:
        rate = f.getframerate()
        audio = np.frombuffer(f.readframes(f.getnframes()), np.int16) / 32768
    loud = np.flatnonzero(np.abs(audio) > AUDIBLE)
    return (loud[-1] - loud[0] + 1) / rate


def near(word: str, heard: list[str]) -> bool:
    """``word`` or a near spelling of it (Whisper spells names its own way) is heard."""
    return any(difflib.SequenceMatcher(None, word, h).ratio() >= 0.75 for h in heard)


def whole_take_text(transcriber: Any, audio: Any) -> str:
    """The take decoded in one pass by plain faster-whisper: how this machine's CPU spells
    the name (a name is spelled differently across CPUs: "Malandina" for Valentina)."""
    segments, _ = transcriber.model.transcribe(audio)
    return " ".join(s.text.strip() for s in segments)


@pytest.fixture
def recorder(virtual_mic: Any) -> Any:
    r = Recorder()
    r.open()
    assert r.wait_receiving()  # PulseAudio delivers a new stream's first blocks late
    yield r
    r.close()


def release_mid_word(recorder: Any, transcriber: Any, wav: Path, last: Path) -> Any:
    """Press, speak ``wav``, let go halfway through its last word (said alone: ``last``);
    the microphone's own delivery times the release, as a hand on the key would be.
    Returns the take, the live transcript and the sample where the clip's sound ends."""
    recorder.start()
    live = transcriber.live(recorder.span, release=recorder.release, hold=recorder.hold_seconds)
    player = subprocess.Popen(["paplay", "-d", "virtmic", str(wav)])
    try:
        onset = wait_until(lambda: first_audible(recorder), "the microphone hears the clip")
        release_at = onset + int((audible_seconds(wav) - audible_seconds(last) / 2) * RATE)
        wait_until(lambda: recorded(recorder) >= release_at, "the middle of the last word")
        take = recorder.stop()
    finally:
        player.wait()
    sound_end = onset + int(audible_seconds(wav) * RATE)
    return take, live.finish(take.audio, take.offset).result(timeout=120), sound_end


def first_audible(recorder: Any) -> int | None:
    offset, audio = recorder.span()
    loud = np.flatnonzero(np.abs(audio) > AUDIBLE)
    return offset + int(loud[0]) if len(loud) else None


def recorded(recorder: Any) -> int:
    offset, audio = recorder.span()
    return offset + len(audio)


@pytest.mark.parametrize(("sentence", "word"), SENTENCES, ids=[w for _, w in SENTENCES])
def test_a_release_in_the_last_word_still_gives_that_word(
    sentence: str, word: str, recorder: Any, transcriber: Any, espeak: Any
) -> None:
    wav, last = espeak(sentence, speed=150), espeak(sentence.split()[-1], speed=150)
    take, heard, sound_end = release_mid_word(recorder, transcriber, wav, last)
    assert take.grace_seconds > 0  # it went on recording the word
    # The word's sound is in the take to its end (within one 20 ms block)...
    assert take.offset + len(take.audio) >= sound_end - RATE // 50, (take.grace_seconds, heard)
    # ...and the live transcript ends with the word: spelled as written, or as the whole take
    # decoded in one pass spells it on this CPU ("Malandina"; the live decoding, with its
    # own context, may spell it either way).
    whole = words(whole_take_text(transcriber, take.audio))
    ending = words(heard.text)[-3:]
    assert near(word, ending) or near(whole[-1], ending), (heard, whole)


def test_a_release_after_the_speech_stops_at_once(
    recorder: Any, virtual_mic: Any, transcriber: Any, espeak: Any
) -> None:
    recorder.start()
    live = transcriber.live(recorder.span, release=recorder.release, hold=recorder.hold_seconds)
    virtual_mic.play(espeak("Open the downloads folder."))
    wait_heard_to_the_end(recorder)
    take = recorder.stop()
    assert take.grace_seconds == 0  # silence at the release: nothing to wait for
    heard = live.finish(take.audio, take.offset).result(timeout=120)
    assert "folder" in words(heard.text)

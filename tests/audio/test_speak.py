"""Speech out: it is heard, it stops at once, it can be written to a file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from audio.capture import Recorder
from audio.speak import Speaker
from audio.wer import wer
from tests.audio.conftest import read_audio, wait_heard_to_the_end, wait_until

LONG = "This sentence goes on for quite a while so that it can be interrupted. " * 3


def test_barge_in_stops_speech_that_the_microphone_hears(virtual_mic) -> None:
    # The default output is the virtual sink, so the microphone hears the speaker.
    recorder = Recorder()
    recorder.open()
    assert recorder.wait_receiving()
    speaker = Speaker()
    try:
        recorder.start()
        speaker.say(LONG)
        # Half a second of the speech heard, then the stop comes mid-sentence.
        wait_until(lambda: loud_samples(recorder.captured()) >= 8000, "the mic hears speech")
        assert speaker.speaking
        at = len(recorder.captured())
        speaker.stop()
        assert not speaker.speaking
        # The rest of LONG lasts over ten seconds: a second of quiet comes only if it stopped.
        wait_heard_to_the_end(recorder, quiet_after=1.0)
        audio = recorder.stop().audio
    finally:
        speaker.close()
        recorder.close()
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    # How soon the sound ends is measured by `harken bench voice` (speaker stop latency);
    # this bound only tells a stop from speech that went on.
    assert (loud[-1] - at) / 16_000 < 2.0, "the speech went on after the stop"


def loud_samples(audio: np.ndarray) -> int:
    return int(np.count_nonzero(np.abs(audio) > 0.05))


def test_streamed_text_starts_speaking_before_the_text_is_complete(virtual_mic) -> None:
    speaker = Speaker()
    try:
        speaker.feed("The first sentence is complete. The second")
        assert speaker.speaking  # the first sentence is already on its way
        speaker.feed(" one arrives later.")
        speaker.flush()
        assert speaker.wait(timeout=15)
        assert not speaker.speaking
    finally:
        speaker.close()


def test_say_out_writes_a_wav_that_says_the_words(tmp_path: Path, transcriber) -> None:
    out = tmp_path / "said.wav"
    said = "Please open **the project** folder."
    subprocess.run(
        [sys.executable, "-m", "desktop.cli", "say", said, "--out", str(out)],
        check=True,
        capture_output=True,
    )
    text = transcriber.transcribe(read_audio(out)).text
    assert wer("Please open the project folder.", text) <= 0.2, text

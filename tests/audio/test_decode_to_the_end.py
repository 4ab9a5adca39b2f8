"""A take is decoded to the end of its speech: spelled names, fast lists and sentences whose
segment the model closes early come back whole, by file, by `harken transcribe` and
through the microphone while the key is held.

The reference is plain faster-whisper on the same model (``WhisperModel.transcribe`` with
its default options, the full 30 s window): Harken must hear at least as many words (word
error rate no worse than the reference's plus a margin) and the text must reach the end of
what was said. Whisper's words differ a little from one CPU to another ("water the orchids
on the balcony" came back "walker the orchids on the mail can eat" on one machine), so the
end is found by aligning the words, not by comparing the last one.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

import pytest

from audio.capture import Recorder
from audio.decode import DecodeOptions, decode
from audio.wer import wer, words
from tests.audio.conftest import read_audio, wait_heard_to_the_end

MARGIN = 0.1  # word error rate Harken may lose to the reference (tiny.en, espeak-ng)
MISSED_AT_END = 1  # said words after the last stretch heard right, at most
SPELLED = "My name is spelled K O W A L S K I, and the street is M A P L E."
LIST = (
    "Pack the tent, the sleeping bags, the stove, the matches, the map, the compass, the "
    "torch, the batteries, the rope, the knife, the water bottles, the first aid kit, the sun "
    "cream, the hats, the jackets, the boots, the socks, the snacks, the coffee, and the camera."
)
ORCHIDS = "and finally remember to water the orchids on the balcony."


@dataclass(frozen=True)
class Clip:
    text: str
    voice: str
    speed: int  # words a minute

    def __str__(self) -> str:
        return f"{self.text.split(',')[0][:24]}-{self.voice}-{self.speed}"


# Each of these came back short before: the spelled names ended "M-" or "M-P" (a cap on
# tokens per second), the lists stopped near "the first aid kit" (the same cap), and the
# sentences ended "and finally remember to": tiny.en closed its last segment about 2 s
# before the speech ended, and nothing decoded the rest.
SPELLED_165 = Clip(SPELLED, "en", 165)
SPELLED_180 = Clip(SPELLED, "en-us", 180)
LIST_300 = Clip(LIST, "en-us", 300)
LIST_300_GB = Clip(LIST, "en", 300)
DENTIST = Clip(
    "I would like you to reschedule my dentist appointment to next Thursday, remind me to "
    "renew the car insurance, order more printer paper, " + ORCHIDS,
    "en-us",
    165,
)
MEETING = Clip(
    "When the meeting is over, please send the slides to everyone who attended, file the "
    "notes in the shared folder, cancel the room booking for Friday, " + ORCHIDS,
    "en-gb-x-rp",
    165,
)
REPORT = Clip(
    "Open the quarterly report, compare the sales figures with last year, highlight the "
    "regions that fell behind, write a short summary for the board, " + ORCHIDS,
    "en+m3",
    165,
)
CLIPS = [SPELLED_165, SPELLED_180, LIST_300, LIST_300_GB, DENTIST, MEETING, REPORT]


def reference(model: Any, audio: Any) -> str:
    """Plain faster-whisper: its own transcribe() with the default options."""
    segments, _ = model.transcribe(audio)
    return " ".join(s.text.strip() for s in segments)


def missed_at_end(said: str, heard: str) -> int:
    """How many words of ``said`` come after the last stretch of two or more words that
    ``heard`` has in the same order (all of them when there is none)."""
    said_words, heard_words = words(said), words(heard)
    blocks = SequenceMatcher(None, said_words, heard_words, autojunk=False).get_matching_blocks()
    ends = [block.a + block.size for block in blocks if block.size >= 2]
    return len(said_words) - max(ends, default=0)


def test_the_end_of_a_take_is_found_by_aligning_words() -> None:
    said = DENTIST.text
    assert missed_at_end(said, said) == 0
    misheard = said.replace("water the orchids on the balcony", "walker the orchids on the mail")
    assert missed_at_end(said, misheard) == 1
    assert missed_at_end(said, said.split(", and finally")[0] + ", and finally remember to") > 5
    spelled_short = "My name is spelled K-O-W-A-L-S-K-I, and the street is M-A-B."
    assert missed_at_end(SPELLED, spelled_short) > 1


def assert_heard_to_the_end(clip: Clip, heard: str, plain: str) -> None:
    assert missed_at_end(clip.text, heard) <= MISSED_AT_END, (heard, plain)
    assert wer(clip.text, heard) <= wer(clip.text, plain) + MARGIN, (heard, plain)


@pytest.fixture(scope="module")
def plain(transcriber: Any, espeak: Any) -> dict[Clip, str]:
    """The reference text of every clip, computed once."""
    return {clip: reference(transcriber.model, read_audio(wav_of(clip, espeak))) for clip in CLIPS}


def wav_of(clip: Clip, espeak: Any) -> Path:
    return espeak(clip.text, voice=clip.voice, speed=clip.speed)


@pytest.mark.parametrize("clip", CLIPS, ids=str)
def test_a_file_is_transcribed_to_its_last_words(
    clip: Clip, transcriber: Any, espeak: Any, plain: dict[Clip, str]
) -> None:
    heard = transcriber.transcribe(read_audio(wav_of(clip, espeak)))
    assert heard.unclear == ""
    assert_heard_to_the_end(clip, heard.text, plain[clip])


@pytest.mark.parametrize("clip", CLIPS, ids=str)
def test_one_decode_covers_all_the_speech(clip: Clip, transcriber: Any, espeak: Any) -> None:
    # decode() itself, as every path calls it: its text reaches the end of the audio.
    audio = read_audio(wav_of(clip, espeak))
    decoded = decode(transcriber.model, audio, DecodeOptions())
    assert missed_at_end(clip.text, decoded.text) <= MISSED_AT_END, decoded
    assert decoded.end >= len(audio) / 16_000 - 0.8, decoded


def harken_transcribe(wav: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", "transcribe", str(wav)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.mark.parametrize("clip", [SPELLED_180, LIST_300, MEETING], ids=str)
def test_harken_transcribe_prints_the_whole_take(
    clip: Clip,
    espeak: Any,
    plain: dict[Clip, str],
    isolated_env: Path,
    workspace: Path,
) -> None:
    # No vocabulary hints: the words a person's own folder would add change the decoding.
    config = isolated_env / "xdg_config_home" / "harken"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text("workspace_hotwords = false\n")
    done = harken_transcribe(wav_of(clip, espeak), workspace)
    assert done.returncode == 0, done.stderr
    assert_heard_to_the_end(clip, done.stdout.strip(), plain[clip])


@pytest.fixture
def recorder(virtual_mic: Any) -> Any:
    r = Recorder()
    r.open()
    assert r.wait_receiving()  # PulseAudio delivers a new stream's first blocks late
    yield r
    r.close()


@pytest.mark.parametrize("clip", [SPELLED_180, LIST_300, DENTIST], ids=str)
def test_spoken_into_the_microphone_the_take_comes_back_to_its_last_words(
    clip: Clip, recorder: Any, virtual_mic: Any, espeak: Any, transcriber: Any
) -> None:
    # The live path: decoded while the key is held, the rest at release.
    recorder.start()
    live = transcriber.live(recorder.span, release=recorder.release, hold=recorder.hold_seconds)
    virtual_mic.play(wav_of(clip, espeak))
    wait_heard_to_the_end(recorder)
    take = recorder.stop()
    heard = live.finish(take.audio, take.offset).result(timeout=120)
    assert heard.unclear == ""
    # The reference hears the same recorded take: what the microphone path did to the
    # sound is then the same on both sides, and only how it was decoded differs.
    assert_heard_to_the_end(clip, heard.text, reference(transcriber.model, take.audio))

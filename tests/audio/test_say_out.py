"""Speech to a file and sentence synthesis: reported done only once all the audio exists.

The reference for "all the audio" is espeak-ng itself: the same text at the same rate
written by ``espeak-ng -w`` (what pyttsx3 drives underneath), measured with ``wave``.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from audio.wer import words

RATE = 180  # the default speech_rate
SUMMARY = (  # 216 characters, five sentences: the report's example
    "I updated the parser and the tests. All forty two tests pass now. "
    "The build takes two minutes less. I left the old script in place. "
    "Tell me if you want the release notes too."
)
FACTS = [
    "The lighthouse keeper counted ships until midnight.",
    "Every morning the baker sold bread to the fishermen.",
    "A gentle rain fell over the quiet harbour town.",
    "The children walked to school along the river path.",
    "Old maps of the coast hung in the library hall.",
]


def paragraph(chars: int) -> str:
    """Plain sentences (which ``for_the_ear`` leaves as they are) of about ``chars``."""
    out: list[str] = []
    while len(" ".join(out)) < chars:
        out.append(FACTS[len(out) % len(FACTS)])
    return " ".join(out)


def seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as f:
        return f.getnframes() / f.getframerate()


def espeak_seconds(text: str, folder: Path) -> float:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed")
    reference = folder / "reference.wav"
    subprocess.run(["espeak-ng", "-s", str(RATE), "-w", str(reference), text], check=True)
    return seconds(reference)


def harken_say(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", "say", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )


@pytest.mark.parametrize("chars", [216, 700, 2000])
def test_say_out_reports_wrote_only_when_the_file_holds_all_the_speech(
    tmp_path: Path, chars: int
) -> None:
    text = SUMMARY if chars == 216 else paragraph(chars)
    done = harken_say(text, "--out", "summary.wav", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Wrote summary.wav" in done.stderr
    # As soon as the command has said so: the file is there, whole.
    written = seconds(tmp_path / "summary.wav")
    expected = espeak_seconds(text, tmp_path)
    assert 0.9 * expected <= written <= 1.2 * expected, (written, expected)


def test_say_out_file_ends_with_the_last_sentence(tmp_path: Path, transcriber) -> None:
    from audio.resample import to_16k_mono

    done = harken_say(SUMMARY, "--out", "summary.wav", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with wave.open(str(tmp_path / "summary.wav"), "rb") as f:
        rate = f.getframerate()
        pcm = np.frombuffer(f.readframes(f.getnframes()), np.int16)
    tail = pcm[-int(3.5 * rate) :].astype(np.float32) / 32768.0
    heard = transcriber.transcribe(to_16k_mono(tail, rate)).text
    # The text's last words, the last one as any CPU's decoding spells it (a cut file loses it).
    last = words(heard)
    assert last[-3:-1] == ["release", "notes"] and last[-1] in {"too", "to", "two"}, heard


def test_say_out_to_a_folder_that_does_not_exist_fails_and_says_why(tmp_path: Path) -> None:
    done = harken_say(SUMMARY, "--out", "missing/summary.wav", cwd=tmp_path)
    assert done.returncode != 0
    assert "Wrote" not in done.stderr and "missing" in done.stderr
    assert not (tmp_path / "missing").exists()


def test_a_long_sentence_is_synthesised_whole(tmp_path: Path) -> None:
    # One sentence the speaker plays as a single clip: long enough that espeak is still
    # synthesising when pyttsx3's runAndWait returns.
    from audio.synth import Synthesiser
    from audio.synth_checks import SYNTH_RATE

    sentence = ", and then ".join(f.rstrip(".").lower() for f in FACTS * 6) + "."
    expected = espeak_seconds(sentence, tmp_path)
    synth = Synthesiser.get()
    for _ in range(3):  # back to back, as sentence after sentence is
        samples = synth.synthesise(sentence, RATE, "")
        assert 0.9 * expected <= len(samples) / SYNTH_RATE <= 1.2 * expected


def test_say_out_speaks_with_a_voice_named_by_its_short_id(tmp_path: Path) -> None:
    # `harken say --voices` lists "gmw/en-us"; people write "en-us".
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "harken" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    british = harken_say(SUMMARY, "--out", "gb.wav", cwd=tmp_path)
    config.write_text('speech_voice = "en-us"\n')
    american = harken_say(SUMMARY, "--out", "us.wav", cwd=tmp_path)
    assert british.returncode == 0 and american.returncode == 0, american.stderr
    assert (tmp_path / "gb.wav").read_bytes() != (tmp_path / "us.wav").read_bytes()


def stderr_lines(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.strip()]


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".part")]


@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("missing/summary.wav", "folder missing does not exist"),
        ("a-folder", "is a folder"),
        ("summary.mp3", "ending in .wav"),
        ("summary", "ending in .wav"),
    ],
)
def test_say_out_that_cannot_be_written_fails_with_one_line_and_leaves_nothing(
    tmp_path: Path, target: str, says: str
) -> None:
    (tmp_path / "a-folder").mkdir()
    done = harken_say(SUMMARY, "--out", target, cwd=tmp_path)
    assert done.returncode != 0
    lines = stderr_lines(done)
    assert len(lines) == 1 and says in lines[0], lines  # no traceback from the wave module
    assert "Wrote" not in done.stderr
    assert not (tmp_path / target).is_file() and not leftovers(tmp_path)


def test_say_out_onto_a_pipe_refuses_instead_of_replacing_it(tmp_path: Path) -> None:
    # A rename into place would replace a device ("/dev/null") or a pipe with a file.
    pipe = tmp_path / "speech.wav"
    os.mkfifo(pipe)
    done = harken_say(SUMMARY, "--out", "speech.wav", cwd=tmp_path)
    assert done.returncode != 0 and "Wrote" not in done.stderr
    assert stat.S_ISFIFO(pipe.lstat().st_mode), "the pipe was replaced by a file"
    assert len(stderr_lines(done)) == 1 and "not a regular file" in done.stderr


def test_say_out_through_a_link_writes_the_file_it_points_to(tmp_path: Path) -> None:
    (tmp_path / "real.wav").write_bytes(b"old")
    (tmp_path / "link.wav").symlink_to("real.wav")
    done = harken_say(SUMMARY, "--out", "link.wav", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "link.wav").is_symlink()
    assert seconds(tmp_path / "real.wav") >= 0.9 * espeak_seconds(SUMMARY, tmp_path)


@pytest.mark.parametrize("text", ["?!...,;", "🎉🚀", "  "])
def test_say_out_with_nothing_to_say_writes_no_silent_file(tmp_path: Path, text: str) -> None:
    done = harken_say(text, "--out", "x.wav", cwd=tmp_path)
    assert done.returncode == 2 and stderr_lines(done) == ["harken: nothing to say"]
    assert not (tmp_path / "x.wav").exists()


def test_say_out_onto_a_read_only_file_refuses_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    kept = tmp_path / "ro.wav"
    kept.write_bytes(b"the user's own file")
    kept.chmod(0o444)
    done = harken_say(SUMMARY, "--out", "ro.wav", cwd=tmp_path)
    assert done.returncode != 0 and "Wrote" not in done.stderr
    lines = stderr_lines(done)
    assert len(lines) == 1 and "is read-only" in lines[0], lines
    assert kept.read_bytes() == b"the user's own file"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o444
    assert not leftovers(tmp_path)


def test_say_out_over_a_private_file_keeps_its_mode(tmp_path: Path) -> None:
    private = tmp_path / "private.wav"
    private.write_bytes(b"old")
    private.chmod(0o600)
    done = harken_say(SUMMARY, "--out", "private.wav", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert seconds(private) >= 0.9 * espeak_seconds(SUMMARY, tmp_path)


def test_say_out_to_a_name_that_is_not_utf8_prints_it_readably(tmp_path: Path) -> None:
    name = os.fsdecode(b"b\xe9.wav")  # Latin-1 "bé.wav"
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "say", SUMMARY, "--out", name],
        cwd=tmp_path,
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    said = done.stderr.decode("utf-8")
    assert done.returncode == 0, said
    assert "\\udce9" not in said and "Wrote b\ufffd.wav" in said, said
    assert seconds(tmp_path / os.fsdecode(b"b\xe9.wav")) > 1


def test_say_out_with_an_empty_name_asks_for_a_file_name(tmp_path: Path) -> None:
    done = harken_say(SUMMARY, "--out", "", cwd=tmp_path)
    assert done.returncode == 2
    assert stderr_lines(done) == ["harken: --out needs a file name"]
    assert not leftovers(tmp_path) and list(tmp_path.iterdir()) == []

"""``harken bench voice``: key release to text, naive pipeline against Harken's, side by side.

Spoken commands (espeak-ng, several voices and speeds, 2 to 15 s) are played into a
virtual microphone (a PulseAudio null sink whose monitor is recorded, as a user's mic
is) while a real ``Recorder`` records and a ``LiveTranscription`` follows; the key is
released 0.5 s after the speech ends. For each take:

- (a) naive: what most push-to-talk tools do, record, then ``WhisperModel.transcribe``
  the whole take after release (30 s window, same beam size, language given);
- (b) Harken: the text of the live transcription, timed from release.

Printed: per clip and p50/p95, release-to-text latency and word error rate; recorder
start latency (stream kept open against opened at the press); speaker stop latency
(barge-in, measured on the microphone); peak memory with the model loaded.
Needs ``espeak-ng``, ``paplay`` and ``pactl`` (PulseAudio or PipeWire's pulse server).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio.wer import errors

COMMANDS = (
    "Open the readme file and tell me what this project does.",
    "Run the tests and show me which ones fail.",
    "What time is it in Tokyo right now?",
    "Create a new file called notes and write a short summary of today's meeting in it.",
    "Search the project for every place where we read the configuration file, then explain "
    "how the settings are loaded and what happens when the file is missing.",
    "Commit the changes with a message saying that the login bug is fixed.",
    "Delete the build folder.",
    "Rename the function load data to read records everywhere in the code base.",
    "Check the weather forecast for Berlin tomorrow and tell me if I need an umbrella.",
    "Summarize the last three emails from my manager, and list any deadlines they mention, "
    "sorted by date.",
    "Install the latest version of the requests library and update the requirements file.",
    "Show me the difference between the main branch and my current branch, but only for the "
    "python files in the source folder, and skip the tests.",
    "Open a terminal in the downloads folder.",
    "Find all large files in my home folder that I have not opened in a year, and ask me "
    "before deleting any of them.",
    "Explain this error message to me in simple words.",
    "Move the meeting with Anna from Tuesday to Thursday afternoon and send her a short note "
    "about it.",
)
VOICES = ("en-us", "en-gb", "en-us+f3", "en-gb-scotland", "en-029", "en-gb-x-rp", "en-us+m3")
SPEEDS = (175, 150, 200, 130, 165)
TAIL_SILENCE = 0.5  # seconds between the end of speech and the key release
SINK = "harken_bench"


@dataclass
class Clip:
    path: Path
    text: str
    voice: str
    speed: int
    seconds: float


@dataclass
class Row:
    clip: Clip
    naive_seconds: float
    naive_text: str
    harken_seconds: float
    harken_text: str


def make_clips(folder: Path, count: int) -> list[Clip]:
    """Speak the commands with espeak-ng into WAV files (mono 22.05 kHz)."""
    clips = []
    for i in range(count):
        text = COMMANDS[i % len(COMMANDS)]
        voice, speed = VOICES[i % len(VOICES)], SPEEDS[i % len(SPEEDS)]
        path = folder / f"clip{i:02d}.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), text], check=True
        )
        clips.append(Clip(path, text, voice, speed, _wav_seconds(path)))
    return clips


def _wav_seconds(path: Path) -> float:
    import wave

    with wave.open(str(path)) as f:
        return f.getnframes() / f.getframerate()


class VirtualMic:
    """A null sink whose monitor is the microphone; reuses the test setup's ``virtmic``."""

    def __init__(self) -> None:
        self.module = ""
        self.sink = "virtmic"

    def __enter__(self) -> VirtualMic:
        for tool in ("pactl", "paplay", "espeak-ng"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"the voice benchmark needs {tool}; install it first")
        sinks = _pactl("list", "short", "sinks")
        if "virtmic" not in sinks.split():
            # Our own sink; only this process records from it (PULSE_SOURCE is read when
            # the stream opens), the user's default microphone stays as it is.
            self.module = _pactl("load-module", "module-null-sink", f"sink_name={SINK}").strip()
            self.sink = SINK
            os.environ["PULSE_SOURCE"] = f"{SINK}.monitor"
        return self

    def play(self, path: Path) -> None:
        subprocess.run(["paplay", "-d", self.sink, str(path)], check=True)

    def __exit__(self, *exc: object) -> None:
        if self.module:
            _pactl("unload-module", self.module)
            os.environ.pop("PULSE_SOURCE", None)


def _pactl(*args: str) -> str:
    try:
        return subprocess.run(["pactl", *args], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise RuntimeError(f"no PulseAudio server to play into ({exc})") from exc


def run(
    count: int = 16, model: str = "tiny.en", beam_size: int = 5, out: Callable[[str], Any] = print
) -> int:
    from audio.capture import Recorder, start_latency
    from audio.transcribe import Transcriber

    folder = Path(tempfile.mkdtemp(prefix="harken-bench-"))
    try:
        with VirtualMic() as mic:
            clips = make_clips(folder, count)
            transcriber = Transcriber(model, language="en", beam_size=beam_size).start()
            recorder = Recorder(max_seconds=60)
            recorder.open()
            transcriber.wait_ready()
            out(
                f"model {model} (int8, {os.cpu_count()} cores) loaded and warmed in "
                f"{transcriber.load_seconds:.2f} s; beam size {beam_size}; {count} clips"
            )
            recorder.wait_receiving()  # a new stream's first blocks arrive late
            rows = [_one_take(clip, mic, recorder, transcriber) for clip in clips]
            _report(rows, out)
            _report_start(recorder, start_latency, out)
            _report_speaker_stop(recorder, mic, out)
            recorder.close()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out(f"peak memory (RSS) with the model loaded: {peak:.0f} MB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _one_take(clip: Clip, mic: VirtualMic, recorder: Any, transcriber: Any) -> Row:
    recorder.start()  # key press
    live = transcriber.live(recorder.captured)
    mic.play(clip.path)  # returns when the last sample has been played
    time.sleep(TAIL_SILENCE)
    released = time.perf_counter()  # key release
    take = recorder.stop()
    text = live.finish(take.audio).result().text
    harken = time.perf_counter() - released

    # (a), on the same take, after (b) has finished: the model is not shared at once.
    began = time.perf_counter()
    segments, _ = transcriber.model.transcribe(
        take.audio, language="en", beam_size=transcriber.options.beam_size
    )
    naive_text = "".join(s.text for s in segments).strip()
    naive = time.perf_counter() - began
    return Row(clip, naive, naive_text, harken, text)


def _report(rows: list[Row], out: Callable[[str], Any]) -> None:
    out("")
    out(
        f"{'clip':<5}{'voice':<15}{'wpm':>4}{'secs':>6} | {'(a) naive':>10}{'WER':>6} | "
        f"{'(b) harken':>10}{'WER':>6} | speedup"
    )
    for i, r in enumerate(rows):
        wa, wb = _wer(r.clip.text, r.naive_text), _wer(r.clip.text, r.harken_text)
        out(
            f"{i:<5}{r.clip.voice:<15}{r.clip.speed:>4}{r.clip.seconds + TAIL_SILENCE:>6.1f} | "
            f"{r.naive_seconds:>9.3f}s{wa:>6.2f} | {r.harken_seconds:>9.3f}s{wb:>6.2f} | "
            f"{r.naive_seconds / max(r.harken_seconds, 1e-6):>6.1f}x"
        )
    for i, r in enumerate(rows):
        if r.naive_text.lower() != r.harken_text.lower():
            out(f"  {i}: (a) {r.naive_text!r}\n     (b) {r.harken_text!r}")
    a = [r.naive_seconds for r in rows]
    b = [r.harken_seconds for r in rows]
    wer_a = _corpus_wer([(r.clip.text, r.naive_text) for r in rows])
    wer_b = _corpus_wer([(r.clip.text, r.harken_text) for r in rows])
    out("")
    out("release to text   p50      p95      WER (all words)")
    out(f"(a) naive       {_pct(a, 50):>6.3f}s {_pct(a, 95):>7.3f}s  {wer_a:.3f}")
    out(f"(b) harken      {_pct(b, 50):>6.3f}s {_pct(b, 95):>7.3f}s  {wer_b:.3f}")
    out(
        f"speedup at p50: {_pct(a, 50) / max(_pct(b, 50), 1e-6):.1f}x "
        f"(aim: (b) p50 <= 0.2 s, >= 4x, WER no worse than (a))"
    )


def _report_start(
    recorder: Any, start_latency: Callable[..., float], out: Callable[[str], Any]
) -> None:

    kept = start_latency(recorder)
    opened = [_first_audio_after_open(recorder.native_rate) for _ in range(3)]
    out("")
    out(
        f"recorder start: stream kept open {kept * 1000:.3f} ms (median of 20; plus "
        f"{recorder.preroll * 1000:.0f} ms of pre-roll already captured); opened at the press: "
        f"first audio after {statistics.median(opened) * 1000:.0f} ms (median of 3)"
    )


def _first_audio_after_open(rate: float) -> float:
    """Seconds from opening a new input stream to its first block of audio."""
    import sounddevice as sd

    first: list[float] = []

    def on_block(*_: object) -> None:
        if not first:
            first.append(time.perf_counter())

    began = time.perf_counter()
    with sd.InputStream(samplerate=rate, channels=1, dtype="float32", callback=on_block):
        while not first and time.perf_counter() - began < 5:
            time.sleep(0.002)
    return (first[0] if first else time.perf_counter()) - began


def _report_speaker_stop(recorder: Any, mic: VirtualMic, out: Callable[[str], Any]) -> None:
    """Speak into the microphone, stop, and find where the microphone goes quiet."""
    import numpy as np

    from audio.speak import Speaker

    if mic.sink != "virtmic":
        out("speaker stop: skipped (needs the default output to reach the microphone)")
        return
    speaker = Speaker()
    delays = []
    for _ in range(3):
        recorder.start()
        speaker.say("This sentence goes on for a good while so that it can be interrupted.")
        began = time.perf_counter()
        while recorder.level() < 0.3 and time.perf_counter() - began < 3:
            time.sleep(0.005)
        time.sleep(0.4)
        at = len(recorder.captured())
        speaker.stop()
        time.sleep(0.6)
        audio = recorder.stop().audio
        loud = np.flatnonzero(np.abs(audio[at:]) > 0.01)
        delays.append((loud[-1] if len(loud) else 0) / 16000)
        time.sleep(0.3)
    speaker.close()
    out(
        f"speaker stop (barge-in) to silence on the microphone: "
        f"{statistics.median(delays) * 1000:.0f} ms median of 3 (includes input latency)"
    )


def _wer(reference: str, hypothesis: str) -> float:
    edits, total = errors(reference, hypothesis)
    return edits / max(1, total)


def _corpus_wer(pairs: list[tuple[str, str]]) -> float:
    edits = total = 0
    for reference, hypothesis in pairs:
        e, n = errors(reference, hypothesis)
        edits, total = edits + e, total + n
    return edits / max(1, total)


def _pct(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


if __name__ == "__main__":
    sys.exit(run())

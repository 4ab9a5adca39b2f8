"""``harken bench voice``: key release to text, naive pipeline against Harken's, side by side.

Spoken commands (``audio.bench_clips``: espeak-ng, several voices and speeds, 2 to 15 s) are
played into a virtual microphone (a PulseAudio null sink whose monitor is recorded, as a
user's mic is) while a real ``Recorder`` records and a ``LiveTranscription`` follows. People
let go of the key close to their last word, sometimes during it: each clip is taken once per
release setting, the key released that long after the end of the speech as the microphone
hears it (``--tails``, 0 to 0.3 s by default), and once in the middle of the last word. For
each take:

- (a) naive: what most push-to-talk tools do, record until the release, then
  ``WhisperModel.transcribe`` the whole take (30 s window, same beam size, language
  given);
- (b) Harken: ``Recorder.stop()`` (which keeps recording through a word still being said
  at the release, up to its grace window) and the text of the live transcription, timed
  from the release.

Printed: per setting, p50/p95 release-to-text and word error rate of (a) and (b) and the
speedup; per clip at one setting; word error rate without and with workspace words on
the same clips (``audio.bench_words``); the first take of the session against the same take
later; recorder start latency (stream kept open against opened at the press); speaker
stop latency (barge-in, measured on the microphone); peak memory with the model loaded.
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio.bench_clips import AUDIBLE, COMMANDS, Clip, make_clips
from audio.wer import errors

TAILS = (0.0, 0.1, 0.15, 0.2, 0.3)  # seconds from the end of speech to the key release
MID_WORD = "mid-word"  # the release setting: in the middle of the last word
SHOWN_TAIL = 0.15  # the setting shown clip by clip (the aim is measured there)
RATE = 16_000
SINK = "harken_bench"


@dataclass
class Row:
    clip: Clip
    setting: float | str  # a tail in seconds, or MID_WORD
    naive_seconds: float
    naive_text: str
    harken_seconds: float
    harken_text: str
    harken_note: str = ""  # why (b) gave no text, or what it lost, when it says so


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

    def play_async(self, path: Path) -> subprocess.Popen[bytes]:
        return subprocess.Popen(["paplay", "-d", self.sink, str(path)])

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
    count: int = 16,
    model: str = "tiny.en",
    beam_size: int = 5,
    out: Callable[[str], Any] = print,
    tails: Sequence[float] = TAILS,
    mid_word: bool = True,
) -> int:
    """Play ``count`` clips once per release setting (each tail, and mid-word); print."""
    from audio.capture import Recorder
    from audio.transcribe import Transcriber

    settings: list[float | str] = [*tails, *([MID_WORD] if mid_word else [])]
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
                f"{transcriber.load_seconds:.2f} s; beam size {beam_size}; {count} clips, "
                f"released {', '.join(_label(s) for s in settings)} after the speech ends; "
                f"grace window {recorder.grace:.2f} s"
            )
            recorder.wait_receiving()  # a new stream's first blocks arrive late
            first_setting = SHOWN_TAIL if SHOWN_TAIL in settings else settings[0]
            first = _one_take(clips[0], first_setting, mic, recorder, transcriber)
            rows = [_one_take(c, s, mic, recorder, transcriber) for s in settings for c in clips]
            again = next(r for r in rows if r.clip is clips[0] and r.setting == first_setting)
            shown = [r for r in rows if r.setting == first_setting]
            _report_clips(shown, out)
            _report_settings(rows, settings, out)
            _report_words(transcriber, COMMANDS[:count], folder, out)
            out(
                f"first take of the session (clip 0, {_label(first_setting)}): "
                f"(b) {first.harken_seconds:.3f} s; the same take later "
                f"{again.harken_seconds:.3f} s"
            )
            _report_start(recorder, out)
            _report_speaker_stop(recorder, mic, out)
            recorder.close()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            out(f"peak memory (RSS) with the model loaded: {peak:.0f} MB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


def _report_words(
    transcriber: Any, sentences: Sequence[str], folder: Path, out: Callable[[str], Any]
) -> None:
    from faster_whisper import decode_audio

    from audio import bench_words  # the same clips without and with workspace words

    heard = bench_words.compare(transcriber, sentences, folder, lambda p: decode_audio(str(p)))
    bench_words.report(heard, out)


def _label(setting: float | str) -> str:
    return setting if isinstance(setting, str) else f"{setting:.2f} s"


def _one_take(
    clip: Clip, setting: float | str, mic: VirtualMic, recorder: Any, transcriber: Any
) -> Row:
    import numpy as np

    recorder.start()  # key press
    live = transcriber.live(recorder.captured)
    player = mic.play_async(clip.path)
    # The release is timed on what the microphone has delivered: the clip's first
    # audible sample, then its speech, then the tail (or half the last word back).
    onset = _wait(lambda: _first_audible(recorder.captured()))
    after = setting if isinstance(setting, float) else -clip.last_word / 2
    release_at = onset + int((clip.speech + after) * RATE)
    _wait(lambda: len(recorder.captured()) >= release_at)
    released = time.perf_counter()  # key release
    at_release = np.array(recorder.captured())  # all a naive tool has
    take = recorder.stop()
    transcript = live.finish(take.audio, take.offset).result()
    harken = time.perf_counter() - released
    player.wait()

    # (a), on the same take, after (b) has finished: the model is not shared at once.
    began = time.perf_counter()
    segments, _ = transcriber.model.transcribe(
        at_release, language="en", beam_size=transcriber.options.beam_size
    )
    naive_text = "".join(s.text for s in segments).strip()
    naive = time.perf_counter() - began
    time.sleep(recorder.preroll + 0.1)  # the next take's pre-roll holds none of this clip
    note = transcript.unclear or transcript.failure
    return Row(clip, setting, naive, naive_text, harken, transcript.text, note)


def _first_audible(audio: Any) -> int | None:
    import numpy as np

    loud = np.flatnonzero(np.abs(audio) > AUDIBLE)
    return int(loud[0]) if len(loud) else None


def _wait(condition: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = time.perf_counter() + timeout
    while (value := condition()) is None or value is False:
        if time.perf_counter() > deadline:
            raise RuntimeError("the microphone did not hear the clip (is the sink muted?)")
        time.sleep(0.002)
    return value


def _report_clips(rows: list[Row], out: Callable[[str], Any]) -> None:
    out("")
    out(f"released {_label(rows[0].setting)} after the speech ends, clip by clip:")
    out(
        f"{'clip':<5}{'voice':<15}{'wpm':>4}{'secs':>6} | {'(a) naive':>10}{'WER':>6} | "
        f"{'(b) harken':>10}{'WER':>6} | speedup"
    )
    for i, r in enumerate(rows):
        wa, wb = _wer(r.clip.text, r.naive_text), _wer(r.clip.text, r.harken_text)
        out(
            f"{i:<5}{r.clip.voice:<15}{r.clip.speed:>4}{r.clip.seconds:>6.1f} | "
            f"{r.naive_seconds:>9.3f}s{wa:>6.2f} | {r.harken_seconds:>9.3f}s{wb:>6.2f} | "
            f"{r.naive_seconds / max(r.harken_seconds, 1e-6):>6.1f}x"
        )


def _report_settings(
    rows: list[Row], settings: list[float | str], out: Callable[[str], Any]
) -> None:
    out("")
    out("texts that differ from what was said, by setting ((a) naive, (b) harken):")
    for r in rows:
        if _wer(r.clip.text, r.naive_text) or _wer(r.clip.text, r.harken_text):
            i = int(r.clip.path.stem[4:])
            note = f" ({r.harken_note})" if r.harken_note else ""
            out(f"  {_label(r.setting):>8} {i}: (a) {r.naive_text!r}")
            out(f"{'':>13}(b) {r.harken_text!r}{note}")
    out("")
    out(f"{'release to text':<16}{'(a) naive':<25}{'(b) harken':<25}speedup")
    out(f"{'released after':<16}" + f"{'p50':>7}{'p95':>9}{'WER':>7}   " * 2 + "at p50")
    for setting in settings:
        some = [r for r in rows if r.setting == setting]
        a = [r.naive_seconds for r in some]
        b = [r.harken_seconds for r in some]
        wer_a = _corpus_wer([(r.clip.text, r.naive_text) for r in some])
        wer_b = _corpus_wer([(r.clip.text, r.harken_text) for r in some])
        out(
            f"{_label(setting):<16}{_pct(a, 50):>6.3f}s{_pct(a, 95):>8.3f}s{wer_a:>7.3f}   "
            f"{_pct(b, 50):>6.3f}s{_pct(b, 95):>8.3f}s{wer_b:>7.3f}   "
            f"{_pct(a, 50) / max(_pct(b, 50), 1e-6):>5.1f}x"
        )
    out("aim at a 0.15 s tail: (b) p50 <= 0.1 s and >= 5x (a), WER no worse than (a)")


def start_latency(recorder: Any, repeats: int = 20) -> float:
    """Median seconds ``start()`` takes on an open ``audio.capture.Recorder``."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        recorder.start()
        times.append(time.perf_counter() - t)
        recorder.stop()
    return sorted(times)[len(times) // 2]


def _report_start(recorder: Any, out: Callable[[str], Any]) -> None:

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

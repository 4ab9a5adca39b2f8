"""How quickly each voice starts speaking, and how fast it synthesises: Piper against espeak-ng.

A spoken summary is two sentences; the speaker (``audio.speak``) synthesises one sentence,
plays it, then the next, so what a person waits for is the first sentence's synthesis.
Measured through the app's own synthesis thread (``audio.synth.Synthesiser``), per voice:

1. load: the voice's first sentence in this process (Piper imports onnxruntime and loads
   its 63 MB model then; espeak-ng is already up once the engine is);
2. time to first audio: the first sentence, warm (median);
3. real-time factor: seconds of synthesis per second of speech for the whole summary
   (median; below 1 is faster than it is spoken).

    python -m benchmarks.speech_voices [--repeats N] [--rate WPM]

Numbers only (nothing asserted); on a shared machine they are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import time

SUMMARY = (
    "I updated the parser and fixed the failing test in the loader. "
    "All forty two tests pass now, and the build is two minutes faster."
)


def measure(voice: str, repeats: int, rate: int) -> dict[str, float]:
    """load_s, first_audio_ms (median), rtf (median) and audio_s for ``voice``."""
    from audio.spoken import sentences
    from audio.synth import Synthesiser
    from audio.synth_checks import SYNTH_RATE

    synth = Synthesiser.get()
    parts = sentences(SUMMARY)
    t0 = time.perf_counter()
    synth.synthesise(parts[0], rate, voice)
    load = time.perf_counter() - t0
    firsts, factors, audio = [], [], 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        synth.synthesise(parts[0], rate, voice)
        firsts.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        samples = sum(len(synth.synthesise(part, rate, voice)) for part in parts)
        took = time.perf_counter() - t0
        audio = samples / SYNTH_RATE
        factors.append(took / audio)
    return {
        "load_s": load,
        "first_audio_ms": statistics.median(firsts) * 1000,
        "rtf": statistics.median(factors),
        "audio_s": audio,
    }


def main() -> None:
    """Print the numbers for espeak-ng and, where installed, Piper."""
    from audio.synth_piper import ESPEAK_VOICE, PIPER_VOICE, available

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--rate", type=int, default=180, help="words a minute (speech_rate)")
    args = parser.parse_args()
    voices = [ESPEAK_VOICE] + ([PIPER_VOICE] if available() else [])
    from audio.synth import Synthesiser

    t0 = time.perf_counter()
    Synthesiser.get().voices()  # the engine (espeak-ng) starts: not any voice's cost
    print(f"speech engine start (espeak-ng, as the app's): {time.perf_counter() - t0:.2f} s")
    print(f"two-sentence summary ({len(SUMMARY)} characters) at {args.rate} wpm, "
          f"median of {args.repeats}:")  # fmt: skip
    print(f"  {'voice':<10} {'load':>8} {'first audio':>12} {'RTF':>7} {'speech':>8}")
    for voice in voices:
        m = measure(voice, args.repeats, args.rate)
        print(
            f"  {voice:<10} {m['load_s']:7.2f}s {m['first_audio_ms']:10.0f}ms "
            f"{m['rtf']:7.3f} {m['audio_s']:7.1f}s"
        )
    if not available():
        print("  (Piper not installed: pip install 'harken[natural-voice]')")


if __name__ == "__main__":
    main()

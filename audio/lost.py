"""What a take lost, said so a person knows exactly where and why: nothing goes silently.

Everything that keeps part of what was said from the text is named here, for the tray
(overlay, notification), the terminal (stderr) and the log alike:

- the recorder's bound was reached (audio waiting to be transcribed, ``max_recording_seconds``);
- the microphone stopped sending sound (unplugged, the sound server died);
- the input overflowed (PortAudio dropped sound: the computer was too busy);
- decoding failed part way (the words before are kept);
- a take dropped whole: a tap of the key with no speech, silence below the level floor,
  or audio in which no speech was found.

Times are seconds after the key press; "the last words kept" are the end of the text
that was heard, so the person knows where to pick up.
"""

from __future__ import annotations

import math
from typing import Any

LAST_WORDS = 6


def limit_reached_now(cut_at: float, max_seconds: float) -> str:
    """Said the moment recording stops at the bound, while the key is still held."""
    return (
        f"Recording stopped at {cut_at:.1f} s: {_bound(max_seconds)}. Release the key; "
        "what you say now is not recorded."
    )


def stalled_now(device: str, at: float) -> str:
    return (
        f"The microphone {device!r} stopped sending sound at {at:.1f} s (unplugged?). "
        "What you say now is not recorded."
    )


def _bound(max_seconds: float) -> str:
    return (
        f"{max_seconds:g} s of speech were waiting to be transcribed, the limit "
        "(max_recording_seconds)"
    )


def overflowed(times: list[float]) -> str:
    where = ", ".join(f"{t:.1f} s" for t in times[:5]) + (", ..." if len(times) > 5 else "")
    return (
        f"Sound was lost {_times(len(times))} (at {where}): the microphone's input "
        "overflowed because the computer was too busy."
    )


def silent(peak_db: float, floor_db: float, *, from_file: bool = False) -> str:
    """Why a take or a file whose loudest sample is ``peak_db`` (dBFS) below ``floor_db``
    counts as silence: the same verdict, in the same unit, for the microphone and a file."""
    if math.isinf(peak_db):
        if from_file:
            return "silent: the file holds only digital silence"
        return "silent: the microphone sent only silence (muted?)"
    said = (
        f"silent: its loudest sample was {peak_db:.0f} dBFS, below the level floor of "
        f"{floor_db:.0f} dBFS peak (level_floor_db)"
    )
    return said if from_file else f"{said}; is the microphone muted or turned down?"


def while_recording(take: Any) -> list[str]:
    """What the recorder knows was lost from ``take`` (an ``audio.take.Take``)."""
    said = []
    if take.cut_at is not None:
        said.append(f"{_cut(take)}.")
    if take.stalled_at is not None:
        said.append(f"{_stalled(take)}; keeping what was captured.")
    if take.overflows:
        said.append(overflowed(take.overflows))
    return said


def notices(take: Any, transcript: Any) -> list[str]:
    """Everything lost from ``take`` once its ``transcript`` (an
    ``audio.transcribe.Transcript``) is known, with the last words kept; [] when nothing was."""
    kept = last_words(transcript.text)
    said = []
    if take.cut_at is not None:
        said.append(f"{_cut(take)}. {kept}")
    if take.stalled_at is not None:
        said.append(f"{_stalled(take)}. {kept}")
    if take.overflows:
        said.append(overflowed(take.overflows))
    if transcript.failure:
        at = max(0.0, transcript.failed_at - take.preroll_seconds)
        said.append(f"Transcription failed at {at:.1f} s ({transcript.failure}). {kept}")
    return said


def _cut(take: Any) -> str:
    where = f"{take.cut_at:.1f} s of {take.held_seconds:.1f} s"
    return f"Recording stopped at {where}: {_bound(take.max_seconds)}"


def _stalled(take: Any) -> str:
    where = f"{take.stalled_at:.1f} s of {take.held_seconds:.1f} s"
    return f"The microphone {take.device!r} stopped sending sound at {where} (unplugged?)"


def no_speech(take: Any, transcript: Any) -> str:
    """Why a take that was transcribed gave no text."""
    if transcript.speech_seconds < 0.1:
        return (
            f"no speech was heard in {take.seconds:.1f} s "
            f"(its loudest sample was {take.peak_db:.0f} dBFS)"
        )
    return f"no words could be made out of {transcript.speech_seconds:.1f} s of speech"


def last_words(text: str) -> str:
    words = text.split()
    if not words:
        return "Nothing was heard before that."
    tail = " ".join(words[-LAST_WORDS:]).rstrip(".!?,;:")
    return f"Last words kept: “{'…' if len(words) > LAST_WORDS else ''}{tail}”."


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"

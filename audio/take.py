"""One push-to-talk recording (``Take``, what ``audio.capture.Recorder.stop`` returns).

A take holds its audio (16 kHz mono), its peak level, why it should be dropped (a tap of
the key with no speech in it, or silence below the level floor: ``dropped_reason``) and
everything that was lost while recording (the device stopped delivering sound, its input
overflowed, the bound was reached), each with the second it happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from audio import lost

if TYPE_CHECKING:
    import numpy as np


@dataclass
class Take:
    """One recording, from key press to release."""

    audio: np.ndarray  # float32, 16 kHz mono: the take from sample ``offset`` on
    seconds: float  # recorded after the press (the pre-roll not counted)
    peak_db: float  # the loudest sample, dBFS (-inf: digital silence)
    dropped: str = ""  # why this take should not be transcribed; "" when it should
    problem: str = ""  # what went wrong while recording; the audio is still kept
    offset: int = 0  # samples released (already decoded) before ``audio``
    preroll_seconds: float = 0.0  # the take's audio starts this long before the press
    held_seconds: float = 0.0  # press to stop, recorded or not
    grace_seconds: float = 0.0  # recorded after the release, to the end of a word
    cut_at: float | None = None  # seconds after the press where the bound stopped recording
    stalled_at: float | None = None  # seconds after the press where the device went quiet
    overflows: list[float] = field(default_factory=list)  # seconds where sound was lost
    max_seconds: float = 0.0  # the bound in force (the max_recording_seconds setting)
    device: str = ""

    @property
    def usable(self) -> bool:
        return not self.dropped

    @property
    def truncated(self) -> bool:
        """Recording stopped before the key was released (the bound was reached)."""
        return self.cut_at is not None


def dropped_reason(take: Take, min_seconds: float, level_floor_db: float) -> str:
    """Why ``take`` should not be transcribed ("" when it should): a tap of the key with
    no speech in it (shorter than ``min_seconds``), or silence below ``level_floor_db``."""
    if take.seconds < min_seconds and take.offset == 0:
        from audio.vad import has_speech

        # A tap of the key; but a word said quickly is kept (a take is judged on
        # speech, not on how long the key was down).
        if not has_speech(take.audio):
            return f"too short ({take.seconds:.2f} s) and no speech in it"
    if take.peak_db < level_floor_db:
        return lost.silent(take.peak_db, level_floor_db)
    return ""

"""What a complete synthesis looks like: bounds on its time, its length, and its WAV file.

Speech is reported done only once it is checked: ``read_speech`` reads a WAV and refuses
one that is missing, of another format or shorter than its text needs
(``minimum_seconds``); ``write_speech`` writes a WAV whole (beside it, then renamed) and
reads it back before it returns. ``synth_timeout`` bounds every wait for the engine.
"""

from __future__ import annotations

import os
import re
import stat
import wave
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

SYNTH_RATE = 22_050  # what espeak (through pyttsx3) delivers
# espeak-ng 1.51 synthesises 2,000 characters in about 0.2 s; Piper (en_US-joe-medium)
# 70 to 130 characters a second on two busy cores (a piece is at most 250). A wait of
# this bound only ever ends a job that is stuck.
SYNTH_BASE_SECONDS = 10.0
SYNTH_SECONDS_PER_CHAR = 0.03
# Measured with espeak-ng 1.51 at 80 to 400 words per minute on sentences, numbers, single
# letters and long words: seconds * rate / letters-and-digits >= 9. Half of that is the
# least a complete synthesis holds.
MIN_SECONDS_X_RATE_PER_LETTER = 4.5


class SpeechError(RuntimeError):
    """Speech could not be synthesised or written; the message says what went wrong."""


class SpeechEngineStuck(SpeechError):
    """The speech engine did not answer in time (it waits on a frozen sound server)."""


def synth_timeout(text: str) -> float:
    """The longest a synthesis of ``text`` may take, in seconds."""
    return SYNTH_BASE_SECONDS + SYNTH_SECONDS_PER_CHAR * len(text)


def minimum_seconds(text: str, rate: int) -> float:
    """The least audio (seconds) a complete synthesis of ``text`` at ``rate`` wpm holds."""
    letters = len(re.findall(r"\w", text))
    return MIN_SECONDS_X_RATE_PER_LETTER * letters / max(rate, 1)


def check_length(seconds: float, text: str, rate: int) -> None:
    """Raise ``SpeechError`` when ``seconds`` of audio cannot hold all of ``text``."""
    least = minimum_seconds(text, rate)
    if seconds < least:
        raise SpeechError(
            f"Speech synthesis stopped early: {seconds:.1f} s of audio for "
            f"{len(text)} characters (at least {least:.1f} s expected)."
        )


def read_speech(path: Path, text: str, rate: int) -> np.ndarray:
    """The samples of a speech WAV (float32, mono, ``SYNTH_RATE``), checked whole.

    Raises ``SpeechError`` when the file is missing or unreadable, is not a 16-bit mono
    WAV at ``SYNTH_RATE``, or holds less than ``minimum_seconds(text, rate)`` of audio.
    """
    import numpy as np

    try:
        with wave.open(str(path), "rb") as f:
            shape = (f.getnchannels(), f.getsampwidth(), f.getframerate())
            frames = f.readframes(f.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise SpeechError(f"No readable WAV at {path}: {exc}") from exc
    if shape != (1, 2, SYNTH_RATE):
        raise SpeechError(f"{path} is not 16-bit mono at {SYNTH_RATE} Hz: {shape}.")
    samples = np.frombuffer(frames, np.int16).astype(np.float32) / 32768.0
    check_length(len(samples) / SYNTH_RATE, text, rate)
    return samples


def write_speech(path: Path, samples: np.ndarray, text: str, rate: int) -> Path:
    """Write ``samples`` (float32 at ``SYNTH_RATE``) as a 16-bit WAV at ``path``, checked.

    The file appears whole or not at all, and is read back before this returns:
    ``SpeechError`` when it does not hold all of ``samples`` or less than ``text`` needs
    (``check_length``); ``OSError`` when it cannot be written, with a message that names
    ``path`` and says why (no such folder, a folder or device in the way, no permission).
    A symbolic link is written through (the file it points to is replaced, not the link).
    """
    import numpy as np

    check_length(len(samples) / SYNTH_RATE, text, rate)
    path = writable_target(Path(path))
    pcm = np.clip(np.round(samples * 32768.0), -32768, 32767).astype("<i2")
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        # Opened here, not by ``wave``: a Wave_write whose file never opened complains
        # from its destructor on stderr.
        with open(partial, "wb") as out, wave.open(out, "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(2)
            f.setframerate(SYNTH_RATE)
            f.writeframes(pcm.tobytes())
            out.flush()
            os.fsync(out.fileno())
        if path.is_file():  # the new file keeps the mode the old one had (0600 stays 0600)
            os.chmod(partial, stat.S_IMODE(path.stat().st_mode))
        os.replace(partial, path)
    except OSError as exc:
        raise OSError(f"Cannot write {shown(path)}: {exc.strerror or exc}") from exc
    finally:
        partial.unlink(missing_ok=True)
    held = read_speech(path, text, rate)
    if len(held) != len(pcm):
        raise SpeechError(f"{path} holds {len(held)} of the {len(pcm)} samples written.")
    return path


def shown(path: Path | str) -> str:
    """``path`` as it can be printed: a name that is not UTF-8 ("b\\udce9.wav") with the
    replacement character where its bad bytes are ("b\ufffd.wav")."""
    return os.fsencode(path).decode("utf-8", "replace")


def writable_target(path: Path) -> Path:
    """Where a speech file for ``path`` goes: a link followed to its file; ``OSError`` at
    once (before any synthesis) when the folder is missing or something other than a
    regular file is in the way. Renaming the new file into place would replace a folder's
    entry for a device ("/dev/null"), a pipe or the link itself, not write into it."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise IsADirectoryError(
            f"Cannot write {shown(path)}: it is a folder; give a file name in it"
        )
    if path.is_file() and (not os.access(path, os.W_OK) or not path.stat().st_mode & 0o222):
        # Renaming the new file into place would replace a file its owner made read-only
        # (and root may write anything: the mode is what says "keep").
        raise PermissionError(f"Cannot write {shown(path)}: it is read-only")
    if path.exists() and not path.is_file():
        raise OSError(
            f"Cannot write {shown(path)}: it is not a regular file (a device or a pipe); "
            "give the name of a file"
        )
    parent = path.parent
    if not parent.is_dir():
        raise FileNotFoundError(
            f"Cannot write {shown(path)}: the folder {shown(parent)} does not exist"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(
            f"Cannot write {shown(path)}: no permission to write in {shown(parent)}"
        )
    return path

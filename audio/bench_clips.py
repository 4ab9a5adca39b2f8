"""``harken bench voice``, the clips: the spoken commands, made with espeak-ng and measured.

``make_clips(folder, count)`` speaks ``COMMANDS`` in turn with several voices
(``VOICES``) and speeds (``SPEEDS``) into WAV files; each ``Clip`` knows its length, how
long its speech lasts from the first audible sample (``AUDIBLE``) to the end, and how long
its last word lasts when said alone (the benchmark releases the key in the middle of it).
"""

from __future__ import annotations

import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
AUDIBLE = 0.003  # about -50 dBFS: where a clip's sound starts and its speech ends


@dataclass
class Clip:
    path: Path
    text: str
    voice: str
    speed: int
    seconds: float
    speech: float  # seconds from the first audible sample to the end of the speech
    last_word: float  # seconds the last word lasts when said alone (same voice, speed)


def make_clips(folder: Path, count: int) -> list[Clip]:
    """Speak the commands with espeak-ng into WAV files (mono 22.05 kHz)."""
    clips = []
    for i in range(count):
        text = COMMANDS[i % len(COMMANDS)]
        voice, speed = VOICES[i % len(VOICES)], SPEEDS[i % len(SPEEDS)]
        path, alone = folder / f"clip{i:02d}.wav", folder / f"last{i:02d}.wav"
        for wav, said in ((path, text), (alone, text.split()[-1])):
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), said], check=True
            )
        clips.append(
            Clip(path, text, voice, speed, _wav_seconds(path), _audible(path), _audible(alone))
        )
    return clips


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as f:
        return f.getnframes() / f.getframerate()


def _samples(path: Path) -> Any:
    import numpy as np

    with wave.open(str(path)) as f:
        data = np.frombuffer(f.readframes(f.getnframes()), np.int16)
        return data.astype(np.float32) / 32768, f.getframerate()


def _audible(path: Path) -> float:
    """Seconds from the first audible sample of a WAV to its last."""
    import numpy as np

    audio, rate = _samples(path)
    loud = np.flatnonzero(np.abs(audio) > AUDIBLE)
    return (loud[-1] - loud[0] + 1) / rate if len(loud) else 0.0

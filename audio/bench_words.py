"""``harken bench voice``, workspace words: the same clips decoded without and with them.

A small made-up project (``WORKSPACE``: a folder with an ordinary name, files with
extensions, a ``src/app`` folder, an identifier) gives the words, as ``workspace_words``
gives them from a real one. Each clip (espeak-ng, two voices) is decoded from its file
twice by the same model: without words, then with them. Printed: word error rate (WER)
over the sentences that name no workspace file and over the spoken file names, without
and with; how many of the first came out different in any way (case included); and how
many names came out exactly as spelled on disk. "With" must be no worse on the first.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audio.wer import errors

WORKSPACE = "orchard"  # the folder's own name: an ordinary word, as project names often are
FILES = {
    "notes.txt": "",
    "app.py": "def load_config():\n    pass\n",
    "README.md": "# orchard\n",
    "src/app/main.py": "",
    "deploy_staging.sh": "",
}
# (what is said, what should be written)
NAMES = (
    ("create a file called notes dot t x t", "create a file called notes.txt"),
    ("open app dot py", "open app.py"),
    ("rename load underscore config", "rename load_config"),
    ("look in source slash app", "look in src/app"),
    ("run deploy underscore staging dot s h", "run deploy_staging.sh"),
    ("show me the readme dot m d", "show me the README.md"),
)
VOICES = (("en-us", 160), ("en-gb", 150))


@dataclass
class Heard:
    reference: str
    without: str
    with_words: str
    names_file: bool


def make_workspace(root: Path) -> Path:
    """The made-up project under ``root``."""
    folder = root / WORKSPACE
    for name, text in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def compare(
    transcriber: Any, sentences: Sequence[str], folder: Path, read: Callable[[Path], Any]
) -> list[Heard]:
    """Decode every clip without and with the workspace's words (same model, same audio)."""
    from audio.hotwords import workspace_words

    words = workspace_words(make_workspace(folder))
    clips: list[tuple[str, bool, Any]] = []
    said = [(s, s, False) for s in sentences] + [(s, w, True) for s, w in NAMES]
    for i, (text, written, names_file) in enumerate(said):
        voice, speed = VOICES[i % len(VOICES)]
        wav = folder / f"words{i:02d}.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(wav), text], check=True
        )
        clips.append((written, names_file, read(wav)))
    before = transcriber.words
    try:
        transcriber.set_words([])
        without = [transcriber.transcribe(audio).text for _, _, audio in clips]
        transcriber.set_words(words)
        with_words = [transcriber.transcribe(audio).text for _, _, audio in clips]
    finally:
        transcriber.set_words(before)
    return [
        Heard(ref, a, b, names)
        for (ref, names, _), a, b in zip(clips, without, with_words, strict=True)
    ]


def report(heard: list[Heard], out: Callable[[str], Any]) -> None:
    """Print WER without and with workspace words, for plain sentences and for names."""
    plain = [h for h in heard if not h.names_file]
    names = [h for h in heard if h.names_file]
    changed = sum(h.without != h.with_words for h in plain)
    out(f"workspace words (folder {WORKSPACE!r}, {len(FILES)} files), same clips without -> with:")
    out(
        f"  {len(plain)} sentences naming no file: WER {wer(plain, False):.1%} -> "
        f"{wer(plain, True):.1%}; {changed} came out different (case included)"
    )
    right = [
        sum(_exact(h.reference, h.with_words if t else h.without) for h in names)
        for t in (False, True)
    ]
    out(
        f"  {len(names)} spoken file names: WER {wer(names, False):.1%} -> {wer(names, True):.1%}; "
        f"spelled as on disk {right[0]} -> {right[1]}"
    )
    for h in names:
        out(f"    {h.reference!r}: {h.without!r} -> {h.with_words!r}")


def wer(heard: list[Heard], with_words: bool) -> float:
    """Corpus word error rate of one side."""
    edits = total = 0
    for h in heard:
        e, n = errors(h.reference, h.with_words if with_words else h.without)
        edits, total = edits + e, total + n
    return edits / max(1, total)


def _exact(reference: str, text: str) -> bool:
    """Whether the name ending ``reference`` is in ``text`` exactly as spelled."""
    name = reference.split()[-1]
    return name in (word.strip(".,;:!?") for word in text.split())

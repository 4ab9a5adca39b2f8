"""Steps as people name them, and telling the conversation that files were restored.

turn_prompts(transcript)        turn number -> what the user asked in it
describe_steps(steps, prompts)  one line per step: its turn, prompt and files
restored_note(result, steps)    the note the model reads in its next request
note_in_transcript(path, text)  add that note to a saved session (``harken rewind``)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from agent.checkpoints.restore import Result
from agent.checkpoints.store import ABSENT, Change, Step

PROMPT_CHARS = 80


def turn_prompts(transcript: Path | None) -> dict[int, str]:
    """What the user asked in each turn, numbered as the transcript counts turns (its
    ``turn_end`` records): turn N is the one that ``prompt`` began before the N-th end."""
    prompts: dict[int, str] = {}
    if transcript is None:
        return prompts
    try:
        raw = transcript.read_bytes()
    except OSError:
        return prompts
    turn = 1
    for line in raw.split(b"\n"):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        if record.get("type") == "prompt":
            prompts[turn] = str(record.get("text", ""))
        elif record.get("type") == "turn_end":
            turn += 1
    return prompts


def step_label(step: Step, prompts: dict[int, str]) -> str:
    """``turn 3 ("fix the tests")`` or ``restore during turn 3``."""
    if step.kind == "restore":
        return f"restore after turn {step.turn}" if step.turn else "restore"
    asked = prompts.get(step.turn, "")
    if len(asked) > PROMPT_CHARS:
        asked = asked[: PROMPT_CHARS - 3] + "..."
    return f'turn {step.turn} ("{asked}")' if asked else f"turn {step.turn}"


def step_files(step: Step, shown: Callable[[str], str] = str) -> list[str]:
    """Each file of ``step`` with what happened to it: created, changed, removed."""
    first: dict[str, Change] = {}
    last: dict[str, Change] = {}
    for change in step.changes:
        first.setdefault(change.path, change)
        last[change.path] = change
    out = []
    for path, change in first.items():
        if change.before == ABSENT:
            what = "created"
        elif last[path].after == ABSENT:
            what = "removed"
        else:
            what = "changed"
        out.append(f"{shown(path)} ({what})")
    return out


def describe_steps(
    steps: list[Step], prompts: dict[int, str], shown: Callable[[str], str] = str
) -> str:
    """One line per step, newest last, numbered by how many steps back it is."""
    lines = []
    for back, step in zip(range(len(steps), 0, -1), steps, strict=True):
        files = ", ".join(step_files(step, shown))
        lines.append(f"{back} back: {step_label(step, prompts)}: {files}")
    return "\n".join(lines)


def restored_note(
    result: Result,
    steps: list[Step],
    prompts: dict[int, str],
    who: str,
    shown: Callable[[str], str] = str,
) -> str:
    """What the model must know after a restore: which files are back as they were, so
    it does not believe its edits are still there. ``shown`` shortens paths."""
    taken = "; ".join(step_label(s, prompts) for s in steps)
    done = ", ".join(f"{shown(p)} ({what})" for p, what in result.done) or "none"
    note = (
        f"[Harken] {who} restored files from checkpoints, taking back {taken}. Files "
        f"restored: {done}. The changes made to them in those turns are no longer there."
    )
    if result.kept:
        note += " Kept as the user has them: " + ", ".join(shown(p) for p, _ in result.kept) + "."
    if result.skipped:
        skipped = "; ".join(f"{shown(p)} ({why})" for p, why in result.skipped)
        note += f" Not restored: {skipped}."
    return note


def note_in_transcript(transcript: Path, text: str) -> None:
    """Add ``text`` as user content to the saved session, where a resumed session reads
    it: merged into a trailing user message as the session itself would do."""
    from agent import conversation
    from agent.transcript import load

    loaded = load(transcript)
    message = conversation.add_user_content(loaded.messages, [{"type": "text", "text": text}])
    line = json.dumps({"type": "message", "message": message}, ensure_ascii=False) + "\n"
    data = line.encode("utf-8")
    fd = os.open(transcript, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)

"""Steps as people name them, and telling the conversation that files were restored.

turn_prompts(transcript)        turn number -> what the user asked in it
read_turns(transcript)          the same, with the turns that ran commands and the files
                                Write/Edit changed (to tell an unrecorded agent change
                                from the user's)
describe_steps(steps, prompts)  one line per step: its turn, prompt and files
step_dict(step, ...)            one step as JSON (the same shape in every ``--json``)
restored_note(result, steps)    the note the model reads in its next request: what each
                                file now holds
note_in_transcript(path, text)  add that note to a saved session (``harken rewind``)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from agent.checkpoints.restore import Result
from agent.checkpoints.store import ABSENT, Change, Step

PROMPT_CHARS = 80
WRITERS = ("Write", "Edit")  # the tools whose changes are kept
COMMANDS = ("Bash",)  # tools whose file changes are not tracked


@dataclass
class Turns:
    """What a transcript says about its turns."""

    prompts: dict[int, str] = field(default_factory=dict)
    commands: set[int] = field(default_factory=set)  # turns that ran a Bash command
    written: dict[str, set[int]] = field(default_factory=dict)  # real path -> turns
    cwd: Path | None = None


def read_turns(transcript: Path | None) -> Turns:
    """Each turn's prompt, the turns that ran commands, and the files Write and Edit were
    asked to change in each (numbered as the transcript counts turns: turn N is the one
    that ``prompt`` began before the N-th ``turn_end``)."""
    turns = Turns()
    if transcript is None:
        return turns
    try:
        raw = transcript.read_bytes()
    except OSError:
        return turns
    turn = 1
    for line in raw.split(b"\n"):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        kind = record.get("type")
        if kind == "session" and isinstance(record.get("cwd"), str):
            turns.cwd = Path(os.path.realpath(record["cwd"]))
        elif kind == "prompt":
            turns.prompts[turn] = str(record.get("text", ""))
        elif kind == "turn_end":
            turn += 1
        elif kind == "message" and isinstance(record.get("message"), dict):
            _tool_uses(record["message"], turn, turns)
    return turns


def _tool_uses(message: dict[str, object], turn: int, turns: Turns) -> None:
    content = message.get("content")
    if message.get("role") != "assistant" or not isinstance(content, list):
        return
    for block in content:
        if not isinstance(block, dict) or block.get("type") != "tool_use":
            continue
        if block.get("name") in COMMANDS:
            turns.commands.add(turn)
        given = (block.get("input") or {}).get("file_path")
        if block.get("name") in WRITERS and isinstance(given, str):
            path = Path(given).expanduser()
            if not path.is_absolute() and turns.cwd is not None:
                path = turns.cwd / path
            turns.written.setdefault(os.path.realpath(path), set()).add(turn)


def turn_prompts(transcript: Path | None) -> dict[int, str]:
    """What the user asked in each turn (see ``read_turns``)."""
    return read_turns(transcript).prompts


def unrecorded_agent_change(turns: Turns, path: str, after_turn: int) -> str:
    """``the agent changed it in turn 4 without a checkpoint`` when the transcript shows
    Write or Edit on ``path`` in a later turn than ``after_turn`` (none was recorded, so
    that change is not the user's); empty otherwise."""
    later = sorted(t for t in turns.written.get(path, ()) if t > after_turn)
    if not later:
        return ""
    return f"the agent changed it in turn {later[-1]} without a checkpoint"


def step_label(step: Step, prompts: dict[int, str]) -> str:
    """``turn 3 ("fix the tests")``, or for a restore what it undid: ``undo of turn 3``."""
    if step.kind == "restore":
        undid = step.changes[0].undid
        if undid:
            return f"undo of {undid}"
        return f"an undo during turn {step.turn}" if step.turn else "an undo"
    asked = prompts.get(step.turn, "")
    if len(asked) > PROMPT_CHARS:
        asked = asked[: PROMPT_CHARS - 3] + "..."
    return f'turn {step.turn} ("{asked}")' if asked else f"turn {step.turn}"


def steps_named(steps: list[Step]) -> str:
    """What a restore of ``steps`` undid, for its record: ``turn 3``, ``turns 2-4``,
    ``undo of turn 3``; several kinds are joined with ``and``."""
    names = []
    turns = sorted({s.turn for s in steps if s.kind != "restore"})
    if turns:
        first, last = turns[0], turns[-1]
        names.append(f"turn {first}" if first == last else f"turns {first}-{last}")
    for step in steps:
        if step.kind == "restore":
            names.append(step_label(step, {}))
    return " and ".join(names)


def file_actions(step: Step) -> dict[str, str]:
    """Each file of ``step`` (first-change order) and what the step did to it: created,
    changed or deleted."""
    first: dict[str, Change] = {}
    last: dict[str, Change] = {}
    for change in step.changes:
        first.setdefault(change.path, change)
        last[change.path] = change
    out = {}
    for path, change in first.items():
        if change.before == ABSENT:
            out[path] = "created"
        elif last[path].after == ABSENT:
            out[path] = "deleted"
        else:
            out[path] = "changed"
    return out


def step_files(step: Step, shown: Callable[[str], str] = str) -> list[str]:
    """Each file of ``step`` with what happened to it: created, changed, deleted."""
    return [f"{shown(p)} ({what})" for p, what in file_actions(step).items()]


def step_dict(
    step: Step, back: int, prompts: dict[int, str], commands: set[int] | None = None
) -> dict[str, object]:
    """One step for ``--json``: every command prints steps in this shape. ``commands``:
    the turns that ran commands (``ran_commands``: their changes are not tracked)."""
    actions = file_actions(step)
    first: dict[str, Change] = {}
    for change in step.changes:
        first.setdefault(change.path, change)
    return {
        "back": back,
        "step": step.id,
        "turn": step.turn,
        "kind": step.kind,
        "label": step_label(step, prompts),
        "at": step.changes[0].at,
        "ran_commands": step.kind == "change" and step.turn in (commands or set()),
        "files": [
            {
                "path": path,
                "action": actions[path],
                "tool": change.tool,
                "kept": change.before != "not-kept",
                "at": change.at,
            }
            for path, change in first.items()
        ],
    }


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
    """What the model must know after a restore: for each file, what is on disk now, so it
    believes neither that undone edits are still there nor that kept ones are gone."""
    taken = "; ".join(step_label(s, prompts) for s in steps)
    undoing_undo = all(s.kind == "restore" for s in steps)
    if result.done:
        lines = [f"[Harken] {who} took back {taken} from checkpoints. Each file now:"]
    else:
        lines = [f"[Harken] {who} asked to take back {taken}; no file was restored. Each file:"]
    for path, what in result.done:
        if what == "removed":
            lines.append(f"- {shown(path)}: removed (it did not exist before)")
        elif undoing_undo:
            lines.append(f"- {shown(path)}: as it was before that undo (those changes are back)")
        else:
            lines.append(f"- {shown(path)}: back to its content from before those changes")
    for path, why in result.kept:
        lines.append(
            f"- {shown(path)}: NOT restored, still as the user has it ({why}); the changes "
            "taken back may still be in it"
        )
    for path, why in result.skipped:
        lines.append(f"- {shown(path)}: not restored ({why}); unchanged by this undo")
    for path in result.interrupted:
        lines.append(f"- {shown(path)}: not restored (the undo was stopped); unchanged")
    if result.done:
        lines.append("Read a file again before changing it.")
    return "\n".join(lines)


def note_in_transcript(transcript: Path, text: str) -> None:
    """Add ``text`` as user content to the saved session, where a resumed session reads
    it: merged into a trailing user message as the session itself would do."""
    from agent import conversation
    from agent.transcript import load

    loaded = load(transcript)
    message = conversation.add_user_content(loaded.messages, [{"type": "text", "text": text}])
    # ASCII escapes: a file name that is not valid UTF-8 still makes a valid line.
    line = json.dumps({"type": "message", "message": message}) + "\n"
    data = line.encode("utf-8")
    fd = os.open(transcript, os.O_WRONLY | os.O_APPEND)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)

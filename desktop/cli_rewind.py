"""``harken rewind``: take back files the agent changed, from its checkpoints.

    harken rewind [--session ID|latest] [--turns N] [--list] [--json] [--dry-run]

``--session`` (default ``latest``) picks the session: an id or a unique id prefix, or
``latest``, which here means the newest session that changed files (a newer session that
changed none, say a question, is passed over and the choice is said on stderr).
``--list`` shows each step (a turn's changes, or an undo) with the files it changed, and
says which files could not be kept (over the size budget) and which turns ran commands
(whose changes are not tracked). Otherwise the last ``--turns`` steps (default 1) are
taken back: each file restored or removed is printed; ``--dry-run`` prints what would
happen and changes nothing; ``--json`` prints one JSON object instead of lines, always
with ``steps`` as objects (``back``, ``step``, ``turn``, ``kind``, ``label``, ``at``, and
``files`` with each file's ``action``: created, changed or deleted).

A file the user edited (or made read-only) after the agent's change is never overwritten
silently. On a terminal Harken shows its diff and asks, every question before anything is
written; Ctrl-D or Ctrl-C at a question changes nothing. Without a terminal (or with
``--json``), the whole restore is refused before anything changes: exit 1 and a message
naming the files. A file deleted after the agent's change (by a command, say) is brought
back without a question: nothing is lost by restoring it. A restore is itself a
checkpoint, so ``harken rewind`` right after a rewind undoes it. The session's transcript
records what the files now hold, so the model knows when the session is resumed; a restore
stopped partway (Ctrl-C while writing) prints and records what it did restore.

Exit status: 0 done (or nothing to take back), 1 refused, some file not restored, or some
checkpoint records damaged or unreadable (what is readable is still listed), 2 a usage
error.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
GONE = " (it no longer existed: deleted after the agent's change, e.g. by a command)"


def add_commands(commands: Any) -> None:
    """Add ``rewind`` to the ``harken`` subparsers ``commands``."""
    parser = commands.add_parser("rewind", help="take back files the agent changed")
    parser.add_argument(
        "--session",
        default="latest",
        metavar="ID",
        help="a session id, or 'latest' (default: the newest session that changed files)",
    )
    parser.add_argument(
        "--turns", type=int, default=1, metavar="N", help="take back the last N steps (default 1)"
    )
    parser.add_argument("--list", action="store_true", help="list the steps and their files")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--dry-run", action="store_true", help="show what would change, change nothing"
    )
    parser.set_defaults(handler=run_rewind)


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"harken: {message}", file=sys.stderr)
    return code


def _say(message: str) -> None:
    print(f"harken: {message}", file=sys.stderr)


def run_rewind(args: argparse.Namespace) -> int:
    """The ``rewind`` handler."""
    from agent import paths
    from agent.checkpoints.history import read_turns
    from agent.checkpoints.sessions import pick_session
    from agent.errors import HarkenError

    if args.turns < 1:
        return _fail("--turns must be 1 or more", EXIT_USAGE)
    if not args.session.strip():
        return _fail("--session needs a session id (or 'latest')", EXIT_USAGE)
    try:
        picked = pick_session(paths.sessions_dir(), args.session)
    except HarkenError as exc:
        return _fail(str(exc))
    if picked.path is None:  # no session at all: nothing to take back, and that is fine
        message = "No sessions yet: nothing to take back."
        if args.json:
            print(json.dumps({"session": None, "steps": [], "files": [], "message": message}))
        else:
            print(message)
        return EXIT_OK
    if picked.said:
        _say(picked.said)
    path, store, manifest = picked.path, picked.store, picked.manifest
    for line in manifest.problems + manifest.warnings:
        _say(line)
    turns = read_turns(path)
    if args.list:
        code = _list(path.stem, manifest.steps(), turns, args.json)
    else:
        code = _rewind(args, path, store, manifest.steps(), turns)
    return EXIT_FAILED if manifest.problems else code


def _list(session: str, steps: list[Any], turns: Any, as_json: bool) -> int:
    from agent.checkpoints.history import file_actions, step_dict, step_label
    from agent.checkpoints.store import NOT_KEPT

    if as_json:
        listed = [
            step_dict(s, len(steps) - i, turns.prompts, turns.commands) for i, s in enumerate(steps)
        ]
        print(json.dumps({"session": session, "steps": listed}, ensure_ascii=False))
        return EXIT_OK
    if not steps:
        print(f"No file changes to take back in session {session}.")
        return EXIT_OK
    for i, step in enumerate(steps):
        print(f"{len(steps) - i:>3}  {step_label(step, turns.prompts)}")
        not_kept = {c.path: c.why for c in step.changes if c.before == NOT_KEPT}
        for file, action in file_actions(step).items():
            line = f"{_shown(file, turns.cwd)} ({action})"
            if file in not_kept:
                why = f" ({not_kept[file]})" if not_kept[file] else ""
                line += f": not restorable, its earlier content was not kept{why}"
            print(f"       {line}")
        if step.kind == "change" and step.turn in turns.commands:
            print("       (this turn also ran commands: what they changed is not tracked)")
    return EXIT_OK


def _rewind(args: argparse.Namespace, path: Path, store: Any, steps: list[Any], turns: Any) -> int:
    from agent.checkpoints.history import steps_named, unrecorded_agent_change
    from agent.checkpoints.restore import plan, select

    chosen = select(steps, args.turns)
    todo = plan(store, chosen)
    for item in todo.files:
        newest = max((s.turn for s in chosen if item.path in s.paths), default=0)
        item.since = unrecorded_agent_change(turns, item.path, newest)
    report = _report(path.stem, steps, chosen, turns, args.dry_run)
    if not chosen:
        report["files"] = []
        none = f"No file changes to take back in session {path.stem}."
        print(json.dumps(report) if args.json else none)
        return EXIT_OK
    if args.turns > len(steps):
        many = "1 step" if len(steps) == 1 else f"{len(steps)} steps"
        _say(f"only {many} to take back; taking back all")
    shown = lambda p: _shown(p, turns.cwd)  # noqa: E731
    if args.dry_run:
        report["files"] = [f.to_dict() for f in todo.files]
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
            return EXIT_OK
        print(f"Would take back {', '.join(s['label'] for s in report['steps'])}:")
        for item in todo.files:
            print(f"  {_would(item)} {shown(item.path)}")
        return EXIT_OK
    edited = [f for f in todo.files if f.edited]
    interactive = not args.json and sys.stdin.isatty() and sys.stdout.isatty()
    if edited and not interactive:
        names = ", ".join(shown(f.path) for f in edited)
        report["files"] = [f.to_dict() for f in todo.files]
        report["refused"] = f"changed after the agent's change: {names}"
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
        whys = "; ".join(f.why for f in edited)
        return _fail(
            f"not restored: {whys}, and there is no terminal to ask whether to discard "
            "that. Nothing was changed; run harken rewind on a terminal to decide file by "
            "file."
        )
    answers = _ask_all(edited, shown)
    if answers is None:
        print("Stopped at a question: nothing was changed.")
        return EXIT_FAILED
    result = _write(store, todo, answers, path, steps_named(chosen))
    _tell_session(path, result, chosen, turns.prompts, shown)
    return _print_result(args, report, todo, result, shown)


def _new_then(chosen: list[Any]) -> str:
    """Why a removed file goes: it was new, or (undoing an undo) it was absent then."""
    if all(s.kind == "restore" for s in chosen):
        return " (it did not exist before that undo)"
    return " (it was new)"


def _report(
    session: str, steps: list[Any], chosen: list[Any], turns: Any, dry: bool
) -> dict[str, Any]:
    from agent.checkpoints.history import step_dict

    first = len(steps) - len(chosen)
    listed = [
        step_dict(s, len(steps) - first - i, turns.prompts, turns.commands)
        for i, s in enumerate(chosen)
    ]
    return {"session": session, "steps": listed, "dry_run": dry}


def _ask_all(edited: list[Any], shown: Any) -> dict[str, bool | str] | None:
    """Every question before anything is written; None when the person stopped (Ctrl-D,
    Ctrl-C): then nothing is changed."""
    from agent.checkpoints.restore import diff

    answers: dict[str, bool | str] = {}
    for item in edited:
        print(f"{item.why}. Restoring {shown(item.path)} discards:")
        text = diff(item)
        print(text, end="" if text.endswith("\n") else "\n")
        try:
            answer = input(f"Restore {shown(item.path)} anyway? [y/N] ")
        except (EOFError, KeyboardInterrupt):
            print()
            return None
        answers[item.path] = answer.strip().lower() in ("y", "yes")
    return answers


def _write(store: Any, todo: Any, answers: dict[str, bool | str], path: Path, undid: str) -> Any:
    """The restore; a Ctrl-C while it writes stops it between files (never inside one)."""
    from agent.checkpoints.restore import write

    stopped: list[bool] = []
    previous = signal.signal(signal.SIGINT, lambda *_: stopped.append(True))
    try:
        return write(store, todo, _turns_done(path), answers, undid, stop=lambda: bool(stopped))
    finally:
        signal.signal(signal.SIGINT, previous)


def _tell_session(path: Path, result: Any, chosen: list[Any], prompts: Any, shown: Any) -> None:
    from agent.checkpoints.history import note_in_transcript, restored_note
    from agent.errors import HarkenError

    if not result.done:
        return
    try:  # so a resumed session's model knows what the files hold now
        note_in_transcript(path, restored_note(result, chosen, prompts, "The user", shown))
    except (OSError, HarkenError) as exc:
        _say(f"the session could not be told of the restore: {exc}")


def _print_result(
    args: argparse.Namespace, report: dict[str, Any], todo: Any, result: Any, shown: Any
) -> int:
    gone = {f.path for f in todo.files if f.gone}
    outcome = {p: what for p, what in result.done}
    outcome |= {p: f"kept: {why}" for p, why in result.kept}
    outcome |= {p: f"skipped: {why}" for p, why in result.skipped}
    outcome |= {p: "interrupted" for p in result.interrupted}
    if args.json:
        files = [f.to_dict() | {"outcome": outcome.get(f.path, "unchanged")} for f in todo.files]
        print(json.dumps(report | {"files": files}, ensure_ascii=False))
    else:
        for p, what in result.done:
            verb = "Removed" if what == "removed" else "Restored"
            extra = _new_then(todo.steps) if what == "removed" else ""
            if p in gone:
                extra = GONE
            print(f"{verb} {shown(p)}{extra}")
        for p, why in result.kept:
            print(f"Kept {shown(p)} ({why})")
        if not (result.done or result.kept or result.skipped or result.interrupted):
            print("The files are already as they were; nothing to restore.")
    for p, why in result.skipped:
        _say(f"{shown(p)}: {why}; skipped")
    if result.interrupted:
        names = ", ".join(shown(p) for p in result.interrupted)
        _say(f"interrupted: {names} not restored (unchanged); the files listed above were.")
    return EXIT_FAILED if result.skipped or result.interrupted else EXIT_OK


def _would(item: Any) -> str:
    if item.action == "skip":
        return f"cannot restore ({item.problem}):"
    if item.action == "same":
        return "already as it was:"
    if item.gone:
        return "would restore (it no longer exists: deleted after the agent's change):"
    verb = "would remove" if item.action == "remove" else "would restore"
    return f"{verb} ({item.why}; asks first):" if item.edited else verb


def _turns_done(path: Path) -> int:
    """How many turns the session has finished (a restore now comes after them)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return 0
    return raw.count(b'{"type":"turn_end"')


def _shown(path: str, cwd: Path | None) -> str:
    if cwd is not None:
        try:
            return str(Path(path).relative_to(cwd))
        except ValueError:
            pass
    return path

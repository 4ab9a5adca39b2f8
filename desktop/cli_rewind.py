"""``harken rewind``: take back files the agent changed, from its checkpoints.

    harken rewind [--session ID|latest] [--turns N] [--list] [--json] [--dry-run]

``--session`` (default ``latest``) picks the session as ``harken ask --resume`` does.
``--list`` shows each step (a turn's changes, or a restore) with the files it changed.
Otherwise the last ``--turns`` steps (default 1) are taken back, newest first included:
each file restored or removed is printed; ``--dry-run`` prints what would happen and
changes nothing; ``--json`` prints one JSON object instead of lines.

A file the user edited after the agent's change is never overwritten silently. On a
terminal Harken shows its diff and asks. Without a terminal (or with ``--json``), the
whole restore is refused before anything changes: exit 1 and a message naming the files
(run it again on a terminal to decide file by file). A restore is itself a checkpoint, so
``harken rewind`` right after a rewind undoes it. The session's transcript records that
the files were restored, so the model knows when the session is resumed.

Exit status: 0 done (or nothing to take back), 1 refused or some file not restored (a
damaged checkpoint, a content that was not kept), 2 a usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def add_commands(commands: Any) -> None:
    """Add ``rewind`` to the ``harken`` subparsers ``commands``."""
    parser = commands.add_parser("rewind", help="take back files the agent changed")
    parser.add_argument(
        "--session", default="latest", metavar="ID", help="a session id or 'latest' (default)"
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


def run_rewind(args: argparse.Namespace) -> int:
    """The ``rewind`` handler."""
    from agent import paths, transcript
    from agent.checkpoints import CheckpointStore, checkpoints_root
    from agent.checkpoints.history import turn_prompts
    from agent.errors import HarkenError

    if args.turns < 1:
        return _fail("--turns must be 1 or more", EXIT_USAGE)
    try:
        path = transcript.find_session(paths.sessions_dir(), args.session)
    except HarkenError as exc:
        return _fail(str(exc))
    store = CheckpointStore(checkpoints_root(paths.sessions_dir()), path.stem)
    manifest = store.load()
    for problem in manifest.problems:
        print(f"harken: {problem}", file=sys.stderr)
    prompts = turn_prompts(path)
    cwd = _session_cwd(path)
    if args.list:
        return _list(path.stem, manifest.steps(), prompts, cwd, args.json)
    return asyncio.run(_rewind(args, path, store, manifest.steps(), prompts, cwd))


def _list(
    session: str, steps: list[Any], prompts: dict[int, str], cwd: Path | None, as_json: bool
) -> int:
    from agent.checkpoints.history import step_files, step_label

    if as_json:
        listed = [
            {
                "back": len(steps) - i,
                "step": s.id,
                "turn": s.turn,
                "kind": s.kind,
                "label": step_label(s, prompts),
                "files": [
                    {"path": c.path, "before": c.before, "after": c.after, "tool": c.tool}
                    for c in s.changes
                ],
            }
            for i, s in enumerate(steps)
        ]
        print(json.dumps({"session": session, "steps": listed}, ensure_ascii=False))
        return EXIT_OK
    if not steps:
        print(f"No file changes to take back in session {session}.")
        return EXIT_OK
    for i, step in enumerate(steps):
        back = len(steps) - i
        print(f"{back:>3}  {step_label(step, prompts)}")
        for line in step_files(step, lambda p: _shown(p, cwd)):
            print(f"       {line}")
    return EXIT_OK


async def _rewind(
    args: argparse.Namespace,
    path: Path,
    store: Any,
    steps: list[Any],
    prompts: dict[int, str],
    cwd: Path | None,
) -> int:
    from agent.checkpoints.history import note_in_transcript, restored_note, step_label
    from agent.checkpoints.restore import apply, plan, select
    from agent.errors import HarkenError

    chosen = select(steps, args.turns)
    todo = plan(store, chosen)
    labels = [step_label(s, prompts) for s in chosen]
    interactive = not args.json and sys.stdin.isatty() and sys.stdout.isatty()
    edited = [f for f in todo.files if f.edited]
    report: dict[str, Any] = {"session": path.stem, "steps": labels, "dry_run": args.dry_run}
    if not chosen:
        return _done(
            args, report | {"files": []}, f"No file changes to take back in session {path.stem}."
        )
    if args.dry_run:
        report["files"] = [f.to_dict() for f in todo.files]
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
            return EXIT_OK
        print(f"Would take back {', '.join(labels)}:")
        for item in todo.files:
            print(f"  {_would(item)} {_shown(item.path, cwd)}")
        return EXIT_OK
    if edited and not interactive:
        names = ", ".join(_shown(f.path, cwd) for f in edited)
        report["files"] = [f.to_dict() for f in todo.files]
        report["refused"] = f"changed after the agent's change: {names}"
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
        return _fail(
            f"not restored: {names} changed after the agent changed it, and there is no "
            "terminal to ask whether to discard those changes. Nothing was changed; run "
            "harken rewind on a terminal to decide file by file."
        )

    async def confirm(item: Any, shown_diff: str) -> bool:
        print(f"{_shown(item.path, cwd)} changed after the agent's change. Restoring it discards:")
        print(shown_diff, end="" if shown_diff.endswith("\n") else "\n")
        question = f"Restore {_shown(item.path, cwd)} anyway? [y/N] "
        answer = await asyncio.to_thread(input, question)
        return answer.strip().lower() in ("y", "yes")

    result = await apply(store, todo, _turns_done(path), confirm)
    if result.done:
        try:  # so a resumed session's model knows its edits are gone
            note = restored_note(result, chosen, prompts, "The user", lambda p: _shown(p, cwd))
            note_in_transcript(path, note)
        except (OSError, HarkenError) as exc:
            print(f"harken: the session could not be told of the restore: {exc}", file=sys.stderr)
    outcome = {p: what for p, what in result.done}
    outcome |= {p: f"kept: {why}" for p, why in result.kept}
    outcome |= {p: f"skipped: {why}" for p, why in result.skipped}
    if args.json:
        files = [f.to_dict() | {"outcome": outcome.get(f.path, "unchanged")} for f in todo.files]
        print(json.dumps(report | {"files": files}, ensure_ascii=False))
    else:
        for p, what in result.done:
            verb = "Removed" if what == "removed" else "Restored"
            print(f"{verb} {_shown(p, cwd)}{' (it was new)' if what == 'removed' else ''}")
        for p, why in result.kept:
            print(f"Kept {_shown(p, cwd)} ({why})")
        if not result.done and not result.kept and not result.skipped:
            print("The files are already as they were; nothing to restore.")
    for p, why in result.skipped:
        print(f"harken: {_shown(p, cwd)}: {why}; skipped", file=sys.stderr)
    return EXIT_FAILED if result.skipped else EXIT_OK


def _done(args: argparse.Namespace, report: dict[str, Any], line: str) -> int:
    print(json.dumps(report, ensure_ascii=False) if args.json else line)
    return EXIT_OK


def _would(item: Any) -> str:
    if item.action == "skip":
        return f"cannot restore ({item.problem}):"
    if item.action == "same":
        return "already as it was:"
    verb = "would remove" if item.action == "remove" else "would restore"
    return f"{verb} (changed since the agent's change; asks first):" if item.edited else verb


def _turns_done(path: Path) -> int:
    """How many turns the session has finished (a restore now comes after them)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return 0
    return raw.count(b'{"type":"turn_end"')


def _session_cwd(path: Path) -> Path | None:
    try:
        with open(path, encoding="utf-8") as f:
            meta = json.loads(f.readline())
        return Path(meta["cwd"]) if meta.get("cwd") else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _shown(path: str, cwd: Path | None) -> str:
    if cwd is not None:
        try:
            return str(Path(path).relative_to(cwd))
        except ValueError:
            pass
    return path

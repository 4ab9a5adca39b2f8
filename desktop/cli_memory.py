"""``harken memory path|list|dream`` and ``harken sessions search``: memory from the shell.

    harken memory path [--cwd DIR] [--scope user|workspace]   the folder (made if needed)
    harken memory list [--json] [--cwd DIR]                   scope, file, name, type, updated
                                                              (a skipped file: type "-")
    harken memory dream [--cwd DIR]                           consolidate now (the model)
    harken sessions search QUERY [--json] [--limit N]         search past sessions

``add_commands`` adds ``memory``; ``add_sessions_search(sessions_parser)`` adds ``search``
under the existing ``sessions`` command. ``python -m desktop.cli_memory ...`` runs both
without the rest of the ``harken`` command. Nothing heavy is imported at the top.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
SKIPPED_TYPE = "-"  # the type of a listed file that memory skips (not UTF-8, ...)


def add_commands(commands: Any) -> None:
    """Add ``memory`` and its actions to the ``harken`` subparsers ``commands``."""
    parser = commands.add_parser("memory", help="see and tidy what Harken remembers")
    actions = parser.add_subparsers(dest="memory_action", metavar="ACTION", required=True)

    path = actions.add_parser("path", help="print a memory folder (created on first use)")
    path.add_argument("--cwd", type=Path, help="the workspace (default: here)")
    path.add_argument(
        "--scope",
        choices=("user", "workspace"),
        default="workspace",
        help="user: facts about you, for every folder; workspace (default): this "
        "workspace's facts, one folder per repository",
    )
    path.set_defaults(handler=run_path)

    listing = actions.add_parser("list", help="list memory files and notes")
    listing.add_argument("--cwd", type=Path, help="the workspace (default: here)")
    listing.add_argument("--json", action="store_true", help="a JSON list")
    listing.set_defaults(handler=run_list)

    dream = actions.add_parser("dream", help="consolidate memory now (asks the model)")
    dream.add_argument("--cwd", type=Path, help="the workspace (default: here)")
    dream.add_argument("--model", help="the model id (default from config)")
    dream.set_defaults(handler=run_dream)


def add_sessions_search(sessions: argparse.ArgumentParser) -> None:
    """Give the ``sessions`` parser a ``search`` action (``harken sessions`` alone still
    lists sessions)."""
    actions = sessions.add_subparsers(dest="sessions_action", metavar="ACTION")
    search = actions.add_parser("search", help="search past sessions' prompts and answers")
    search.add_argument("query", help="words to look for")
    search.add_argument("--json", action="store_true", help="a JSON list")
    search.add_argument("--limit", type=int, default=10, metavar="N", help="sessions at most")
    search.set_defaults(handler=search_sessions)


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"harken: {message}", file=sys.stderr)
    return code


def _workspace(args: argparse.Namespace) -> Path | None:
    workspace = (args.cwd or Path.cwd()).expanduser()
    return workspace if workspace.is_dir() else None


def run_path(args: argparse.Namespace) -> int:
    """Print the scope's folder, creating it."""
    from agent.memory.folders import ensure, scopes_for

    workspace = _workspace(args)
    if workspace is None:
        return _fail(f"{args.cwd} is not a folder", EXIT_USAGE)
    folder = scopes_for(workspace).folder(args.scope)
    ensure(folder)  # a folder that cannot be made is a warning; the path is still shown
    print(folder.resolve())
    return EXIT_OK


def memory_rows(workspace: Path) -> list[dict[str, str]]:
    """One row per memory file of ``workspace``: MEMORY.md of each scope, then notes."""
    from datetime import datetime

    from agent.memory.folders import scopes_for
    from agent.memory.notes import INDEX_NAME, Skipped, list_notes

    def updated(mtime: float) -> str:
        return datetime.fromtimestamp(mtime).astimezone().isoformat(timespec="seconds")

    scopes = scopes_for(workspace).all()
    rows = []
    for scope in scopes:
        index = scope.folder / INDEX_NAME
        if index.is_file():
            rows.append(
                {
                    "scope": scope.name,
                    "file": str(index),
                    "name": INDEX_NAME,
                    "type": "index",
                    "updated": updated(index.stat().st_mtime),
                }
            )
    skipped: list[Skipped] = []
    for note in list_notes(scopes, skipped):
        rows.append(
            {
                "scope": note.scope,
                "file": str(note.path),
                "name": note.name,
                "type": note.type,
                "updated": updated(note.mtime),
            }
        )
    for bad in skipped:
        # Listed, not hidden: the user should see that a file of theirs is not used.
        rows.append(
            {
                "scope": bad.scope,
                "file": str(bad.path),
                "name": f"({bad.why}: skipped)",
                "type": SKIPPED_TYPE,
                "updated": updated(bad.mtime) if bad.mtime else "",
            }
        )
    return rows


def run_list(args: argparse.Namespace) -> int:
    """Print the memory files, as a table or JSON."""
    workspace = _workspace(args)
    if workspace is None:
        return _fail(f"{args.cwd} is not a folder", EXIT_USAGE)
    rows = memory_rows(workspace)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print("Nothing remembered yet.", file=sys.stderr)
        return EXIT_OK
    print(f"{'SCOPE':<10} {'TYPE':<10} {'UPDATED':<20} {'NAME':<28} FILE")
    for row in rows:
        when = row["updated"].replace("T", " ")[:19]
        print(
            f"{row['scope']:<10} {row['type'] or '-':<10} {when:<20} {row['name']:<28} "
            f"{row['file']}"
        )
    return EXIT_OK


def search_sessions(args: argparse.Namespace) -> int:
    """``harken sessions search``: the best matching past sessions."""
    from agent import paths
    from agent.memory.session_index import SessionIndex

    if args.limit < 1:
        return _fail("--limit must be at least 1", EXIT_USAGE)
    if not args.query.strip():
        return _fail("sessions search needs words to look for", EXIT_USAGE)
    index = SessionIndex(paths.sessions_dir())
    try:
        hits = index.search(args.query, limit=args.limit)
    finally:
        index.close()
    if args.json:
        print(json.dumps([hit.to_json() for hit in hits], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not hits:
        print(f"No past session matches {args.query!r}.", file=sys.stderr)
        return EXIT_OK
    for hit in hits:
        when = hit.started.replace("T", " ")[:16]
        print(f"{hit.session_id}  {when}  {hit.workspace}")
        print(f"    {hit.excerpts[0] if hit.excerpts else ''}")
    return EXIT_OK


def run_dream(args: argparse.Namespace) -> int:
    """Consolidate memory with one side run of the model (see ``agent.memory.dream``)."""
    import asyncio

    from agent.config import load_config
    from agent.credentials import api_key
    from agent.errors import HarkenError
    from agent.memory.dream import DreamBusy, DreamFailed, dream
    from desktop.sessions import new_client

    workspace = _workspace(args)
    if workspace is None:
        return _fail(f"{args.cwd} is not a folder", EXIT_USAGE)
    config = load_config()
    for problem in config.problems:
        print(f"harken: warning: {problem}", file=sys.stderr)
    try:
        config = config.override(model=args.model)
    except ValueError as exc:
        return _fail(str(exc), EXIT_USAGE)

    async def go() -> Any:
        client = new_client(config, api_key())
        try:
            return await dream(client, config, workspace)
        finally:
            await client.aclose()

    try:
        report = asyncio.run(go())
    except (DreamBusy, DreamFailed) as exc:
        return _fail(str(exc))  # a DreamFailed already says that memory is as it was
    except HarkenError as exc:
        return _fail(f"the dream failed, memory is as it was: {exc}")
    except KeyboardInterrupt:
        return _fail("interrupted; memory is as it was", 130)
    print(report.summary())
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """A parser with just these commands (for ``python -m desktop.cli_memory``)."""
    parser = argparse.ArgumentParser(prog="harken")
    parser.add_argument("--debug", action="store_true")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_commands(commands)
    sessions = commands.add_parser("sessions", help="past sessions")
    add_sessions_search(sessions)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``memory ...`` or ``sessions search ...`` as ``harken`` would."""
    import logging

    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING, format="harken: %(message)s"
    )
    handler = getattr(args, "handler", None)
    if handler is None:
        return _fail("say what to do: memory path|list|dream, sessions search", EXIT_USAGE)
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())

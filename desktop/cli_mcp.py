"""``harken mcp``: the MCP servers Harken uses, and Harken as an MCP server.

    harken mcp list [--json] [--cwd DIR]            name, scope, transport, status, tools
    harken mcp add NAME [--scope user|project] [--env K=V] -- COMMAND [ARGS...]
    harken mcp add NAME --url URL [--sse] [--header K:V] [--scope ...]
    harken mcp remove NAME [--scope user|project]
    harken mcp trust [--cwd DIR]                    trust this folder's .mcp.json servers
    harken mcp serve [--cwd DIR] [--mode M] [--allow/--ask/--deny RULE]

``list`` starts each server to see whether it answers (the project's only when trusted).
Nothing heavy is imported at the top: the ``mcp`` SDK loads inside the handlers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
MODES = ("plan", "standard", "auto", "bypass")
# The options of ``mcp add`` are parsed by ``_add_options``, not by its subparser (see
# there); ``--help`` shows them from here.
ADD_HELP = {
    "--scope": "user (yours, in ~/.config/harken/mcp.json; the default) or project (this "
    "folder's .mcp.json, shared with the repository; off until `harken mcp trust`)",
    "--env": "K=V: an environment variable for a stdio server (repeatable; ${VAR} expands "
    "when it starts)",
    "--url": "a streamable HTTP endpoint instead of a command (legacy SSE with --sse)",
    "--sse": "the --url speaks the legacy SSE transport",
    "--header": "K:V: an HTTP header for --url (repeatable; e.g. 'Authorization: Bearer ${TOKEN}')",
    "--cwd": "the workspace whose .mcp.json --scope project writes (default: here)",
}
ADD_OPTIONS = "server options (after NAME):\n" + "\n".join(
    textwrap.fill(text, 88, initial_indent=f"  {flag:<10}", subsequent_indent=" " * 12)
    for flag, text in ADD_HELP.items()
)


def add_commands(commands: Any) -> None:
    """Add ``mcp`` and its actions to the ``harken`` subparsers ``commands``."""
    from desktop.cli_permissions import add_rule_options

    parser = commands.add_parser("mcp", help="MCP servers: list, add, remove, trust, serve")
    actions = parser.add_subparsers(dest="mcp_action", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="configured servers and whether they answer")
    listing.add_argument("--json", action="store_true", help="a JSON list")
    listing.add_argument("--cwd", type=Path, help="the workspace (default: here)")
    listing.set_defaults(handler=run_list)

    add = actions.add_parser(
        "add",
        help="add a server: NAME -- COMMAND [ARGS...] or NAME --url URL",
        usage="harken mcp add NAME [--scope user|project] [--env K=V] -- COMMAND [ARGS...]\n"
        "       harken mcp add NAME --url URL [--sse] [--header K:V] [--scope user|project]",
        description="Add (or replace) an MCP server: a program started over stdio, or a URL.",
        epilog=ADD_OPTIONS,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add.add_argument("name", help="the server's name (letters, digits, - and _)")
    # Options after NAME and the command after `--` are split by ``_add_options``: argparse
    # does not hand `--` through nested subcommands.
    add.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    add.set_defaults(handler=run_add)

    remove = actions.add_parser("remove", help="remove a server")
    remove.add_argument("name")
    remove.add_argument("--scope", choices=("user", "project"))
    remove.add_argument("--cwd", type=Path, help="the workspace for --scope project")
    remove.set_defaults(handler=run_remove)

    trust = actions.add_parser("trust", help="trust this folder's .mcp.json servers")
    trust.add_argument("--cwd", type=Path, help="the project folder (default: here)")
    trust.add_argument("--yes", action="store_true", help="trust without asking")
    trust.set_defaults(handler=run_trust)

    serve = actions.add_parser("serve", help="serve Harken's tools over stdio (MCP)")
    serve.add_argument("--cwd", type=Path, help="the folder to work in (default: here)")
    serve.add_argument("--mode", choices=MODES, help="the permission mode (default from config)")
    add_rule_options(serve)
    serve.set_defaults(handler=run_serve)


def _fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"harken: {message}", file=sys.stderr)
    return code


def _workspace(args: argparse.Namespace) -> Path:
    return (getattr(args, "cwd", None) or Path.cwd()).expanduser().resolve()


def run_list(args: argparse.Namespace) -> int:
    import asyncio

    from agent.mcp.config import load_servers

    workspace = _workspace(args)
    loaded = load_servers(workspace)
    for warning in loaded.warnings:
        print(f"harken: warning: {warning}", file=sys.stderr)
    rows = asyncio.run(_statuses(workspace, loaded))
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return EXIT_OK
    for path in loaded.unreadable:
        print(f"harken: could not read {path}: its servers are not listed.", file=sys.stderr)
    if not rows:
        if not loaded.unreadable:
            print("No MCP servers configured. Add one with `harken mcp add`.", file=sys.stderr)
        return EXIT_FAILED if loaded.unreadable else EXIT_OK
    print(f"{'NAME':<20} {'SCOPE':<8} {'TRANSPORT':<9} {'STATUS':<10} {'TOOLS':>5}")
    for row in rows:
        print(
            f"{row['name']:<20} {row['scope']:<8} {row['transport']:<9} {row['status']:<10} "
            f"{row['tools']:>5}"
        )
        if row.get("error"):
            print(f"  {row['error']}")
        elif row["status"] == "untrusted":
            print("  not started: run `harken mcp trust` in this folder to trust its .mcp.json")
    return EXIT_OK


async def _statuses(workspace: Path, loaded: Any) -> list[dict[str, Any]]:
    from agent.mcp.manager import McpServers

    rows: list[dict[str, Any]] = []
    if loaded.servers:
        servers = McpServers(workspace, loaded, note=lambda _message: None)
        try:
            await servers.wait()
            for s in servers.statuses():
                row = {
                    "name": s.name,
                    "scope": s.scope,
                    "transport": s.transport,
                    "status": s.status,
                    "tools": s.tools,
                }
                rows.append(row | ({"error": s.error} if s.error else {}))
        finally:
            await servers.aclose()
    for s in loaded.untrusted:
        rows.append(
            {
                "name": s.name,
                "scope": s.scope,
                "transport": s.transport,
                "status": "untrusted",
                "tools": 0,
            }
        )
    return rows


def _add_options(rest: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """The options of ``harken mcp add NAME ...`` and the command after ``--``."""
    rest = list(rest)
    if "--" in rest:
        cut = rest.index("--")
    else:  # argparse drops a `--` right after NAME: then all of it is the command
        cut = -1 if rest and not rest[0].startswith("-") else len(rest)
    options, command = rest[: max(cut, 0)], rest[cut + 1 :]
    parser = argparse.ArgumentParser(prog="harken mcp add NAME")
    parser.add_argument("--scope", choices=("user", "project"), default="user")
    parser.add_argument("--url", help=ADD_HELP["--url"])
    parser.add_argument("--sse", action="store_true", help=ADD_HELP["--sse"])
    parser.add_argument("--header", action="append", default=[], metavar="K:V")
    parser.add_argument("--env", action="append", default=[], metavar="K=V")
    parser.add_argument("--cwd", type=Path, help=ADD_HELP["--cwd"])
    return parser.parse_args(options), command


def run_add(args: argparse.Namespace) -> int:
    from agent.mcp.config import file_for, parse_entry, read_entries, save_entry

    options, command = _add_options(args.rest)
    args = argparse.Namespace(**(vars(args) | vars(options)))
    if bool(command) == bool(args.url):
        return _fail("give either -- COMMAND [ARGS...] or --url URL", EXIT_USAGE)
    entry: dict[str, Any]
    if args.url:
        entry = {"type": "sse" if args.sse else "http", "url": args.url}
        headers = {}
        for header in args.header:
            key, sep, value = header.partition(":")
            if not sep or not key.strip():
                return _fail(f"--header wants K:V, got {header!r}", EXIT_USAGE)
            headers[key.strip()] = value.strip()
        if headers:
            entry["headers"] = headers
    else:
        entry = {"command": command[0], "args": command[1:]}
    env = {}
    for item in args.env:
        key, sep, value = item.partition("=")
        if not sep or not key:
            return _fail(f"--env wants K=V, got {item!r}", EXIT_USAGE)
        env[key] = value
    if env:
        entry["env"] = env
    problems: list[str] = []
    if parse_entry(args.name, entry, args.scope, problems) is None:
        return _fail(problems[0] if problems else "not a valid server", EXIT_USAGE)
    workspace = _workspace(args)
    path = file_for(args.scope, workspace)
    replaced = args.name in read_entries(path, [])
    try:
        save_entry(path, args.name, entry)
    except ValueError as exc:
        return _fail(str(exc))
    done = "Replaced" if replaced else "Added"
    print(f"{done} the MCP server {args.name!r} in {path}.", file=sys.stderr)
    if not args.url:
        missing = _missing_program(command[0], workspace)
        if missing:
            print(f"harken: warning: {missing}; it will fail to start", file=sys.stderr)
    if args.scope == "project":
        print(
            "A project's servers stay off until you run `harken mcp trust` in that folder.",
            file=sys.stderr,
        )
    return EXIT_OK


def _missing_program(command: str, workspace: Path) -> str:
    """Why ``command`` cannot start (not on PATH, no such file, not executable), or ""."""
    import os
    import shutil

    from agent.mcp.config import expand

    program = os.path.expanduser(expand(command))
    if "/" not in program:
        return "" if shutil.which(program) else f"{program!r} is not found on PATH"
    path = workspace / program  # a relative path starts from the workspace (its cwd)
    if not path.exists():
        return f"{path} does not exist"
    if not os.access(path, os.X_OK):
        return f"{path} is not executable"
    return ""


def run_remove(args: argparse.Namespace) -> int:
    from agent.mcp.config import file_for, save_entry

    scopes = [args.scope] if args.scope else ["project", "user"]
    for scope in scopes:
        path = file_for(scope, _workspace(args))
        try:
            if save_entry(path, args.name, None):
                print(f"Removed the MCP server {args.name!r} from {path}.", file=sys.stderr)
                return EXIT_OK
        except ValueError as exc:
            return _fail(str(exc))
    return _fail(f"no MCP server named {args.name!r}")


def run_trust(args: argparse.Namespace) -> int:
    from agent.mcp.config import load_servers
    from agent.mcp.trust import trust

    workspace = _workspace(args)
    loaded = load_servers(workspace)
    if not loaded.untrusted:
        print("Nothing to trust: this folder's .mcp.json starts nothing new.")
        return EXIT_OK
    print(f"{workspace}/.mcp.json wants to start:")
    for server in loaded.untrusted:
        print(f"  {server.name}: {server.describe()}")
    if not args.yes:
        if not sys.stdin.isatty():
            return _fail("run this on a terminal to answer (or pass --yes)")
        if input("Trust these servers for this folder? [y/N] ").strip().lower() not in ("y", "yes"):
            return EXIT_FAILED
    trust(workspace, loaded.project_entries)
    print("Trusted.")
    return EXIT_OK


def ask_trust(servers: list[Any]) -> bool:
    """On a terminal: whether the user trusts a project's ``servers`` (``harken ask``)."""
    print("This folder's .mcp.json wants to start these MCP servers:", file=sys.stderr)
    for server in servers:
        print(f"  {server.name}: {server.describe()}", file=sys.stderr)
    return input("Trust them for this folder? [y/N] ").strip().lower() in ("y", "yes")


def run_serve(args: argparse.Namespace) -> int:
    import asyncio

    from agent.config import load_config
    from agent.mcp.serve import serve_stdio
    from agent.permissions import Mode
    from desktop.cli_permissions import cli_rules
    from desktop.sessions import project_rules

    workspace = _workspace(args)
    if not workspace.is_dir():
        return _fail(f"{workspace} is not a folder", EXIT_USAGE)
    config = load_config()
    for problem in config.problems:
        print(f"harken: warning: {problem}", file=sys.stderr)
    # stdout carries the protocol: every word for people goes to stderr.
    rules = project_rules(
        workspace,
        lambda text: print(f"harken: note: {text}", file=sys.stderr),
        cli_rules(args),
        warn=lambda warning: print(f"harken: warning: {warning}", file=sys.stderr),
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve_stdio(workspace, Mode(args.mode or config.mode), rules))
    return EXIT_OK

"""The ``harken`` command: the one place that wires agent, audio and desktop together.

Subcommands import only what they need, so ``harken ask`` starts without loading Qt.

    harken [--debug]                  the tray app (``desktop.app``)
    harken ask PROMPT [--cwd DIR] [--mode M] [--model ID] [--resume ID|latest] [--yes]
                      [--max-turns N] [--json] [--coordinator] [--max-budget-usd USD]
    harken chat [same options]        a conversation in the terminal
    harken sessions [--json]          recent sessions
    harken sessions search QUERY [--json] [--limit N]
                                      past sessions that mention QUERY (full-text search)
    harken memory path|list|dream     what Harken remembers (``desktop.cli_memory``)
    harken plan PROMPT | --list       deep read-only planning (``desktop.cli_agents``)
    harken key set|delete|status      the API key in the OS keyring
    harken tasks|daemon|journal       scheduled work (``desktop.cli_tasks``, ``cli_journal``)
    harken bridge|remote              the bridge (``desktop.cli_bridge``, ``cli_remote``)
    harken acp                        the Agent Client Protocol over stdio (``cli_acp``)
    harken rewind                     take back the agent's file changes (``cli_rewind``)

The other subcommands come from the modules in ``COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

from agent.stop_reasons import stop_notice

# asyncio and importlib.metadata are imported where they are used: a bare ``harken`` puts
# its tray icon on screen in about the time a bare PySide6 script does, and they cost ~50 ms.

# Modules that add subcommands: each has ``add_commands(subparsers)`` and sets a
# ``handler(args) -> exit status`` on its parsers. They must import nothing heavy at the top.
COMMAND_MODULES: tuple[str, ...] = (
    "desktop.cli_permissions",
    "desktop.cli_buddy",
    "desktop.cli_audio",
    "desktop.cli_desktop",
    "desktop.cli_ptt",
    "desktop.cli_doctor",
    "desktop.cli_memory",
    "desktop.cli_mcp",
    "desktop.cli_extensions",
    "desktop.cli_agents",
    "desktop.cli_tasks",
    "desktop.cli_bridge",
    "desktop.cli_journal",
    "desktop.cli_remote",
    "desktop.cli_acp",
    "desktop.cli_rewind",
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def harken_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("harken")
    except PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="harken",
        description="Harken: a voice-driven assistant that acts on your computer.",
    )
    parser.add_argument("--version", action="version", version=f"harken {harken_version()}")
    parser.add_argument("--debug", action="store_true", help="log everything to stderr")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from desktop.cli_permissions import add_rule_options

    def add_turn_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--cwd", type=Path, help="the folder to work in (default: here)")
        p.add_argument("--mode", choices=("plan", "standard", "auto", "bypass"))
        p.add_argument("--model", help="the model id (default from config)")
        p.add_argument("--resume", metavar="ID", help="continue a session: its id or 'latest'")
        p.add_argument("--yes", action="store_true", help="allow every permission question")
        p.add_argument("--max-turns", type=int, metavar="N", help="model round trips at most")
        p.add_argument("--json", action="store_true", help="print events as JSON lines")
        add_rule_options(p)

    ask = commands.add_parser("ask", help="ask once and stream the answer")
    ask.add_argument("prompt", help="what to ask or do")
    add_turn_options(ask)
    from desktop.cli_agents import add_coordinator_options

    add_coordinator_options(ask)
    ask.set_defaults(handler=run_turns)

    chat = commands.add_parser("chat", help="talk in the terminal, turn after turn")
    add_turn_options(chat)
    chat.set_defaults(handler=run_turns)

    sessions = commands.add_parser("sessions", help="list recent sessions")
    sessions.add_argument("--json", action="store_true", help="one JSON object per line")
    sessions.set_defaults(handler=list_sessions)
    from desktop.cli_memory import add_sessions_search

    add_sessions_search(sessions)

    key = commands.add_parser("key", help="store the API key in the OS keyring")
    key.add_argument("action", choices=("set", "delete", "status"))
    key.set_defaults(handler=lambda args: manage_key(args.action))

    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``harken`` console script: a bare ``harken`` starts the tray app."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if set(argv) <= {"--debug"}:
        # Straight to the app, before the parser and the command modules load.
        from desktop.app import run_app

        return run_app(argparse.Namespace(command=None, debug="--debug" in argv))
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.debug)
    handler = getattr(args, "handler", None)
    if handler is not None:
        try:
            return int(handler(args))
        except BrokenPipeError:
            # The reader went away (``harken sessions --json | head -1``): end quietly, as
            # the shell's own tools do; stdout is pointed at /dev/null so the interpreter's
            # final flush does not raise again (Python's signal module documentation).
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_FAILED
    parser.print_help()
    return EXIT_OK


def setup_logging(debug: bool) -> None:
    from agent.redact import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("harken: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    if not debug:
        # The SDK and HTTP stack log request details at INFO; they stay quiet.
        for noisy in ("anthropic", "httpx", "httpx2", "httpcore", "httpcore2"):
            logging.getLogger(noisy).setLevel(logging.WARNING)


def fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"harken: {message}", file=sys.stderr)
    return code


def run_turns(args: argparse.Namespace) -> int:
    import asyncio

    from agent.errors import HarkenError

    try:
        return asyncio.run(_run_turns(args))
    except HarkenError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)


async def _run_turns(args: argparse.Namespace) -> int:
    import asyncio

    from agent.config import load_config
    from agent.credentials import api_key
    from agent.errors import NoApiKey
    from desktop.cli_permissions import cli_rules
    from desktop.sessions import close_session, load_resumable, open_session, project_rules
    from desktop.terminal import HumanRenderer, JsonRenderer, PermissionPolicy

    config = load_config()
    for problem in config.problems:
        print(f"harken: warning: {problem}", file=sys.stderr)
    try:
        config = config.override(mode=args.mode, model=args.model, max_turns=args.max_turns)
    except ValueError as exc:
        return fail(str(exc), EXIT_USAGE)
    workspace = (args.cwd or Path.cwd()).expanduser()
    if not workspace.is_dir():
        return fail(f"{workspace} is not a folder", EXIT_USAGE)
    key = api_key()
    if not key:
        raise NoApiKey()

    if getattr(args, "coordinator", None) and args.resume:
        # A job is a fresh coordinator with fresh workers: nothing of a session to go on.
        message = "--coordinator cannot be used with --resume (a job always starts fresh)"
        return fail(message, EXIT_USAGE)
    resume = None
    if args.resume:
        resume = load_resumable(args.resume)
        for warning in resume.warnings:
            print(f"harken: warning: {warning}", file=sys.stderr)
        if args.cwd is None and resume.meta.get("cwd"):
            workspace = Path(resume.meta["cwd"])
    rules = project_rules(
        workspace,
        lambda text: print(f"harken: note: {text}", file=sys.stderr),
        cli_rules(args),
        ask=_ask_trust if sys.stdin.isatty() else None,  # asked once, on a terminal
        warn=lambda warning: print(f"harken: warning: {warning}", file=sys.stderr),
    )
    from desktop.cli_agents import budget_session, run_coordinator, wants_coordinator

    if wants_coordinator(args, config):
        return await run_coordinator(args, config, workspace, key, rules)
    session = open_session(config, workspace, key, resume=resume, rules=rules)
    budget_session(session, getattr(args, "max_budget_usd", None))
    whole = not sys.stdout.isatty()  # a pipe gets whole messages, never a retried fragment
    session.subscribe(JsonRenderer() if args.json else HumanRenderer(whole_messages=whole))
    policy = PermissionPolicy(yes=args.yes, interactive=sys.stdin.isatty())
    session.subscribe(lambda e: policy.handle(e) if e.kind == "permission_requested" else None)
    from desktop.terminal_questions import attach as attach_questions

    attach_questions(session, interactive=sys.stdin.isatty())
    servers = None

    loop = asyncio.get_running_loop()
    # On Windows there are no signal handlers: Ctrl-C raises KeyboardInterrupt instead.
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, session.interrupt)
    try:
        servers = await _start_mcp(session)
        if args.command == "ask":
            outcome = await session.submit(args.prompt)
            return _exit_code(outcome, config.max_turns, config.max_tokens)
        return await _chat(session, config.max_turns, config.max_tokens)
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        if servers is not None:
            await servers.aclose()
        await close_session(session)


async def _start_mcp(session: Any) -> Any:
    """The workspace's MCP servers, started and waited for (up to their start-up timeout)
    so their tools are offered from the first request; None when none is configured."""
    from agent.mcp import start_for_session
    from desktop.cli_mcp import ask_trust

    return await start_for_session(
        session,
        ask=ask_trust if sys.stdin.isatty() else None,
        note=lambda text: print(f"harken: note: {text}", file=sys.stderr),
        warn=lambda warning: print(f"harken: warning: {warning}", file=sys.stderr),
    )


def _ask_trust(rules: list[Any]) -> bool:
    """Whether the user, on the terminal, trusts a project's own allow ``rules``."""
    listed = ", ".join(rule.text for rule in rules)
    print(f"This folder's .harken/settings.json wants to allow: {listed}", file=sys.stderr)
    return input("Trust these rules for this folder? [y/N] ").strip().lower() in ("y", "yes")


async def _chat(session: Any, max_turns: int, max_tokens: int) -> int:
    import asyncio

    print(f"Harken — session {session.id}. Empty line or Ctrl-D to quit.", file=sys.stderr)
    while True:
        try:
            line = await asyncio.to_thread(input, "› ")
        except EOFError:
            return EXIT_OK
        if not line.strip():
            return EXIT_OK
        outcome = await session.submit(line)
        if outcome.stop_reason == "error":
            print(f"harken: {outcome.error}", file=sys.stderr)
        elif notice := stop_notice(outcome.stop_reason, max_tokens):
            print(f"harken: {notice}", file=sys.stderr)


def _exit_code(outcome: Any, max_turns: int, max_tokens: int | None = None) -> int:
    if outcome.stop_reason == "error":
        return fail(outcome.error)
    if outcome.stop_reason == "interrupted":
        return fail("interrupted", EXIT_INTERRUPTED)
    if outcome.stop_reason == "max_turns":
        return fail(f"stopped after {max_turns} model round trips (raise --max-turns)")
    if notice := stop_notice(outcome.stop_reason, max_tokens):
        # The text on stdout is kept, but it is not a whole answer: a script must know.
        return fail(notice)
    return EXIT_OK


def list_sessions(args: argparse.Namespace) -> int:
    from agent import paths, transcript
    from desktop.sessions import summary_fields

    summaries = transcript.list_sessions(paths.sessions_dir())
    rows = [summary_fields(s, paths.sessions_dir()) for s in summaries]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    if not summaries:
        print("No sessions yet.", file=sys.stderr)
        return EXIT_OK
    print(f"{'ID':<21} {'STARTED':<20} {'TURNS':>5} {'COST':>8}  FIRST PROMPT")
    for s, row in zip(summaries, rows, strict=True):
        if s.problem:
            print(f"{s.id:<21} {s.problem}")
            continue
        started = s.started.replace("T", " ")[:19]
        prompt = " ".join(s.first_prompt.split())
        prompt = prompt if len(prompt) <= 60 else prompt[:59] + "…"
        cost = "unknown" if row["cost_usd"] is None else f"${s.cost_usd:.4f}"
        print(f"{s.id:<21} {started:<20} {s.turns:>5} {cost:>8}  {prompt}")
    return EXIT_OK


def manage_key(action: str) -> int:
    from agent import credentials

    try:
        if action == "set":
            import getpass

            key = getpass.getpass("Anthropic API key (input hidden): ").strip()
            if not key:
                return fail("no key given", EXIT_USAGE)
            credentials.store_api_key(key)
            print("Stored in the OS keyring.", file=sys.stderr)
        elif action == "delete":
            credentials.delete_api_key()
            print("Removed from the OS keyring.", file=sys.stderr)
        else:
            source = (
                "ANTHROPIC_API_KEY"
                if os.environ.get("ANTHROPIC_API_KEY")
                else ("the OS keyring" if credentials.stored_api_key() else None)
            )
            where = credentials.endpoint()
            if source is None and where and not credentials.needs_key(where):
                print(f"API key: not set (not needed: {where} is not Anthropic's API)")
            else:
                print(f"API key: {'from ' + source if source else 'not set'}")
    except RuntimeError as exc:
        return fail(str(exc))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

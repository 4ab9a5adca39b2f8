"""``harken acp``: serve the Agent Client Protocol over stdio for editors.

    harken acp [--mode M] [--model ID] [--allow/--ask/--deny RULE]

An editor (Zed, a JetBrains IDE, a Neovim plugin) starts it and speaks ACP on its stdin and
stdout (``agent.acp``). Sessions are built as ``harken ask`` builds them: the user's config,
the folder's permission rules (a project's own allow rules stay off until trusted with
``harken permissions trust``); ``agent.acp`` adds the MCP servers. Notes and warnings go to
stderr, which editors keep in their agent log.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def add_commands(commands: Any) -> None:
    """Add ``harken acp`` to ``commands``."""
    from desktop.cli_permissions import add_rule_options

    acp = commands.add_parser(
        "acp",
        help="serve the Agent Client Protocol on stdio (for Zed, JetBrains, Neovim)",
        description="Serve the Agent Client Protocol on stdin/stdout, for an editor to "
        "start. Text, tool calls and permission questions appear in the editor.",
    )
    acp.add_argument("--mode", choices=("plan", "standard", "auto", "bypass"))
    acp.add_argument("--model", help="the model id (default from config)")
    add_rule_options(acp)
    acp.set_defaults(handler=run_acp)


def run_acp(args: argparse.Namespace) -> int:
    """Serve until the editor closes the pipes."""
    import asyncio

    from agent.acp import serve
    from agent.config import load_config
    from desktop.cli import EXIT_OK, EXIT_USAGE, fail, harken_version

    for fd, name in ((0, "stdin"), (1, "stdout")):
        # A closed descriptor would be reused by the event loop's own and then clobbered.
        try:
            os.fstat(fd)
        except OSError:
            return fail(f"{name} is closed: harken acp speaks the protocol on stdin and stdout")
    config = load_config()
    for problem in config.problems:
        _warn(problem)
    try:
        config = config.override(mode=args.mode, model=args.model)
    except ValueError as exc:
        return fail(str(exc), EXIT_USAGE)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C in a terminal: just end
        asyncio.run(serve(Maker(config, args), harken_version()))
    return EXIT_OK


class Maker:
    """Builds the editor's sessions as ``harken ask`` does (``agent.acp.SessionMaker``)."""

    def __init__(self, config: Any, args: argparse.Namespace) -> None:
        self.config = config
        self.args = args

    async def open(self, cwd: Path, resume: str | None, note: Callable[[str], None]) -> Any:
        """A session in ``cwd``, or the saved session ``resume`` continued there; what the
        user should know (an untrusted project rule, a damaged transcript) goes to
        ``note``."""
        from agent.credentials import api_key
        from agent.errors import NoApiKey
        from desktop.cli_permissions import cli_rules
        from desktop.sessions import load_resumable, open_session, project_rules

        key = api_key()
        if not key:
            raise NoApiKey()
        loaded = load_resumable(resume) if resume else None
        for warning in loaded.warnings if loaded else []:
            note(warning)
        rules = project_rules(cwd, note, cli_rules(self.args), warn=note)
        return open_session(self.config, cwd, key, resume=loaded, rules=rules)

    async def close(self, session: Any) -> None:
        """End the session: its transcript, background shells, HTTP client."""
        from desktop.sessions import close_session

        await close_session(session)


def _warn(text: str) -> None:
    print(f"harken: warning: {text}", file=sys.stderr)

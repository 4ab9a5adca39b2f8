"""``harken bridge``: the local WebSocket other programs use to drive Harken.

    harken bridge token [--scope observe|control] [--ttl DURATION]   print a new token
    harken bridge rotate                                              invalidate every token
    harken bridge serve                                               run a bridge until Ctrl-C

DURATION is 30s, 15m, 8h, 7d (default 30 days); the scope defaults to control. Nothing
heavy is imported at the top: ``agent.bridge_server`` (websockets, PyJWT) loads inside
the handlers.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def add_commands(commands: Any) -> None:
    """Add ``bridge`` and its actions to the ``harken`` subparsers ``commands``."""
    parser = commands.add_parser("bridge", help="the local WebSocket bridge: tokens, serve")
    actions = parser.add_subparsers(dest="bridge_action", metavar="ACTION", required=True)

    token = actions.add_parser("token", help="print a new bridge token")
    token.add_argument(
        "--scope",
        choices=("observe", "control"),
        default="control",
        help="observe: events and status only; control: everything (default)",
    )
    token.add_argument(
        "--ttl",
        default="30d",
        metavar="DURATION",
        help="lifetime: 30s, 15m, 8h, 7d (default 30d, at most 365d)",
    )
    # argparse takes "-5m" for an option and says only "expected one argument": let it
    # through as a value, so parse_duration can say what is wrong with it.
    token._negative_number_matcher = re.compile(r"^-\d+\s*[smhdSMHD]?$")
    token.set_defaults(handler=run_token)

    rotate = actions.add_parser("rotate", help="new signing secret: every old token stops working")
    rotate.set_defaults(handler=run_rotate)

    serve = actions.add_parser("serve", help="run a bridge in the foreground until Ctrl-C")
    serve.set_defaults(handler=run_serve)


def fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"harken: {message}", file=sys.stderr)
    return code


def run_token(args: argparse.Namespace) -> int:
    from agent.bridge_server import parse_duration
    from agent.bridge_server.admin import new_token
    from agent.bridge_server.secret import SecretUnavailable

    try:
        ttl_s = parse_duration(args.ttl)
    except ValueError as exc:
        return fail(str(exc), EXIT_USAGE)
    try:
        print(new_token(args.scope, ttl_s))
    except SecretUnavailable as exc:
        return fail(str(exc))
    return EXIT_OK


def run_rotate(args: argparse.Namespace) -> int:
    from agent.bridge_server.admin import rotate
    from agent.bridge_server.discovery import DiscoveryError
    from agent.bridge_server.secret import SecretUnavailable

    try:
        refreshed = rotate()
    except (SecretUnavailable, DiscoveryError) as exc:
        return fail(str(exc))
    note = (
        " The running bridge closed the connections that used one; its bridge.json has a new token."
        if refreshed
        else ""
    )
    print(f"New bridge secret: every earlier token is refused from now on.{note}")
    return EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    import asyncio

    from agent.bridge_server.discovery import DiscoveryError, discovery_file
    from agent.bridge_server.secret import SecretUnavailable
    from agent.bridge_server.server import serve_foreground

    def ready(server: Any) -> None:
        where = discovery_file()
        print(f"Bridge on {server.url} (token in {where}). Ctrl-C to stop.", file=sys.stderr)

    try:
        asyncio.run(serve_foreground(ready))
    except (DiscoveryError, SecretUnavailable, OSError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)
    return EXIT_OK

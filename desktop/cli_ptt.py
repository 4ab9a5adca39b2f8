"""``harken ptt press|release|toggle [--dictate]``: push-to-talk in the running app, from any
shortcut; with ``--dictate``, what is said is typed into the focused window (dictation).

Bind ``harken ptt toggle`` to a key in the desktop's own keyboard settings where no global
hotkey backend works (GNOME on Wayland before the GlobalShortcuts portal, for one); a
desktop that runs commands on key release too can use ``press`` and ``release`` for
hold-to-talk. Exit status 0 when the app took it, 1 otherwise (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK, EXIT_FAILED = 0, 1


def add_commands(commands: Any) -> None:
    ptt = commands.add_parser(
        "ptt", help="push-to-talk in the running app (to bind in the desktop's shortcuts)"
    )
    ptt.add_argument(
        "action",
        choices=("press", "release", "toggle"),
        help="press: start recording; release: stop; toggle: start or stop",
    )
    ptt.add_argument(
        "--dictate",
        action="store_true",
        help="dictation: type what is said into the focused window instead of asking Harken",
    )
    ptt.set_defaults(handler=run_ptt)


def run_ptt(args: argparse.Namespace) -> int:
    from desktop.instance import InstanceError, NotRunning, send

    try:
        reply = send(f"ptt {args.action}" + (" --dictate" if args.dictate else ""))
    except NotRunning:
        print("Harken is not running (start it with `harken`).", file=sys.stderr)
        return EXIT_FAILED
    except InstanceError as exc:
        print(f"harken: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if reply == "ok":
        return EXIT_OK
    print(f"harken: {reply.removeprefix('error').strip() or reply}", file=sys.stderr)
    return EXIT_FAILED

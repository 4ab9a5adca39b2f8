"""``harken install-desktop`` / ``harken uninstall-desktop``: menu entry, icons, metainfo."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(commands: Any) -> None:
    install = commands.add_parser(
        "install-desktop", help="add Harken to the desktop's application menu"
    )
    install.set_defaults(handler=run_install)
    uninstall = commands.add_parser(
        "uninstall-desktop", help="remove the menu entry, icons and autostart entry"
    )
    uninstall.set_defaults(handler=run_uninstall)


def run_install(args: argparse.Namespace) -> int:
    from desktop.integration import install

    for path in install():
        print(path)
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    from desktop.integration import uninstall

    removed = uninstall()
    for path in removed:
        print(f"removed {path}")
    if not removed:
        print("Nothing to remove.")
    return 0

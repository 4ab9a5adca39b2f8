"""``harken buddy``: meet your companion pet.

    harken buddy [--user-id ID] [--json] [--show] [--name NAME]

Without options it prints the card; ``--json`` prints one JSON object (name, user_id,
species, rarity, stars, shiny, eyes, hat, stats, voice); ``--show`` opens the pet's window
alone until it is hidden (right-click, Hide) or Ctrl-C; ``--name`` names your own pet and
stores the name in config.toml. Qt is imported only for ``--show``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
BAR = 20


def add_commands(subparsers: Any) -> None:
    buddy = subparsers.add_parser("buddy", help="meet your companion pet")
    buddy.add_argument("--user-id", metavar="ID", help="the pet of this id (default: yours)")
    buddy.add_argument("--json", action="store_true", help="print one JSON object")
    buddy.add_argument("--show", action="store_true", help="open the pet's window")
    buddy.add_argument("--name", help="name your pet (kept in config.toml)")
    buddy.set_defaults(handler=run_buddy)


def run_buddy(args: argparse.Namespace) -> int:
    from agent.buddy import hatch, name_of, store_name, suggested_name, user_id_for
    from agent.config import load_config

    config = load_config()
    for problem in config.problems:
        print(f"harken: warning: {problem}", file=sys.stderr)
    own = user_id_for(config)
    user_id = user_id_for(config, args.user_id)
    if args.name is not None:
        if user_id != own:
            print("harken: --name names your own pet; leave out --user-id", file=sys.stderr)
            return EXIT_USAGE
        try:
            store_name(args.name)
        except (ValueError, OSError) as exc:
            print(f"harken: cannot store the name: {exc}", file=sys.stderr)
            return EXIT_FAILED
        config = load_config()
    buddy = hatch(user_id)
    # A stored name belongs to your own pet, not to one hatched from another id.
    name = name_of(buddy, config) if user_id == own else suggested_name(buddy)
    if args.json:
        print(json.dumps(card_dict(buddy, name), ensure_ascii=False))
    elif not args.show:
        print(card_text(buddy, name))
    if args.show:
        return show_alone(buddy, name)
    return EXIT_OK


def card_dict(buddy: Any, name: str) -> dict[str, Any]:
    from agent.buddy import voice_of

    return {"name": name, **buddy.to_dict(), "voice": voice_of(buddy)}


def card_text(buddy: Any, name: str) -> str:
    from agent.buddy.bones import STAT_LABELS, STATS
    from agent.buddy.lines import voice_of

    stars = "★" * buddy.stars + "☆" * (5 - buddy.stars)
    shiny = "  ✦ shiny" if buddy.shiny else ""
    lines = [
        f"{name} the {buddy.species}   {stars} {buddy.rarity}{shiny}",
        f"eyes: {buddy.eyes} · hat: {buddy.hat.replace('_', ' ')} · voice: {voice_of(buddy)}",
        "",
    ]
    peak, dump = buddy.stats.peak, buddy.stats.dump
    for stat in STATS:
        value = getattr(buddy.stats, stat)
        filled = round(value * BAR / 100)
        mark = "  ▲ peak" if stat == peak else "  ▼ dump" if stat == dump else ""
        bar = "█" * filled + "░" * (BAR - filled)
        lines.append(f"{STAT_LABELS[stat]:<10} {bar} {value:>3}{mark}")
    lines.append(f"\nuser id: {buddy.user_id}")
    return "\n".join(lines)


def show_alone(buddy: Any, name: str) -> int:
    """Run the pet's window as its own little application until it is hidden."""
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    interrupted = False

    def interrupt(*_: object) -> None:
        nonlocal interrupted
        interrupted = True
        app.quit()  # a no-op before exec(): the flag covers a Ctrl-C while the window opens

    signal.signal(signal.SIGINT, interrupt)  # before the window: Ctrl-C ends cleanly at any time
    window = open_window(buddy, name)
    window.visibility_changed.connect(lambda shown: None if shown else app.quit())
    wake = QTimer()  # lets Python notice Ctrl-C while Qt's loop runs
    wake.start(200)
    wake.timeout.connect(lambda: None)
    if not interrupted:
        app.exec()
    window.bubble.hide()
    window.card.hide()
    return EXIT_OK


def open_window(buddy: Any, name: str) -> Any:
    from desktop.buddy.window import BuddyWindow

    window = BuddyWindow(buddy, name)
    window.show_pet()
    return window

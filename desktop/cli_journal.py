"""``harken journal [--date YYYY-MM-DD]``: print a day of the journal (default: today).

A date that is not ``YYYY-MM-DD`` is a usage error (exit 2); a day without entries says
so on stderr and exits 0, naming the file it looked for.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def add_commands(commands: Any) -> None:
    """Add ``journal`` to the ``harken`` subparsers ``commands``."""
    parser = commands.add_parser("journal", help="what Harken did on a day (tasks, ticks)")
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="the day to show (default: today)")
    parser.set_defaults(handler=run_journal)


def run_journal(args: argparse.Namespace) -> int:
    """Print the day's entries as Markdown."""
    from datetime import date, datetime

    from agent.journal.files import day_file, read_day, title

    if args.date is None:
        day = datetime.now().astimezone().date()
    else:
        try:
            day = date.fromisoformat(args.date)
            if len(args.date) != 10:  # fromisoformat also takes 20261129
                raise ValueError
        except ValueError:
            print(
                f"harken: invalid date {args.date!r}: expected YYYY-MM-DD, e.g. 2026-11-29",
                file=sys.stderr,
            )
            return EXIT_USAGE
    try:
        entries = read_day(day)
    except OSError as exc:
        print(f"harken: cannot read {day_file(day)}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    if not entries:
        print(
            f"No journal entries for {day.isoformat()} (nothing in {day_file(day)}).",
            file=sys.stderr,
        )
        return EXIT_OK
    print(title(day) + "\n" + "\n".join(e.markdown() for e in entries), end="")
    return EXIT_OK

"""``harken journal [--date YYYY-MM-DD]``: print a day of the journal."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """Add the subcommand to ``commands`` (not yet written)."""

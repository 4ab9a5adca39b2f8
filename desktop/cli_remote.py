"""``harken remote send|events|answer``: drive a running Harken through its bridge."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """Add the subcommand to ``commands`` (not yet written)."""

"""``harken acp``: serve the Agent Client Protocol over stdio for editors."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """Add the subcommand to ``commands`` (not yet written)."""

"""``harken rewind``: take back files the agent changed, from its checkpoints."""

from __future__ import annotations

from typing import Any


def add_commands(commands: Any) -> None:
    """Add the subcommand to ``commands`` (not yet written)."""

"""Spending a session has not yet written down: what its subagents and compactions cost
outside its turns' own model requests.

It joins the running turn's turn_end record (or a spending record at close), so a resumed
session's totals keep it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from agent.usage import Usage


@dataclass
class PendingSpending:
    """Usage and cost counted in a session's live totals but in no record yet."""

    usage: Usage = field(default_factory=Usage)
    cost: float = 0.0

    def add(self, usage: Usage, cost: float) -> None:
        """Count ``usage`` and ``cost`` until the next ``take``."""
        self.usage = self.usage + usage
        self.cost += cost

    def take(self) -> tuple[Usage, float]:
        """What was counted since the last ``take``; starts counting afresh."""
        taken = self.usage, self.cost
        self.usage, self.cost = Usage(), 0.0
        return taken

    def __bool__(self) -> bool:
        return bool(self.cost) or self.usage != Usage()

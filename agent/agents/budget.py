"""A spending limit for a whole job (coordinator plus workers).

Every model request of the job goes through one ``BudgetedClient``: it adds each reply's
cost to the shared ``Budget`` and refuses to start a request once the budget is spent, with
``BudgetSpent`` (a ``HarkenError``, so a session ends its turn cleanly: every tool call
answered, the transcript closed properly).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.errors import HarkenError
from agent.usage import Usage, cost_usd


class BudgetSpent(HarkenError):
    """The job's budget is spent; no more model requests."""


@dataclass
class Budget:
    """``limit_usd`` for the job (this run only: a resumed session starts at 0);
    ``spent_usd`` so far. ``on_spent`` hears once when the
    spending reaches the limit."""

    limit_usd: float
    spent_usd: float = 0.0
    scope: str = "the coordinator and its workers"  # who spends it, for the notice
    stopped: str = "the job"  # what stops once it is spent
    on_spent: list[Callable[[], None]] = field(default_factory=list)
    _told: bool = False

    @property
    def exhausted(self) -> bool:
        return self.spent_usd >= self.limit_usd

    def notice(self) -> str:
        """The one line people get when the job stops for its budget."""
        return (
            f"Budget of ${self.limit_usd:g} spent (${self.spent_usd:.4f} used by "
            f"{self.scope} in this run): {self.stopped} was stopped."
        )

    def add(self, model: str, usage: Usage) -> None:
        """Count a reply's cost; calls ``on_spent`` the first time the limit is reached."""
        self.spent_usd += cost_usd(model, usage)
        if self.exhausted and not self._told:
            self._told = True
            for callback in list(self.on_spent):
                callback()

    def check(self) -> None:
        """Raise ``BudgetSpent`` when no further request may start."""
        if self.exhausted:
            raise BudgetSpent(self.notice())


class BudgetedClient:
    """A ``ModelClient`` whose requests count against ``budget`` (others pass through)."""

    def __init__(self, client: Any, budget: Budget) -> None:
        self._client = client
        self.budget = budget

    async def stream(self, request: Any, assembler: Any, emit: Any) -> Any:
        """As ``ModelClient.stream``, refused once the budget is spent."""
        self.budget.check()
        reply = await self._client.stream(request, assembler, emit)
        self.budget.add(request.model, reply.usage)
        return reply

    async def complete(self, request: Any) -> Any:
        """As ``ModelClient.complete`` (summaries, compaction), counted the same way."""
        self.budget.check()
        reply = await self._client.complete(request)
        self.budget.add(request.model, reply.usage)
        return reply

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

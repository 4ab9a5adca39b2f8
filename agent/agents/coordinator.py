"""Coordinator mode: one session directs background workers until the job is done.

The coordinator's session offers only Agent, SendMessage and TaskStop (it never touches
files itself) and has the coordinator's system prompt (phases: research, synthesis,
implementation, verification). Its workers run in the background; each report is queued
as a ``<task-notification>``. ``CoordinatorJob.run`` submits the user's request, then,
whenever the coordinator ends a turn while workers run or reports wait, hands it the
waiting reports (all of them, as one user message) as its next turn. The job is over
when the coordinator ends a turn with no worker running and no report waiting.

With a ``Budget`` the whole job (coordinator plus workers) stops once it is spent: no
request starts after that, running workers are cancelled, and a notice says so.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from agent.agents.budget import Budget
from agent.events import Notice
from agent.usage import Usage

if TYPE_CHECKING:
    from agent.agents.workers import Subagents, Worker
    from agent.session import Session

MAX_ROUNDS = 100  # coordinator turns in one job, a guard against a loop of reports


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended: ``stop_reason`` is ``end_turn`` (done), ``interrupted``,
    ``error``, ``budget`` or ``max_rounds``; ``usage`` and ``cost_usd`` cover the
    coordinator and all its workers."""

    stop_reason: str
    text: str
    usage: Usage
    cost_usd: float
    rounds: int
    error: str = ""


class CoordinatorJob:
    """A coordinator session, its workers and (optionally) the job's budget."""

    def __init__(self, session: Session, subagents: Subagents, budget: Budget | None) -> None:
        self.session = session
        self.subagents = subagents
        self.budget = budget
        self._reports: asyncio.Queue[str] = asyncio.Queue()
        subagents.on_report = self._on_report
        self._waiter: asyncio.Future[str] | None = None
        self._interrupted = False

    def _on_report(self, worker: Worker, note: str) -> None:
        self._reports.put_nowait(note)

    async def run(self, prompt: str) -> JobOutcome:
        """Run the whole job for ``prompt``; never raises for API, tool or budget trouble."""
        self._interrupted = False
        rounds = 1
        try:
            outcome = await self.session.submit(prompt)
            while True:
                if self._over_budget() or self._interrupted:
                    break
                if outcome.stop_reason in ("interrupted", "error"):
                    break
                if not self.subagents.running and self._reports.empty():
                    break
                if rounds >= MAX_ROUNDS:
                    return await self._end("max_rounds", outcome.text, rounds, "too many rounds")
                reports = await self._next_reports()
                if reports is None:
                    break
                rounds += 1
                outcome = await self.session.submit(reports)
        finally:
            await self.subagents.stop_all()
        if self._over_budget():  # BudgetSpent is only raised then
            assert self.budget is not None
            self.session.emit(Notice(self.budget.notice()))
            return await self._end("budget", outcome.text, rounds, self.budget.notice())
        if self._interrupted:
            return await self._end("interrupted", outcome.text, rounds)
        return await self._end(outcome.stop_reason, outcome.text, rounds, outcome.error)

    async def _next_reports(self) -> str | None:
        """Every waiting report, as one message (waits for the first); None when
        interrupted while waiting."""
        self._waiter = asyncio.ensure_future(self._reports.get())
        try:
            first = await self._waiter
        except asyncio.CancelledError:
            if self._interrupted:
                return None
            raise
        finally:
            self._waiter = None
        notes = [first]
        while not self._reports.empty():
            notes.append(self._reports.get_nowait())
        return "\n\n".join(notes)

    def interrupt(self) -> None:
        """Stop the job: the coordinator's turn, the wait for reports and the workers
        (they are cancelled as ``run`` ends). Call it on the job's event loop."""
        self._interrupted = True
        self.session.interrupt()
        if self._waiter is not None and not self._waiter.done():
            self._waiter.cancel()

    def _over_budget(self) -> bool:
        return self.budget is not None and self.budget.exhausted

    async def _end(self, stop_reason: str, text: str, rounds: int, error: str = "") -> JobOutcome:
        state = self.session.state
        return JobOutcome(stop_reason, text, state.usage, state.cost_usd, rounds, error)

    async def aclose(self) -> None:
        """Stop the workers and close every session of the job (not the client)."""
        await self.subagents.aclose()
        with contextlib.suppress(Exception):
            await self.session.aclose()

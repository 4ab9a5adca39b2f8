"""The subagents of one parent session.

A subagent is a ``Session`` of its own (own conversation, own transcript in
``<sessions dir>/<parent id>/subagents/``, linked both ways by a record) that:

- shares the parent's ``PermissionEngine`` (same mode and rules, and "always allow"
  answers count for both), so it never has more permission than its parent;
- puts its permission questions to the parent's listeners (the parent's dialog or
  terminal), the description naming the subagent; with nobody there, the answer is No;
- adds its usage and cost to the parent's totals;
- is cancelled when the task that awaits it is (the parent's interruption), and ends its
  own turn cleanly then, so both conversations stay valid.

At most ``limit`` subagent turns of one parent run at once (default 4); more wait.
In the foreground (the Agent tool of an ordinary session) a turn's final answer is the
tool result. In the background (coordinator mode) a turn runs in a task of its own and
its report goes to ``on_report`` as a ``<task-notification>``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from agent.agents.definitions import AgentDefinition, Catalog, load_catalog
from agent.agents.events import TaskUpdate
from agent.agents.texts import with_environment
from agent.events import Event, Notice, PermissionAnswer, PermissionRequested, ToolStarted
from agent.tools.base import Tool, ToolError, ToolKind
from agent.transcript import now_iso
from agent.usage import Usage

if TYPE_CHECKING:
    from agent.session import Session, TurnOutcome

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 4
AGENT_TOOL_NAMES = frozenset({"Agent", "SendMessage", "TaskStop"})  # never given to workers

Report = Callable[["Worker", str], None]


@dataclass
class Worker:
    """One subagent: its definition, its session and how it is doing."""

    id: str
    definition: AgentDefinition
    description: str
    session: Session
    status: str = "idle"  # running, completed, failed, stopped
    started: float = field(default_factory=time.monotonic)
    task: asyncio.Task[Any] | None = None
    result: str = ""
    error: str = ""
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0
    tool_uses: int = 0
    activity: str = ""
    inbox: list[str] = field(default_factory=list)
    stopping: bool = False

    @property
    def label(self) -> str:
        """How people are told which subagent this is."""
        return f"subagent {self.definition.name} ({self.description})"

    @property
    def running(self) -> bool:
        return self.task is not None and not self.task.done()


class Subagents:
    """Starts, runs, stops and accounts for the subagents of ``parent``.

    ``pool``: the tools a subagent may get (default: the parent's own, minus the agent
    tools). ``background``: turns run in their own tasks and report to ``on_report``.
    """

    def __init__(
        self,
        parent: Session,
        *,
        pool: list[Tool[Any]] | None = None,
        catalog: Catalog | None = None,
        limit: int = DEFAULT_LIMIT,
        background: bool = False,
        on_report: Report | None = None,
    ) -> None:
        self.parent = parent
        self._pool = pool
        self.catalog = catalog or load_catalog(parent.ctx.workspace)
        self.limit = limit
        self._slots = asyncio.Semaphore(limit)
        self.background = background
        self.on_report = on_report
        self.workers: dict[str, Worker] = {}

    def pool(self) -> list[Tool[Any]]:
        """The tools subagents choose from (read now: the parent's may have grown)."""
        tools = self._pool if self._pool is not None else list(self.parent.tools.values())
        return [t for t in tools if t.name not in AGENT_TOOL_NAMES]

    # -- starting ------------------------------------------------------------------

    def spawn(self, subagent_type: str, description: str) -> Worker:
        """A new subagent of ``subagent_type``; raises ``ToolError`` for a type that does
        not exist or a custom agent that cannot be used."""
        from agent.session import Session

        definition = self.catalog.get(subagent_type)
        tools = self._tools_for(definition)
        parent = self.parent
        config = parent.config.override(model=definition.model or parent.config.model)
        sessions_dir = None
        if parent.transcript is not None:
            sessions_dir = parent.transcript.path.parent / parent.id / "subagents"
        session = Session(
            client=parent.client,
            config=config,
            workspace=parent.ctx.workspace,
            sessions_dir=sessions_dir,
            tools=tools,
        )
        # Exactly these (a Session given no tools would offer the built-in set).
        session.tools = {tool.name: tool for tool in tools}
        # The parent's engine itself: same mode and rules, never more permission.
        session.engine = parent.engine
        session.save_rules = parent.save_rules
        session.memory.enabled = False  # a worker's transcript is not the user's history
        intro = with_environment(definition.prompt, str(parent.ctx.workspace), _today())
        session.system = [{"type": "text", "text": intro}, *session.system[1:]]
        worker = Worker(session.id, definition, description, session)
        self.workers[worker.id] = worker
        session.subscribe(lambda event: self._from_worker(worker, event))
        link = {"agent_type": definition.name, "description": description, "at": now_iso()}
        if session.transcript is not None:
            session.transcript.append({"type": "subagent_of", "parent_id": parent.id} | link)
        if parent.transcript is not None:
            where = str(session.transcript.path) if session.transcript else ""
            parent.transcript.append(
                {"type": "subagent", "id": worker.id, "transcript": where} | link
            )
        return worker

    def _tools_for(self, definition: AgentDefinition) -> list[Tool[Any]]:
        pool = self.pool()
        if definition.read_only:
            return [t for t in pool if t.kind is ToolKind.READ]
        if definition.tools is None:
            return pool
        by_name = {t.name: t for t in pool}
        missing = [name for name in definition.tools if name not in by_name]
        if missing:
            raise ToolError(
                f"The agent {definition.name} ({definition.source}) names tools it cannot "
                f"have: {', '.join(missing)}. Available: {', '.join(by_name)}."
            )
        return [by_name[name] for name in definition.tools]

    # -- running -------------------------------------------------------------------

    async def run(self, worker: Worker, prompt: str) -> TurnOutcome:
        """One turn of ``worker`` (waiting for a free slot first); cancelling the caller
        cancels the turn, which still ends cleanly."""
        async with self._slots:
            worker.status = "running"
            self._update(worker)
            session = worker.session
            before_usage, before_cost = session.state.usage, session.state.cost_usd
            # Its own task, so TaskStop can interrupt the worker and nothing else.
            turn = asyncio.create_task(session.submit(prompt))
            try:
                outcome = await turn
            except asyncio.CancelledError:
                if not turn.done():
                    turn.cancel()
                    await asyncio.gather(turn, return_exceptions=True)
                self._account(worker, before_usage, before_cost)
                why = "stopped by TaskStop" if worker.stopping else "cancelled with its parent"
                worker.status, worker.error = "stopped", why
                self._update(worker, why)
                raise
            self._account(worker, before_usage, before_cost)
            self._settle(worker, outcome)
            return outcome

    def start(self, worker: Worker, prompt: str) -> None:
        """Run ``worker`` in the background (coordinator mode): a turn, then one per
        follow-up in its inbox, each reported to ``on_report``."""

        async def go() -> None:
            message: str | None = prompt
            while message is not None:
                await self.run(worker, message)
                self._report(worker)
                message = "\n\n".join(worker.inbox) if worker.inbox else None
                worker.inbox.clear()

        worker.status = "running"
        worker.stopping = False
        worker.task = asyncio.create_task(go(), name=f"subagent {worker.id}")
        worker.task.add_done_callback(lambda task: self._stopped(worker, task))

    def _stopped(self, worker: Worker, task: asyncio.Task[Any]) -> None:
        """TaskStop ended ``worker``'s task (perhaps before its turn began): report it."""
        if not (task.cancelled() and worker.stopping):
            return
        if worker.status != "stopped":
            worker.status, worker.error = "stopped", "stopped by TaskStop"
            self._update(worker, worker.error)
        self._report(worker)

    def send(self, worker_id: str, message: str) -> str:
        """Give a worker a follow-up; a finished one continues its conversation."""
        worker = self.find(worker_id)
        if worker.running:
            worker.inbox.append(message)
            return f"Queued for {worker.id}: it gets the message when its current turn ends."
        self.start(worker, message)
        return f"Sent to {worker.id}; it continues its conversation in the background."

    def stop(self, worker_id: str) -> str:
        """Stop a running worker (its turn ends as interrupted; its conversation stays)."""
        worker = self.find(worker_id)
        if worker.task is None and worker.status == "running":
            # A foreground turn (the Agent tool's): it ends as interrupted, and the
            # parent's tool call gets that as its result; the parent's turn goes on.
            worker.stopping = True
            worker.session.interrupt()
            return f"Stopping {worker.id} ({worker.description})."
        if not worker.running:
            return f"{worker.id} is not running (it is {worker.status})."
        worker.inbox.clear()
        worker.stopping = True
        # The whole background task, so a worker waiting for a free slot stops too.
        assert worker.task is not None
        worker.task.cancel()
        return f"Stopping {worker.id} ({worker.description}); its report follows."

    async def stop_all(self) -> None:
        """Cancel every running worker and wait until each has ended cleanly."""
        tasks = [w.task for w in self.workers.values() if w.task is not None and w.running]
        for worker in self.workers.values():
            worker.inbox.clear()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        for worker in self.workers.values():
            if worker.status in ("idle", "running"):  # cancelled before its turn began
                worker.status, worker.error = "stopped", "stopped before it began"

    def find(self, worker_id: str) -> Worker:
        """The worker ``worker_id``; ``ToolError`` listing the known ones otherwise."""
        worker = self.workers.get(worker_id)
        if worker is None:
            known = ", ".join(f"{w.id} ({w.description})" for w in self.workers.values())
            raise ToolError(f"There is no worker {worker_id!r}. Known: {known or 'none'}.")
        return worker

    @property
    def running(self) -> list[Worker]:
        return [w for w in self.workers.values() if w.running]

    async def aclose(self) -> None:
        """Stop what runs and close every worker's session (transcripts, shells)."""
        await self.stop_all()
        for worker in self.workers.values():
            try:
                await worker.session.aclose()
            except Exception:  # one worker's cleanup must not block the others'
                log.exception("closing %s failed", worker.id)

    # -- accounting and reports ----------------------------------------------------

    def _account(self, worker: Worker, before_usage: Usage, before_cost: float) -> None:
        state = worker.session.state
        spent = _minus(state.usage, before_usage)
        cost = state.cost_usd - before_cost
        worker.usage = worker.usage + spent
        worker.cost_usd += cost
        self.parent.add_spending(spent, cost)  # also in the parent's turn record

    def _settle(self, worker: Worker, outcome: TurnOutcome) -> None:
        worker.result = outcome.text
        worker.error = ""
        if outcome.stop_reason == "interrupted":
            why = "stopped on request" if worker.stopping else "stopped before it finished"
            worker.status, worker.error = "stopped", why
        elif outcome.stop_reason == "error":
            worker.status, worker.error = "failed", outcome.error
        elif outcome.stop_reason == "max_turns":
            limit = worker.session.config.max_turns
            worker.status = "failed"
            worker.error = f"it hit its turn limit ({limit} model round trips) before finishing"
        else:
            worker.status = "completed"
        self._update(worker, worker.error or _first_line(worker.result) or "done")

    def tool_output(self, worker: Worker) -> tuple[str, bool]:
        """The Agent tool's result for a finished foreground turn: (text, is_error)."""
        footer = (
            f"\n\n[{worker.definition.name} subagent {worker.id}: {worker.tool_uses} tool "
            f"{'use' if worker.tool_uses == 1 else 'uses'}, "
            f"{worker.usage.input_tokens + worker.usage.output_tokens} tokens, "
            f"${worker.cost_usd:.4f}]"
        )
        if worker.status == "completed":
            return (worker.result or "(the subagent ended without an answer)") + footer, False
        said = f" Its last words: {worker.result}" if worker.result else ""
        error = worker.error.rstrip(".")  # an error that ends a sentence itself
        return f"The {worker.label} failed: {error}.{said}{footer}", True

    def _report(self, worker: Worker) -> None:
        if self.on_report is not None:
            self.on_report(worker, notification(worker))

    def _update(self, worker: Worker, summary: str = "") -> None:
        self.parent.emit(
            TaskUpdate(
                worker.id,
                self.parent.id,
                worker.definition.name,
                worker.description,
                worker.status,
                round(time.monotonic() - worker.started, 3),
                worker.cost_usd,
                worker.usage,
                worker.activity,
                summary,
            )
        )

    def _from_worker(self, worker: Worker, event: Event) -> None:
        """What the parent hears from a worker's session."""
        if isinstance(event, PermissionRequested):
            if not getattr(self.parent, "_listeners", True):
                nobody = PermissionAnswer(False, asked=False)
                event.answer(nobody)
                return
            # Named once, in the description the dialog and the terminal lead with.
            self.parent.emit(
                dataclasses.replace(event, description=f"[{worker.label}] {event.description}")
            )
        elif isinstance(event, ToolStarted):
            worker.tool_uses += 1
            worker.activity = event.description
            self._update(worker)
        elif isinstance(event, Notice):
            self.parent.emit(Notice(f"{worker.label}: {event.message}"))


def notification(worker: Worker) -> str:
    """A worker's report as the coordinator receives it."""
    status = {"stopped": "killed"}.get(worker.status, worker.status)
    summary = f'Agent "{worker.description}" {worker.status}'
    if worker.error:
        summary += f": {worker.error}"
    elapsed = int((time.monotonic() - worker.started) * 1000)
    tokens = worker.usage.input_tokens + worker.usage.output_tokens
    return (
        "<task-notification>\n"
        f"<task-id>{worker.id}</task-id>\n"
        f"<status>{status}</status>\n"
        f"<summary>{escape(summary)}</summary>\n"
        f"<result>{escape(worker.result)}</result>\n"
        f"<usage><total_tokens>{tokens}</total_tokens><tool_uses>{worker.tool_uses}"
        f"</tool_uses><cost_usd>{worker.cost_usd:.4f}</cost_usd><duration_ms>{elapsed}"
        "</duration_ms></usage>\n"
        "</task-notification>"
    )


def _minus(after: Usage, before: Usage) -> Usage:
    return Usage(
        **{
            f.name: getattr(after, f.name) - getattr(before, f.name)
            for f in dataclasses.fields(Usage)
        }
    )


def _today() -> str:
    return date.today().isoformat()


def _first_line(text: str | None, limit: int = 120) -> str:
    """The first non-empty line of a worker's answer, cut to ``limit`` characters: what a
    status line shows of it."""
    line = next((line.strip() for line in (text or "").splitlines() if line.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"

"""Sessions with subagents, and coordinator jobs, built from the outside.

``add_agents(session)`` gives an existing session the Agent tool (foreground subagents).
``open_coordinator(...)`` builds a coordinator job: a session whose tools are only Agent,
SendMessage and TaskStop, whose workers get the ordinary tools, all under one budget.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.agents import texts
from agent.agents.budget import Budget, BudgetedClient
from agent.agents.coordinator import CoordinatorJob
from agent.agents.workers import DEFAULT_LIMIT, Subagents
from agent.tools import default_tools
from agent.tools.agent_tools import agent_tool, send_message_tool, task_stop_tool

if TYPE_CHECKING:
    from agent.config import Config
    from agent.permissions.settings import RuleSet
    from agent.session import Session
    from agent.tools.base import Tool


def attach_agents(session: Session, *, limit: int = DEFAULT_LIMIT) -> Subagents:
    """Offer ``session`` the Agent tool; its subagents choose from its other tools. The
    caller closes the returned ``Subagents`` before the session."""
    subagents = Subagents(session, limit=limit)
    tool = agent_tool(subagents)
    session.tools[tool.name] = tool
    return subagents


def add_agents(session: Session, *, limit: int = DEFAULT_LIMIT) -> Subagents:
    """``attach_agents``, closing the subagents with the session; a session that has its
    subagents already (``Session.subagents``) keeps them."""
    existing = getattr(session, "subagents", None)
    if existing is not None:
        return existing
    subagents = attach_agents(session, limit=limit)
    close_parent = session.aclose

    async def aclose() -> None:
        # The subagents' sessions close with their parent's (transcripts, shells).
        try:
            await subagents.aclose()
        finally:
            await close_parent()

    session.aclose = aclose  # type: ignore[method-assign]
    return subagents


def beside(session: Session) -> dict[str, Any]:
    """What a job or plan started beside ``session`` shares with it: its settings (mode
    included), folder, permission rules and sessions folder (``open_coordinator`` and
    ``planning.make_plan`` keywords)."""
    transcript = session.transcript
    return {
        "config": session.config,
        "workspace": session.ctx.workspace,
        "sessions_dir": transcript.path.parent if transcript is not None else None,
        "rules": session.engine.rules,
    }


def open_coordinator(
    *,
    client: Any,
    config: Config,
    workspace: Path,
    sessions_dir: Path | None,
    rules: RuleSet | None = None,
    budget_usd: float | None = None,
    limit: int = DEFAULT_LIMIT,
    worker_tools: list[Tool[Any]] | None = None,
) -> CoordinatorJob:
    """A coordinator job in ``workspace``; ``worker_tools`` default to the built-in tools.
    With ``budget_usd``, every model request of the job counts against it."""
    from agent.session import Session

    budget = Budget(budget_usd) if budget_usd is not None else None
    if budget is not None:
        client = BudgetedClient(client, budget)
    pool = worker_tools if worker_tools is not None else default_tools()
    session = Session(
        client=client,
        config=config,
        workspace=workspace,
        sessions_dir=sessions_dir,
        tools=pool,
        rules=rules,
    )
    subagents = Subagents(session, pool=pool, limit=limit, background=True)
    tools = [agent_tool(subagents), send_message_tool(subagents), task_stop_tool(subagents)]
    session.tools = {tool.name: tool for tool in tools}  # nothing that reads or changes files
    intro = texts.with_environment(
        texts.COORDINATOR, str(session.ctx.workspace), date.today().isoformat(), subagent=False
    )
    session.system = [{"type": "text", "text": intro}, *session.system[1:]]
    return CoordinatorJob(session, subagents, budget)

"""Deep planning: a long read-only planning run whose result is a saved plan.

``make_plan`` runs one session in plan mode (nothing can change), with a large thinking
budget, the read-only tools and the Agent tool (explore and plan subagents do the
searching), until it answers or ``minutes`` run out. The plan is saved as Markdown with a
small front matter in ``<data dir>/plans/<id>.md``; ``list_plans`` reads them back.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent import paths
from agent.agents import texts
from agent.agents.definitions import BUILTIN, Catalog
from agent.agents.workers import Subagents
from agent.tools.agent_tools import agent_tool
from agent.tools.base import ToolKind
from agent.transcript import new_session_id, now_iso
from agent.usage import Usage

if TYPE_CHECKING:
    from agent.config import Config
    from agent.permissions.settings import RuleSet
    from agent.session import Session

DEFAULT_MINUTES = 30
THINKING_BUDGET = 16_000
PLANNER = """You are the planner: you make a thorough implementation plan and change nothing.
You are in plan mode: tools that write, edit or run commands are not offered. Study the
code yourself with the read-only tools and with explore and plan subagents (several at once
for independent questions). Then answer with the plan in Markdown: the goal, the findings
it rests on (files and lines), numbered steps naming the files and the changes, risks and
open questions, and how to verify the result."""


@dataclass(frozen=True)
class Plan:
    """A saved plan: ``status`` is ready, timed out, interrupted or failed."""

    id: str
    prompt: str
    cwd: str
    created: str
    status: str
    cost_usd: float
    text: str
    path: Path


def plans_dir() -> Path:
    return paths.data_dir() / "plans"


async def make_plan(
    prompt: str,
    *,
    client: Any,
    config: Config,
    workspace: Path,
    sessions_dir: Path | None,
    rules: RuleSet | None = None,
    minutes: float = DEFAULT_MINUTES,
    listeners: tuple[Any, ...] = (),
) -> Plan:
    """Plan ``prompt`` in ``workspace`` for at most ``minutes``; the saved ``Plan``."""
    from agent.session import Session

    max_tokens = max(config.max_tokens, THINKING_BUDGET * 2)
    planning = config.override(
        mode="plan",
        max_tokens=max_tokens,
        thinking_budget=max(config.thinking_budget, THINKING_BUDGET),
    )
    session = Session(
        client=client, config=planning, workspace=workspace, sessions_dir=sessions_dir, rules=rules
    )
    read_only = [t for t in session.tools.values() if t.kind is ToolKind.READ]
    catalog = Catalog({name: BUILTIN[name] for name in ("explore", "plan")})
    subagents = Subagents(session, pool=read_only, catalog=catalog)
    session.tools = {t.name: t for t in [*read_only, agent_tool(subagents)]}
    intro = texts.with_environment(
        PLANNER, str(session.ctx.workspace), date.today().isoformat(), subagent=False
    )
    session.system = [{"type": "text", "text": intro}, *session.system[1:]]
    for listener in listeners:
        session.subscribe(listener)
    started: list[bool] = []
    session.subscribe(lambda e: started.append(True) if e.kind == "turn_started" else None)
    status, text, cancelled = "ready", "", False
    turn = asyncio.ensure_future(session.submit(prompt))
    try:
        try:
            outcome = await asyncio.wait_for(asyncio.shield(turn), minutes * 60)
        except TimeoutError:
            status = "timed out"
        except asyncio.CancelledError:
            # Ctrl-C, or the app closing: the plan is kept as interrupted, then we go.
            status, cancelled = "interrupted", True
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # raised again once the plan is saved
        if status != "ready":
            outcome = await _stop_turn(session, turn, started)
        text = outcome.text
        if status == "ready" and outcome.stop_reason != "end_turn":
            status = {"interrupted": "interrupted"}.get(outcome.stop_reason, "failed")
            text = text or outcome.error
    finally:
        # The turn (and the foreground subagents it awaits) ends before any transcript
        # closes: a subagent still streaming would otherwise write to a closed file.
        if not turn.done():
            turn.cancel()
            await asyncio.gather(turn, return_exceptions=True)
        await subagents.aclose()
        await session.aclose()
    plan = save_plan(prompt, str(session.ctx.workspace), status, session.state.cost_usd, text)
    if cancelled:
        raise asyncio.CancelledError
    return plan


async def _stop_turn(session: Session, turn: asyncio.Future[Any], started: list[bool]) -> Any:
    """Interrupt the planning turn and wait until it has ended cleanly (its subagents
    cancelled, its spending counted); its ``TurnOutcome``."""
    if started:
        session.interrupt()
    else:  # not begun yet: nothing was asked or spent
        turn.cancel()
    try:
        return await asyncio.shield(turn)
    except asyncio.CancelledError:
        if not turn.cancelled():
            raise
        from agent.session import TurnOutcome

        return TurnOutcome("interrupted", "", Usage(), "")


def save_plan(prompt: str, cwd: str, status: str, cost_usd: float, text: str) -> Plan:
    """Write a plan file; the ``Plan``."""
    plan_id = new_session_id()
    folder = plans_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{plan_id}.md"
    meta = {"id": plan_id, "prompt": prompt, "cwd": cwd, "created": now_iso(), "status": status}
    head = "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in meta.items())
    path.write_text(f"---\n{head}\ncost_usd: {cost_usd:.6f}\n---\n{text}\n", encoding="utf-8")
    return Plan(plan_id, prompt, cwd, meta["created"], status, cost_usd, text, path)


def list_plans() -> list[Plan]:
    """The saved plans, newest first (unreadable files are skipped)."""
    plans = []
    for path in sorted(plans_dir().glob("*.md"), reverse=True):
        try:
            plans.append(read_plan(path))
        except (OSError, ValueError):
            continue
    return plans


def read_plan(path: Path) -> Plan:
    """One plan file; ``ValueError`` when it is not one."""
    text = path.read_text(encoding="utf-8")
    _, head, body = text.split("---\n", 2)
    meta: dict[str, Any] = {}
    for line in head.splitlines():
        key, value = line.split(": ", 1)
        meta[key] = json.loads(value)
    return Plan(
        str(meta["id"]),
        str(meta["prompt"]),
        str(meta["cwd"]),
        str(meta["created"]),
        str(meta["status"]),
        float(meta["cost_usd"]),
        body.rstrip("\n"),
        path,
    )

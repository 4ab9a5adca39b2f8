"""``harken ask --coordinator``: a whole job directed by a coordinator, in the terminal.

``run_coordinator`` is what ``desktop.cli`` calls for ``ask`` when ``--coordinator`` is
given or the ``coordinator`` setting is on. The coordinator's events (its text, its tool
calls, its workers' task updates and every permission question, the workers' included)
go to the same renderers and the same permission policy as an ordinary ``harken ask``;
Ctrl-C stops the whole job. ``--max-budget-usd`` caps the job's spending (coordinator
plus workers); ``budget_session`` applies the same cap to an ordinary session and its
subagents.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


def add_coordinator_options(parser: argparse.ArgumentParser) -> None:
    """``--coordinator`` and ``--max-budget-usd`` on ``harken ask``."""
    parser.add_argument(
        "--coordinator",
        action="store_true",
        default=None,
        help="direct parallel workers (research, plan, implement, verify) instead of "
        "working alone (default: the 'coordinator' setting)",
    )
    parser.add_argument(
        "--max-budget-usd",
        type=_positive_usd,
        metavar="USD",
        help="stop the whole job (and its workers) once it has cost this many dollars",
    )


def _positive_usd(value: str) -> float:
    try:
        amount = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of dollars: {value!r}") from None
    if not amount > 0:
        raise argparse.ArgumentTypeError("the budget must be more than 0 dollars")
    return amount


def wants_coordinator(args: argparse.Namespace, config: Any) -> bool:
    """Whether this ``harken ask`` runs as a coordinator job."""
    flag = getattr(args, "coordinator", None)
    return args.command == "ask" and (flag if flag is not None else bool(config.coordinator))


def budget_session(session: Any, usd: float | None) -> Any:
    """Put ``session`` (and so its subagents, which share its client) under a budget of
    ``usd`` dollars; returns the ``Budget`` or None."""
    if usd is None:
        return None
    from agent.agents.budget import Budget, BudgetedClient

    budget = Budget(usd)
    session.client = BudgetedClient(session.client, budget)
    return budget


async def run_coordinator(
    args: argparse.Namespace, config: Any, workspace: Path, key: str | None, rules: Any
) -> int:
    """Run ``args.prompt`` as a coordinator job; the exit status."""
    import asyncio

    from agent import paths
    from agent.agents.factory import open_coordinator
    from desktop.sessions import new_client
    from desktop.terminal import HumanRenderer, JsonRenderer, PermissionPolicy

    client = new_client(config, key)
    job = open_coordinator(
        client=client,
        config=config,
        workspace=workspace,
        sessions_dir=paths.sessions_dir(),
        rules=rules,
        budget_usd=getattr(args, "max_budget_usd", None),
    )
    session = job.session
    session.subscribe(JsonRenderer() if args.json else HumanRenderer())
    policy = PermissionPolicy(yes=args.yes, interactive=sys.stdin.isatty())
    session.subscribe(lambda e: policy.handle(e) if e.kind == "permission_requested" else None)
    if not args.json:
        session.subscribe(_task_lines)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, job.interrupt)
    try:
        outcome = await job.run(args.prompt)
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        try:
            await job.aclose()
        finally:
            await client.aclose()
    print(
        f"[job: {outcome.rounds} coordinator turn(s), {len(job.subagents.workers)} worker(s), "
        f"${outcome.cost_usd:.4f}]",
        file=sys.stderr,
    )
    if outcome.stop_reason == "budget":
        print(f"harken: {outcome.error}", file=sys.stderr)
        return EXIT_FAILED
    if outcome.stop_reason == "interrupted":
        print("harken: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    if outcome.stop_reason in ("error", "max_turns", "max_rounds"):
        print(f"harken: {outcome.error or outcome.stop_reason}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _task_lines(event: Any) -> None:
    """One stderr line when a worker starts or ends (its tool calls stay quiet)."""
    if event.kind != "task" or (event.status == "running" and event.activity):
        return
    if event.status == "running":
        line = f"◆ worker {event.task_id} ({event.agent_type}): {event.description}"
    else:
        line = f"◆ worker {event.task_id} {event.status}: {event.summary or event.description}"
    print(line, file=sys.stderr, flush=True)

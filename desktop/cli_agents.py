"""``harken ask --coordinator`` (a whole job directed by a coordinator) and ``harken plan``
(deep planning), in the terminal.

    harken plan PROMPT [--cwd DIR] [--minutes N] [--json] [--yes]   a read-only plan, saved
    harken plan --list [--json]                                      the saved plans
    harken agents [list|trust] [--cwd DIR] [--yes]      the agent types; trust the project's

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
EXIT_USAGE = 2
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


def _positive_minutes(value: str) -> float:
    try:
        minutes = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {value!r}") from None
    if not minutes > 0 or minutes == float("inf"):
        raise argparse.ArgumentTypeError("the time must be more than 0 minutes")
    return minutes


def wants_coordinator(args: argparse.Namespace, config: Any) -> bool:
    """Whether this ``harken ask`` runs as a coordinator job."""
    flag = getattr(args, "coordinator", None)
    if flag is None and getattr(args, "resume", None):
        return False  # the setting does not stop a session from being resumed
    return args.command == "ask" and (flag if flag is not None else bool(config.coordinator))


def budget_session(session: Any, usd: float | None) -> Any:
    """Put ``session`` (and so its subagents, which share its client) under a budget of
    ``usd`` dollars; returns the ``Budget`` or None."""
    if usd is None:
        return None
    from agent.agents.budget import Budget, BudgetedClient

    budget = Budget(usd, scope="the session and its subagents", stopped="the session")
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
    whole = not sys.stdout.isatty()  # a pipe gets whole messages, never a retried fragment
    session.subscribe(JsonRenderer() if args.json else HumanRenderer(whole_messages=whole))
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


def add_commands(commands: Any) -> None:
    """Add ``plan`` and ``agents`` to the ``harken`` subparsers ``commands``."""
    agents = commands.add_parser("agents", help="list the agent types, or trust a project's")
    agents.add_argument("action", nargs="?", choices=("list", "trust"), default="list")
    agents.add_argument("--cwd", type=Path, help="the project folder (default: here)")
    agents.add_argument("--yes", action="store_true", help="trust without asking")
    agents.set_defaults(handler=run_agents)
    plan = commands.add_parser("plan", help="plan a change in depth (read-only), or list plans")
    plan.add_argument("prompt", nargs="?", help="what to plan")
    plan.add_argument("--cwd", type=Path, help="the folder to plan in (default: here)")
    plan.add_argument(
        "--minutes",
        type=_positive_minutes,
        default=30,
        metavar="N",
        help="plan for at most N minutes",
    )
    plan.add_argument("--list", action="store_true", help="list the saved plans")
    plan.add_argument("--json", action="store_true", help="print JSON")
    plan.add_argument("--yes", action="store_true", help="allow every permission question")
    plan.set_defaults(handler=run_plan)


def run_agents(args: argparse.Namespace) -> int:
    """``harken agents``: the agent types here; ``harken agents trust``: trust exactly the
    project's agent files as they are now (a changed file asks again)."""
    from agent.agents.definitions import TRUST_KEY, load_catalog
    from agent.hooks import trust

    workspace = (args.cwd or Path.cwd()).expanduser()
    catalog = load_catalog(workspace)
    if args.action == "list":
        for agent in catalog.agents.values():
            print(f"{agent.name} ({agent.source}): {agent.description}")
        for agent in catalog.untrusted:
            print(f"{agent.name} ({agent.source}, not trusted: run `harken agents trust`)")
        return EXIT_OK
    if not catalog.untrusted:
        print("Nothing to trust: this folder offers no new agents.")
        return EXIT_OK
    print(f"{workspace}/.harken/agents offers:")
    for agent in catalog.untrusted:
        tools = ", ".join(agent.tools) if agent.tools is not None else "all tools"
        print(f"  {agent.name} ({tools}): {agent.description}")
    if not args.yes:
        if not sys.stdin.isatty():
            print("harken: run this on a terminal to answer (or pass --yes)", file=sys.stderr)
            return EXIT_FAILED
        if input("Trust these agents for this folder? [y/N] ").strip().lower() not in (
            "y",
            "yes",
        ):
            return EXIT_FAILED
    trust.trust(workspace, TRUST_KEY, catalog.project_fingerprint)
    print("Trusted.")
    return EXIT_OK


def run_plan(args: argparse.Namespace) -> int:
    """``harken plan``: make a plan, or list the saved ones."""
    import asyncio
    import json

    from agent.agents.planning import list_plans

    if args.list and args.prompt:
        print("harken: plan --list takes no PROMPT", file=sys.stderr)
        return EXIT_USAGE
    if args.list:
        plans = list_plans()
        for plan in plans:
            if args.json:
                row = {k: getattr(plan, k) for k in ("id", "prompt", "cwd", "created", "status")}
                print(json.dumps(row | {"path": str(plan.path)}, ensure_ascii=False))
            else:
                print(f"{plan.id}  {plan.status:<11} {plan.prompt[:60]}  ({plan.path})")
        if not plans and not args.json:
            print("No plans yet.", file=sys.stderr)
        return EXIT_OK
    if not args.prompt:
        print("harken: plan needs a PROMPT (or --list)", file=sys.stderr)
        return EXIT_USAGE
    try:
        return asyncio.run(_plan(args))
    except KeyboardInterrupt:
        print("harken: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


async def _plan(args: argparse.Namespace) -> int:
    import asyncio

    from agent import paths
    from agent.agents.planning import make_plan
    from agent.config import load_config
    from agent.credentials import api_key
    from agent.errors import HarkenError
    from desktop.sessions import new_client, project_rules
    from desktop.terminal import PermissionPolicy

    config = load_config()
    workspace = (args.cwd or Path.cwd()).expanduser()
    if not workspace.is_dir():
        print(f"harken: {workspace} is not a folder", file=sys.stderr)
        return 2
    rules = project_rules(workspace, lambda text: print(f"harken: note: {text}", file=sys.stderr))
    policy = PermissionPolicy(yes=args.yes, interactive=sys.stdin.isatty())
    client = new_client(config, api_key())
    planning = asyncio.ensure_future(
        make_plan(
            args.prompt,
            client=client,
            config=config,
            workspace=workspace,
            sessions_dir=paths.sessions_dir(),
            rules=rules,
            minutes=args.minutes,
            listeners=(
                lambda e: policy.handle(e) if e.kind == "permission_requested" else None,
                _task_lines,
            ),
        )
    )
    loop = asyncio.get_running_loop()
    # As `harken ask`: Ctrl-C stops the run (also when the shell ignores SIGINT for a
    # background job, where asyncio.run installs no handler); the plan so far is saved.
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, planning.cancel)
    try:
        plan = await planning
    except asyncio.CancelledError:
        if not planning.cancelled():
            raise
        print("harken: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except HarkenError as exc:
        print(f"harken: {exc}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
        await client.aclose()
    if args.json:
        import json

        print(json.dumps({"id": plan.id, "status": plan.status, "path": str(plan.path)}))
    else:
        print(plan.text)
        print(
            f"[plan {plan.id}: {plan.status}, ${plan.cost_usd:.4f}; {plan.path}]", file=sys.stderr
        )
    return EXIT_OK if plan.status == "ready" else EXIT_FAILED

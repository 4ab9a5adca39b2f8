"""``harken tasks add|list|remove|run``: scheduled tasks from the shell.

    harken tasks add PROMPT --cron EXPR [--cwd DIR] [--mode M] [--allow RULE]... [--name N]
                                  prints the new task's id
    harken tasks list [--json]    JSON: a list of {"id", "name", "cron", "cwd", "mode",
                                  "next_run", "last_run", "last_status"}
    harken tasks remove ID
    harken tasks run ID [--yes]   now, in the foreground (the answer streams to stdout); on
                                  a terminal a question is asked, --yes allows them all
    harken tasks proactive on|off|status [--cwd DIR] [--every S] [--budget-usd USD]
                                  ticks for a folder while you are away (``agent.tasks.ticks``)
    harken daemon [--wait-for-lock]
                                  run due tasks headless until SIGTERM (``desktop.daemon``)

Tasks run when due in a host (the tray app or ``harken daemon``); ``run`` runs one now.
Usage errors (an invalid cron expression, a missing folder, a bad rule) exit 2; a corrupt
tasks file or an unknown id exit 1. Nothing heavy is imported at the top.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
MODES = ("plan", "standard", "auto", "bypass")
LIST_FIELDS = ("id", "name", "cron", "cwd", "mode", "next_run", "last_run", "last_status")


def add_commands(commands: Any) -> None:
    """Add ``tasks`` and its actions to the ``harken`` subparsers ``commands``."""
    parser = commands.add_parser("tasks", help="prompts that run on a schedule")
    actions = parser.add_subparsers(dest="tasks_action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a task; prints its id")
    add.add_argument("prompt", help="what the task asks")
    add.add_argument(
        "--cron", required=True, metavar="EXPR", help="five-field cron, e.g. '0 9 * * 1-5'"
    )
    add.add_argument("--cwd", type=Path, help="the folder it works in (default: here)")
    add.add_argument("--mode", choices=MODES, default="standard", help="permission mode")
    add.add_argument(
        "--allow",
        action="append",
        default=[],
        metavar="RULE",
        help="allow calls matching RULE, e.g. 'Bash(git log:*)' (repeatable)",
    )
    add.add_argument("--name", help="a short name (default: the prompt's first words)")
    add.set_defaults(handler=run_add)

    listing = actions.add_parser("list", help="list tasks and when they run next")
    listing.add_argument("--json", action="store_true", help="a JSON list")
    listing.set_defaults(handler=run_list)

    remove = actions.add_parser("remove", help="remove a task")
    remove.add_argument("id")
    remove.set_defaults(handler=run_remove)

    run = actions.add_parser("run", help="run a task now, in the foreground")
    run.add_argument("id")
    run.add_argument(
        "--yes", action="store_true", help="allow every permission question (as harken ask)"
    )
    run.set_defaults(handler=run_now)

    proactive = actions.add_parser(
        "proactive", help="ticks while you are away, for one folder (off by default)"
    )
    proactive.add_argument("state", choices=("on", "off", "status"), nargs="?", default="status")
    proactive.add_argument("--cwd", type=Path, help="the folder (default: here)")
    proactive.add_argument("--every", type=float, metavar="SECONDS", help="at least this apart")
    proactive.add_argument("--budget-usd", type=float, metavar="USD", help="daily spending cap")
    proactive.add_argument("--mode", choices=MODES, help="permission mode (default: plan)")
    proactive.add_argument("--allow", action="append", metavar="RULE", help="allow rule")
    proactive.set_defaults(handler=run_proactive)

    daemon = commands.add_parser("daemon", help="run scheduled tasks headless (no screen)")
    daemon.add_argument(
        "--wait-for-lock",
        action="store_true",
        help="while another scheduler (the tray app) runs, wait for it to stop instead of "
        "exiting (for a systemd unit)",
    )
    daemon.set_defaults(handler=run_daemon)


def fail(message: str, code: int = EXIT_FAILED) -> int:
    print(f"harken: {message}", file=sys.stderr)
    return code


def run_add(args: argparse.Namespace) -> int:
    from agent.errors import ConfigError
    from agent.permissions.rules import parse_rule
    from agent.tasks.model import Task, TaskError, default_name, iso, new_task_id, now, plain_name
    from agent.tasks.schedule import check_cron
    from agent.tasks.store import TaskStore

    try:
        cron = check_cron(args.cron)
        for rule in args.allow:
            parse_rule(rule)
    except (TaskError, ConfigError) as exc:
        return fail(str(exc), EXIT_USAGE)
    workspace = (args.cwd or Path.cwd()).expanduser().resolve()
    if not workspace.is_dir():
        return fail(f"{workspace} is not a folder", EXIT_USAGE)
    if not args.prompt.strip():
        return fail("the prompt is empty", EXIT_USAGE)
    task = Task(
        id=new_task_id(),
        name=plain_name(args.name or "") or default_name(args.prompt),
        prompt=args.prompt,
        cron=cron,
        cwd=str(workspace),
        mode=args.mode,
        allow=list(args.allow),
        created=iso(now()),
    )
    try:
        TaskStore().add(task)
    except TaskError as exc:
        return fail(str(exc))
    print(task.id)
    return EXIT_OK


def run_list(args: argparse.Namespace) -> int:
    from agent.tasks.model import TaskError, iso, now, parse_iso, plain_name
    from agent.tasks.schedule import next_run, problem
    from agent.tasks.store import TaskStore

    try:
        tasks, unreadable = TaskStore().load_valid()
    except TaskError as exc:
        return fail(str(exc))
    moment = now()
    rows = []
    for task in tasks:
        why = problem(task)
        if why is not None:  # a hand-edited cron, time or rule: listed as a warning
            unreadable.append(why)
            continue
        rows.append(
            {
                "id": task.id,
                "name": task.name,
                "cron": task.cron,
                "cwd": task.cwd,
                "mode": task.mode,
                "next_run": iso(next_run(task, moment)),  # local time, its offset that day
                "last_run": iso(parse_iso(task.last_run).astimezone()) if task.last_run else None,
                "last_status": task.last_status,
            }
        )
    for line in unreadable:  # the others are listed; this one is skipped until fixed
        print(f"harken: warning: {line}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        print("No tasks yet. Add one with `harken tasks add PROMPT --cron EXPR`.", file=sys.stderr)
        return EXIT_OK
    print(
        f"{'ID':<11} {'CRON':<16} {'NEXT RUN':<17} {'LAST RUN':<17} {'LAST':<12} {'MODE':<9} NAME"
    )
    for row in rows:
        due = parse_iso(str(row["next_run"])) <= moment
        when = "now (overdue)" if due else _minute(row["next_run"])
        print(
            f"{row['id']:<11} {row['cron']:<16} {when:<17} {_minute(row['last_run']):<17} "
            f"{row['last_status'] or '-':<12} {row['mode']:<9} {plain_name(str(row['name']))}"
        )
    return EXIT_OK


def _minute(stamp: object) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM`` (local), or ``-``."""
    return str(stamp).replace("T", " ")[:16] if stamp else "-"


def run_remove(args: argparse.Namespace) -> int:
    from agent.tasks.model import TaskError
    from agent.tasks.store import TaskStore

    try:
        task = TaskStore().remove(args.id)
    except TaskError as exc:
        return fail(str(exc))
    print(f"Removed {task.id} ({task.name}).", file=sys.stderr)
    return EXIT_OK


def run_now(args: argparse.Namespace) -> int:
    import asyncio

    from agent.errors import HarkenError

    try:
        return asyncio.run(_run_now(args.id, yes=getattr(args, "yes", False)))
    except HarkenError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("interrupted", EXIT_INTERRUPTED)


async def _run_now(task_id: str, *, yes: bool = False) -> int:
    import asyncio
    import contextlib
    import signal

    from agent.events import PermissionAnswer, PermissionRequested
    from agent.tasks.runner import run_task
    from agent.tasks.store import TaskStore
    from desktop.terminal import HumanRenderer, PermissionPolicy

    store = TaskStore()
    task = store.get(task_id)
    print(f"Running {task.id} ({task.name}) in {task.cwd}, {task.mode} mode.", file=sys.stderr)
    current = asyncio.current_task()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, current.cancel)  # type: ignore[union-attr]
    # Someone is here: on a terminal a question is asked as `harken ask` asks it (--yes
    # allows all); without one, the task's rules decide and a question is refused.
    policy = PermissionPolicy(yes=yes, interactive=sys.stdin.isatty())
    ask = None
    if policy.yes or policy.interactive:

        async def ask(event: PermissionRequested) -> PermissionAnswer | None:
            policy.handle(event)
            return await event.wait()

    try:
        result = await run_task(
            store,
            task_id,
            listeners=[HumanRenderer(whole_messages=not sys.stdout.isatty())],
            ask=ask,
            question_timeout=None,  # the user is at the terminal: no timeout
            note=lambda text: print(f"harken: warning: {text}", file=sys.stderr),
            on_wait=lambda text: print(f"harken: {text} (Ctrl-C to stop)", file=sys.stderr),
        )
    except asyncio.CancelledError:
        return fail("interrupted", EXIT_INTERRUPTED)
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)
    print(f"Task {result.task.id}: {result.status}.", file=sys.stderr)
    if result.status == "ok":
        return EXIT_OK
    return fail(result.summary or result.status)


def run_proactive(args: argparse.Namespace) -> int:
    """``harken tasks proactive on|off|status``: the folder's proactive mode."""
    from agent.errors import ConfigError
    from agent.permissions.rules import parse_rule
    from agent.tasks.model import TaskError, now
    from agent.tasks.proactive import ProactiveStore

    workspace = (args.cwd or Path.cwd()).expanduser().resolve()
    if args.state != "status":
        if not workspace.is_dir():
            return fail(f"{workspace} is not a folder", EXIT_USAGE)
        # ``not x >= 1`` is also true for NaN, which would otherwise switch the cap off.
        if (args.every is not None and not 1 <= args.every < math.inf) or (
            args.budget_usd is not None and not 0 <= args.budget_usd < math.inf
        ):
            return fail(
                "--every must be at least 1 second and --budget-usd not negative (finite numbers)",
                EXIT_USAGE,
            )
        try:
            for rule in args.allow or []:
                parse_rule(rule)
        except ConfigError as exc:
            return fail(str(exc), EXIT_USAGE)

    def apply(item: Any) -> None:
        item.enabled = args.state == "on"
        for name, value in (("every_s", args.every), ("daily_budget_usd", args.budget_usd),
                            ("mode", args.mode), ("allow", args.allow)):  # fmt: skip
            if value is not None:
                setattr(item, name, value)

    store = ProactiveStore()
    try:
        item = store.get(workspace) if args.state == "status" else None
        if item is None:
            store.change(workspace, apply)
            item = store.get(workspace)
    except TaskError as exc:
        return fail(str(exc))
    state = "on" if item.enabled else "off"
    today = now().date().isoformat()
    print(
        f"Proactive mode is {state} in {item.workspace}: a tick at most every "
        f"{item.every_s:g} s, {item.mode} mode, at most ${item.daily_budget_usd:.2f} a day "
        f"(${item.spent_on(today):.4f} spent today)."
    )
    if item.enabled:
        print("Ticks run while a host runs: the tray app or `harken daemon`.", file=sys.stderr)
    return EXIT_OK


def run_daemon(args: argparse.Namespace) -> int:
    """``harken daemon``: see ``desktop.daemon``."""
    from desktop.daemon import run_daemon as daemon

    return daemon(args)

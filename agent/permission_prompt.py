"""How a session asks its user about a tool call its rules leave open, keeps an "always
allow" answer, and says once that no sandbox confines its commands."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from agent.errors import HarkenError
from agent.events import Event, Notice, PermissionAnswer, PermissionRequested
from agent.permissions import Decision, Mode, PermissionEngine, ToolCall
from agent.permissions.rules import Source, parse_rule
from agent.permissions.settings import save_rule


async def ask(
    call: ToolCall,
    decision: Decision,
    *,
    listening: bool,
    emit: Callable[[Event], None],
    notify: Callable[[str, str], None],
) -> PermissionAnswer:
    """Ask the listeners about ``call`` and wait for the answer; a refusal when nobody
    listens. ``notify`` runs the Notification hooks."""
    if not listening:
        return PermissionAnswer(False, asked=False)
    future: asyncio.Future[PermissionAnswer] = asyncio.get_running_loop().create_future()
    request = PermissionRequested(
        call.id,
        call.name,
        call.description,
        call.input,
        decision.reason,
        str(decision.risk),
        decision.suggestion,
        future,
    )
    notify(f"Harken needs your permission to use {call.name}", "permission_prompt")
    emit(request)
    try:
        return await request.wait()
    finally:
        # Interrupted while waiting: the question is moot; late answers are ignored.
        if not future.done():
            future.cancel()


def keep_allow_rule(
    engine: PermissionEngine,
    workspace: Path,
    rule_text: str,
    *,
    save: bool,
    emit: Callable[[Event], None],
) -> None:
    """Allow ``rule_text`` from now on; with ``save``, also in the user's settings for
    ``workspace`` (never in the project, which the user may not control)."""
    engine.add_rule("allow", parse_rule(rule_text, Source.WORKSPACE))
    if save:
        try:
            save_rule(workspace, "allow", rule_text)
        except HarkenError as exc:
            emit(Notice(f"Could not save the rule {rule_text}: {exc}"))


def missing_sandbox_notice(engine: PermissionEngine) -> str | None:
    """What to tell the user when commands would run unconfined in a mode that counts on
    the sandbox (auto, bypass); None when there is a sandbox or the mode asks anyway."""
    if engine.sandbox or engine.mode not in (Mode.AUTO, Mode.BYPASS):
        return None
    from agent.sandbox import sandbox_status  # probes the system: only when needed

    then = (
        "commands will ask first"
        if engine.mode is Mode.AUTO
        else "commands that might reach the network will ask first"
    )
    return f"No sandbox: {sandbox_status().reason}; {then}."

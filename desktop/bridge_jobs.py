"""Work the agent thread runs beside its session: coordinator jobs and deep plans.

Both take the session's settings, folder and rules (``agent.agents.factory.beside``); a
plan also gets its own API client, so it survives a New session. Called on the agent
thread by ``desktop.bridge``; agent modules load only when one starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)


def coordinator_job(session: Any) -> Any:
    """A coordinator job beside ``session``: its client, settings (mode included),
    folder, rules and sessions folder; closed after its one request."""
    from agent.agents.factory import beside, open_coordinator

    return open_coordinator(client=session.client, **beside(session))


async def plan_beside(
    session: Callable[[], Any], prompt: str, minutes: float, post_event: Callable[[Any], None]
) -> Any:
    """Plan ``prompt`` (read-only, ``agent.agents.planning``) beside the session that
    ``session()`` gives; its subagents' ``task`` events and notices go to ``post_event``.
    Returns the ``Plan``, or a one-line error."""
    client = None
    try:
        from agent.agents.factory import beside
        from agent.agents.planning import make_plan
        from agent.credentials import api_key
        from desktop.sessions import new_client

        current = session()  # its settings, folder and rules
        client = new_client(current.config, api_key())  # survives a New session
        listeners = (lambda event: _plan_event(event, post_event),)
        return await make_plan(
            prompt, client=client, minutes=minutes, listeners=listeners, **beside(current)
        )
    except Exception as exc:
        log.exception("planning failed")
        return one_line(exc)
    finally:
        if client is not None:
            await client.aclose()


def _plan_event(event: Any, post_event: Callable[[Any], None]) -> None:
    # Only what concerns the app: a background plan has no turn on screen, and
    # nobody is there to answer a question (plan mode rarely asks one).
    if event.kind == "permission_requested":
        from agent.events import PermissionAnswer

        event.answer(PermissionAnswer(False, message="a background plan asks nobody", asked=False))
    elif event.kind in ("task", "notice"):
        post_event(event)


def one_line(exc: BaseException) -> str:
    """A failure as one line for people: the first line of its message, else its type."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

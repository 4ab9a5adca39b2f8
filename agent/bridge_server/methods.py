"""The methods every bridge offers before a host adds its own.

status          observe   {"pid", "version", "methods"}; a host adds its state later
sessions.list   control   recent sessions from disk (id, started, cwd, first prompt,
                          turns, cost): past prompts are more than the live events an
                          observe token is for
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import asdict
from typing import Any

from agent.bridge_server.rpc import INVALID_PARAMS, MethodTable, RpcError
from agent.bridge_server.tokens import CONTROL, OBSERVE

SESSIONS_LIMIT = 50


def harken_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("harken")
    except PackageNotFoundError:
        return "0+unknown"


def default_methods() -> MethodTable:
    """A table holding ``status`` and ``sessions.list``."""
    table = MethodTable()
    version = harken_version()

    async def status(params: dict[str, Any]) -> dict[str, Any]:
        return {"pid": os.getpid(), "version": version, "methods": table.names()}

    table.register("status", status, OBSERVE)
    table.register("sessions.list", list_sessions, CONTROL)
    return table


async def list_sessions(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The newest sessions (``limit``, default 50), as ``harken sessions --json`` prints them."""
    limit = params.get("limit", SESSIONS_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise RpcError(INVALID_PARAMS, "limit must be a positive integer")
    from agent import paths, transcript

    # Reading transcripts is file work: off the loop, so the agent's events keep flowing.
    summaries = await asyncio.to_thread(transcript.list_sessions, paths.sessions_dir())
    return [asdict(s) for s in summaries[:limit]]

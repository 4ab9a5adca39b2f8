"""MCP both ways: other servers' tools as the agent's tools, and Harken's tools as a server.

    config.py      mcpServers entries from $XDG_CONFIG_HOME/harken/mcp.json (user) and
                   <workspace>/.mcp.json (project), ${VAR} expanded; adding and removing
    trust.py       a project's set of servers starts only once the user trusted exactly it
    connection.py  one server over stdio, streamable HTTP or legacy SSE: start (timeout),
                   tools/list and tools/list_changed, calls, restart after a crash or hang
    tools.py       mcp__<server>__<tool> Tool objects; results as tool_result blocks
    manager.py     the servers of a workspace, started in parallel, their tools kept in the
                   sessions; ``shared`` for a long-running host
    serve.py       ``harken mcp serve``: Harken's own tools over stdio, every call decided
                   by the permission engine, questions through MCP elicitation

May import: ``agent`` (config, events, permissions, tools, tool_runner, and
``hooks.trust`` for the fingerprint of the files a trusted entry runs), the standard
library, pydantic, and the ``mcp`` SDK, which only ``connection.py`` and ``serve.py``
import, inside functions: with no server configured nothing here loads it, so neither
``harken ask`` nor the tray pays for it. Never ``desktop`` or ``audio``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agent.mcp.manager import AskTrust, McpServers, Note


async def start_for_session(
    session: Any,
    *,
    ask: AskTrust | None = None,
    note: Note | None = None,
    warn: Note | None = None,
    wait: bool = True,
) -> McpServers | None:
    """Start the servers configured for ``session``'s workspace and offer their tools in it;
    with ``wait``, until each is up or failed (at most the start-up timeout), so the tools
    are there from the first request. None when no server is configured."""
    from agent.mcp.manager import load

    servers = load(Path(session.ctx.workspace), ask=ask, note=note, warn=warn)
    if servers is None:
        return None
    servers.attach(session)
    if wait:
        await servers.wait()
    else:
        servers.start()
    return servers


__all__ = ["start_for_session"]

"""The agent bridge's MCP side: the workspace's MCP servers, kept on the agent thread.

``BridgeMcp`` is mixed into ``desktop.bridge.AgentBridge``: ``start_mcp(workspace)`` starts
the servers configured for a folder in the background (``agent.mcp.manager.shared``), so
their tools are there by the first turn; a session attached later gets them too;
``mcp_statuses(workspace)`` reads their statuses where they change. A turn waits for
servers still starting, a closed session is detached from them, and at quit they stop.
``agent.mcp.manager`` loads only when a server is configured: until then it is not in
``sys.modules`` and each of these steps is nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from typing import Any

log = logging.getLogger(__name__)

MANAGER = "agent.mcp.manager"


class BridgeMcp:
    """Mixed into ``AgentBridge``, which sets the attributes below."""

    _loop: asyncio.AbstractEventLoop | None
    _mcp: dict[str, Any]  # realpath(workspace) -> the McpServers started there

    def start_mcp(self, workspace: Any) -> None:
        """Start the MCP servers configured for ``workspace`` now, in the background (on the
        agent thread), so their tools are there by the first turn."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._mcp_servers, workspace, None)

    def mcp_statuses(self, workspace: Any, timeout: float = 5.0) -> list[Any] | None:
        """The MCP servers started for ``workspace`` (``agent.mcp.manager.ServerStatus``
        values), read on the agent thread, where they change; None when none were started
        there. Waits for the agent thread (up to ``timeout``): not for the GUI thread."""
        loop, key = self._loop, os.path.realpath(workspace)
        if loop is None or not loop.is_running():
            return None

        async def read() -> list[Any] | None:
            servers = self._mcp.get(key)
            return None if servers is None else servers.statuses()

        return asyncio.run_coroutine_threadsafe(read(), loop).result(timeout)

    def _mcp_servers(self, workspace: Any, session: Any) -> None:
        # Reads two small JSON files; the mcp SDK loads only when a server is configured.
        try:
            from agent.mcp.manager import shared

            servers = shared(workspace)
            self._mcp[os.path.realpath(workspace)] = servers
            if servers is not None and session is not None:
                servers.attach(session)
        except Exception:  # the agent works without its MCP servers
            log.exception("the MCP servers could not start")

    async def _mcp_settled(self) -> None:
        if MANAGER in sys.modules:  # servers started at launch: their tools
            await sys.modules[MANAGER].shared_settled()

    def _mcp_detach(self, session: Any) -> None:
        if MANAGER in sys.modules:
            sys.modules[MANAGER].detach_everywhere(session)

    async def _mcp_close(self) -> None:
        if MANAGER in sys.modules:  # started only when a server is configured
            await sys.modules[MANAGER].close_shared()

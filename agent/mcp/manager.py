"""The servers of one workspace: started together, their tools kept in the sessions.

    servers = load(workspace, ask=..., note=...)   None when no server is configured
    servers.start()                                every server, in parallel, in the background
    await servers.wait(timeout)                    until each is up, failed, or timed out
    servers.attach(session)                        their tools join session.tools, and follow
                                                   tools/list_changed
    await servers.aclose()

Calls go through the session's tool runner, so each is decided by the permission engine
like any other tool; here they only reach the server. A failure is a tool error for the
model and one notice for people (``note``, else a ``Notice`` event on the sessions).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent.mcp.config import LoadedServers, ServerConfig, load_servers
from agent.mcp.connection import STARTING, Connection, ServerUnavailable
from agent.mcp.tools import PREFIX, McpTool, make_tool, to_output
from agent.tools.base import ToolOutput

log = logging.getLogger(__name__)

START_TIMEOUT = 15.0  # seconds: HARKEN_MCP_TIMEOUT
CALL_TIMEOUT = 600.0  # seconds: HARKEN_MCP_TOOL_TIMEOUT

AskTrust = Callable[[list[ServerConfig]], bool]
Note = Callable[[str], None]


def _seconds(variable: str, default: float) -> float:
    try:
        return max(0.1, float(os.environ.get(variable, default)))
    except ValueError:
        return default


def start_timeout() -> float:
    return _seconds("HARKEN_MCP_TIMEOUT", START_TIMEOUT)


def call_timeout() -> float:
    return _seconds("HARKEN_MCP_TOOL_TIMEOUT", CALL_TIMEOUT)


@dataclass(frozen=True)
class ServerStatus:
    name: str
    scope: str
    transport: str
    status: str
    tools: int
    error: str = ""


def load(
    workspace: Path,
    *,
    ask: AskTrust | None = None,
    note: Note | None = None,
    warn: Note | None = None,
) -> McpServers | None:
    """The servers configured for ``workspace`` (not started), or None when there are none.

    A project's ``.mcp.json`` servers join only once the user trusts that set: ``ask``
    asks (True trusts it now, remembered); without ``ask``, ``note`` says how to later.
    """
    loaded = load_servers(workspace)
    for warning in loaded.warnings:
        (warn or log.warning)(warning)
    if loaded.untrusted:
        if ask is not None and ask(loaded.untrusted):
            from agent.mcp.trust import trust

            trust(workspace, loaded.project_entries)
            loaded = load_servers(workspace, trusted=True)
        elif ask is None:
            listed = ", ".join(f"{s.name} ({s.describe()})" for s in loaded.untrusted)
            (note or log.warning)(
                f"This folder's .mcp.json wants to start the MCP servers {listed}; they stay "
                "off until you run `harken mcp trust` there."
            )
    if not loaded.servers:
        return None
    return McpServers(workspace, loaded, note)


class McpServers:
    """Connections to the configured servers of one workspace, on one event loop."""

    def __init__(self, workspace: Path, loaded: LoadedServers, note: Note | None = None) -> None:
        self.workspace = Path(workspace)
        self.note = note
        self.connections = {
            s.name: Connection(
                s, self.workspace, on_tools=self._tools_changed, on_problem=self._problem
            )
            for s in loaded.servers
        }
        self._sessions: list[Any] = []
        self._pending: list[str] = []  # notices before any session listened

    def start(self) -> None:
        """Start every server now, side by side, without waiting."""
        for connection in self.connections.values():
            connection.start()

    async def wait(self, seconds: float | None = None) -> None:
        """Wait (up to ``seconds``, default ``HARKEN_MCP_TIMEOUT``) until each server is up
        or has failed; failures were already noticed."""
        limit = start_timeout() if seconds is None else seconds
        self.start()
        results = await asyncio.gather(
            *(c.wait_ready(limit) for c in self.connections.values()), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, ServerUnavailable):
                log.error("MCP start failed", exc_info=result)
        self._refresh_sessions()

    async def settled(self) -> None:
        """Wait for the servers still starting (up to their start-up timeout); start none."""
        starting = [c for c in self.connections.values() if c.status == STARTING]
        if starting:
            await asyncio.gather(
                *(c.wait_ready(start_timeout()) for c in starting), return_exceptions=True
            )

    def attach(self, session: Any) -> None:
        """Offer the servers' tools in ``session`` (now and whenever they change)."""
        if session not in self._sessions:
            self._sessions.append(session)
        self._install(session)
        pending, self._pending = self._pending, []
        for message in pending:
            self._tell_sessions(message)

    def detach(self, session: Any) -> None:
        if session in self._sessions:
            self._sessions.remove(session)

    def tools(self) -> list[McpTool]:
        """The agent's tools for every server whose tool list is known."""
        made: list[McpTool] = []
        for connection in self.connections.values():
            made.extend(make_tool(connection.name, spec, self.call) for spec in connection.tools)
        return made

    def statuses(self) -> list[ServerStatus]:
        return [
            ServerStatus(
                c.name, c.config.scope, c.config.transport, c.status, len(c.tools), c.error
            )
            for c in self.connections.values()
        ]

    async def call(self, server: str, tool: str, arguments: dict[str, Any]) -> ToolOutput:
        """Call ``tool`` of ``server``: its result, or a tool error saying what went wrong."""
        connection = self.connections.get(server)
        if connection is None:
            return ToolOutput(f"There is no MCP server named {server!r}.", is_error=True)
        try:
            result = await connection.call(
                tool, arguments, start_seconds=start_timeout(), call_seconds=call_timeout()
            )
        except ServerUnavailable as exc:
            return ToolOutput(str(exc), is_error=True)
        return to_output(result)

    async def aclose(self) -> None:
        """Stop every server (in parallel) and leave the sessions' tools as they were."""
        await asyncio.gather(*(c.close() for c in self.connections.values()))
        for session in self._sessions:
            _remove_tools(session.tools)
        self._sessions.clear()

    # -- inside ------------------------------------------------------------------------

    def _install(self, session: Any) -> None:
        tools: dict[str, Any] = session.tools
        _remove_tools(tools)
        for tool in self.tools():
            tools.setdefault(tool.name, tool)

    def _refresh_sessions(self) -> None:
        for session in self._sessions:
            self._install(session)

    def _tools_changed(self, connection: Connection) -> None:
        log.info(
            "MCP server %s: tool list changed (%d tools)", connection.name, len(connection.tools)
        )
        self._refresh_sessions()

    def _problem(self, message: str) -> None:
        if self.note is not None:
            log.info("%s", message)
            self.note(message)
            return
        log.warning("%s", message)
        if self._sessions:
            self._tell_sessions(message)
        else:
            self._pending.append(message)

    def _tell_sessions(self, message: str) -> None:
        from agent.events import Notice

        for session in self._sessions:
            session.emit(Notice(message))


def _remove_tools(tools: dict[str, Any]) -> None:
    for name in [n for n, t in tools.items() if isinstance(t, McpTool) or n.startswith(PREFIX)]:
        del tools[name]


# -- one set per workspace and event loop, for a long-running host (the tray) -----------

_shared: dict[tuple[int, str], McpServers | None] = {}


def shared(workspace: Path, note: Note | None = None) -> McpServers | None:
    """The started servers of ``workspace`` on the running loop (made and started on first
    use), or None when none is configured. A project's servers need trust given before."""
    key = (id(asyncio.get_running_loop()), os.path.realpath(workspace))
    if key not in _shared:
        said: list[str] = []
        servers = load(Path(workspace), note=note or said.append)
        if servers is None and said:
            # Only an untrusted project set: the sessions still hear why nothing started.
            servers = McpServers(Path(workspace), LoadedServers(), note)
        if servers is not None:
            servers._pending.extend(said)
            servers.start()
        _shared[key] = servers
    return _shared[key]


def detach_everywhere(session: Any) -> None:
    """Forget ``session`` (it is closing) in every set ``shared`` made."""
    for servers in _shared.values():
        if servers is not None:
            servers.detach(session)


async def shared_settled() -> None:
    """Wait for the servers ``shared`` is still starting on the running loop."""
    loop = id(asyncio.get_running_loop())
    for key, servers in list(_shared.items()):
        if key[0] == loop and servers is not None:
            await servers.settled()


async def close_shared() -> None:
    """Stop the servers ``shared`` started on the running loop."""
    loop = id(asyncio.get_running_loop())
    for key in [k for k in _shared if k[0] == loop]:
        servers = _shared.pop(key)
        if servers is not None:
            await servers.aclose()

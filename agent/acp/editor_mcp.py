"""A session's MCP servers: the workspace's own (as ``harken ask`` starts them) and the
ones the editor hands it (``mcpServers`` of session/new and /load).

They run as one set through Harken's MCP client (``agent.mcp``; a set owns the ``mcp__``
tools of the sessions it is attached to, so two sets would undo each other): started when
the session opens, their tools named ``mcp__NAME__TOOL`` and judged by the permission
engine like any other, stopped when the session ends. The editor chose to start its
servers, so no trust question is asked for them; a project's ``.mcp.json`` still needs
``harken mcp trust``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from acp.schema import HttpMcpServer, McpServerStdio, SseMcpServer

from agent.mcp.config import LoadedServers, ServerConfig
from agent.mcp.manager import McpServers, load

SCOPE = "editor"


def session_servers(
    workspace: Path,
    specs: list[Any] | None,
    note: Callable[[str], None],
    warn: Callable[[str], None],
) -> McpServers | None:
    """The workspace's servers and those ``specs`` describe, as one set (not started);
    None when there are none. An editor's server replaces a workspace one of its name."""
    own = load(workspace, note=note, warn=warn)
    configs = {c.config.name: c.config for c in own.connections.values()} if own else {}
    for spec in specs or []:
        config = _config(spec)
        if config is None:
            note(
                f"The editor's MCP server {getattr(spec, 'name', '?')!r} is of a kind Harken "
                "cannot start; it is left out."
            )
            continue
        configs[config.name] = config
    if not configs:
        return None
    return McpServers(workspace, LoadedServers(servers=list(configs.values())), note)


def _config(spec: Any) -> ServerConfig | None:
    name = re.sub(r"[^A-Za-z0-9_-]", "_", str(getattr(spec, "name", "")))[:40] or "editor"
    if isinstance(spec, McpServerStdio):
        env = {variable.name: variable.value for variable in spec.env or []}
        return ServerConfig(
            name, SCOPE, "stdio", command=spec.command, args=tuple(spec.args), env=env
        )
    if isinstance(spec, HttpMcpServer | SseMcpServer):
        headers = {header.name: header.value for header in spec.headers or []}
        return ServerConfig(name, SCOPE, spec.type, url=spec.url, headers=headers)
    return None

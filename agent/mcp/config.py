"""Where MCP servers are configured, and how an entry becomes a server to start.

    $XDG_CONFIG_HOME/harken/mcp.json   the user's servers       (scope "user")
    <workspace>/.mcp.json              the project's servers    (scope "project")

Both use the common ``mcpServers`` shape, so entries copy over from other clients::

    {"mcpServers": {
        "files": {"command": "npx", "args": ["-y", "server"], "env": {"TOKEN": "${TOKEN}"}},
        "web":   {"type": "http", "url": "https://example.com/mcp",
                  "headers": {"Authorization": "Bearer ${API_TOKEN}"}},
        "old":   {"type": "sse", "url": "http://localhost:9000/sse"}}}

``${VAR}`` and ``${VAR:-default}`` expand from the environment in every string value. A
project's server of the same name as a user's one wins (the project is more specific), but
only once the project's set is trusted (``trust.py``). Problems are reported, never raised.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import paths
from agent.json_file import read_json_object

PROJECT_FILE = ".mcp.json"
TRANSPORTS = ("stdio", "http", "sse")
SCOPES = ("user", "project")
# Names become part of tool names (mcp__<server>__<tool>), which the API limits.
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class ServerConfig:
    """One configured server, its values expanded. ``entry`` is the entry as written."""

    name: str
    scope: str
    transport: str
    command: str = ""
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    cwd: str = ""
    entry: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for people: the command or the URL, never env values or headers."""
        if self.transport == "stdio":
            return shlex.join([self.command, *self.args])  # as a shell would read it
        return self.url


@dataclass
class LoadedServers:
    """The servers that may start, and the project's ones still waiting for trust."""

    servers: list[ServerConfig] = field(default_factory=list)
    untrusted: list[ServerConfig] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Config files that exist but could not be read (their servers are missing).
    unreadable: list[Path] = field(default_factory=list)
    # The project's entries as written (what trust covers).
    project_entries: dict[str, Any] = field(default_factory=dict)


def user_file() -> Path:
    return paths.config_dir() / "mcp.json"


def project_file(workspace: Path) -> Path:
    return Path(workspace) / PROJECT_FILE


def file_for(scope: str, workspace: Path) -> Path:
    return user_file() if scope == "user" else project_file(workspace)


def read_entries(path: Path, warnings: list[str]) -> dict[str, Any]:
    """The ``mcpServers`` object of ``path`` ({} when missing or unreadable)."""
    servers = (read_json_object(path, warnings) or {}).get("mcpServers")
    if servers is None:
        return {}
    if not isinstance(servers, dict):
        warnings.append(f"{path}: mcpServers must be a JSON object")
        return {}
    return servers


def load_servers(workspace: Path, *, trusted: bool | None = None) -> LoadedServers:
    """Every configured server for ``workspace``. The project's start only when its set is
    trusted (``trusted``: the caller's answer; None: what the user recorded)."""
    from agent.mcp.trust import is_trusted

    loaded = LoadedServers()
    chosen: dict[str, ServerConfig] = {}
    for name, entry in _entries(user_file(), loaded).items():
        server = parse_entry(name, entry, "user", loaded.warnings)
        if server is not None:
            chosen[name] = server
    project = _entries(project_file(workspace), loaded)
    loaded.project_entries = project
    project_servers = [
        s
        for name, entry in project.items()
        if (s := parse_entry(name, entry, "project", loaded.warnings)) is not None
    ]
    if project_servers:
        if trusted is None:
            trusted = is_trusted(workspace, project)
        if trusted:
            chosen.update({s.name: s for s in project_servers})
        else:
            loaded.untrusted = project_servers
    loaded.servers = list(chosen.values())
    return loaded


def _entries(path: Path, loaded: LoadedServers) -> dict[str, Any]:
    """``read_entries``, noting in ``loaded`` a file that exists but cannot be used."""
    before = len(loaded.warnings)
    entries = read_entries(path, loaded.warnings)
    if len(loaded.warnings) > before:
        loaded.unreadable.append(path)
    return entries


def parse_entry(name: str, entry: Any, scope: str, warnings: list[str]) -> ServerConfig | None:
    """``entry`` as a server, or None (with a warning) when it cannot be one."""
    where = f"MCP server {name!r} ({scope})"
    if not _NAME.match(name):
        warnings.append(f"{where}: names may use letters, digits, - and _ (at most 40)")
        return None
    if not isinstance(entry, dict):
        warnings.append(f"{where}: expected a JSON object")
        return None
    if entry.get("disabled") is True:
        return None
    kind = str(entry.get("type") or ("stdio" if "command" in entry else "http"))
    kind = "http" if kind == "streamable-http" else kind
    if kind not in TRANSPORTS:
        warnings.append(f"{where}: unknown type {kind!r} (stdio, http or sse)")
        return None
    try:
        if kind == "stdio":
            command = _string(entry.get("command"), "command")
            return ServerConfig(
                name,
                scope,
                kind,
                command=expand(command),
                args=tuple(expand(_string(a, "args")) for a in _list(entry.get("args"), "args")),
                env={k: expand(_string(v, "env")) for k, v in _dict(entry.get("env"), "env")},
                cwd=expand(str(entry.get("cwd") or "")),
                entry=entry,
            )
        url = expand(_string(entry.get("url"), "url"))
        headers = {
            k: expand(_string(v, "headers")) for k, v in _dict(entry.get("headers"), "headers")
        }
        return ServerConfig(name, scope, kind, url=url, headers=headers, entry=entry)
    except ValueError as exc:
        warnings.append(f"{where}: {exc}")
        return None


def expand(value: str) -> str:
    """``value`` with ``${VAR}`` and ``${VAR:-default}`` replaced from the environment
    (an unset variable without a default becomes empty)."""
    return _VAR.sub(lambda m: os.environ.get(m.group(1)) or (m.group(2) or ""), value)


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string")
    return value


def _list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{what} must be a list of strings")
    return value


def _dict(value: Any, what: str) -> list[tuple[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, dict):
        raise ValueError(f"{what} must be an object of strings")
    return [(str(k), v) for k, v in value.items()]


def save_entry(path: Path, name: str, entry: dict[str, Any] | None) -> bool:
    """Add (or, with ``entry`` None, remove) ``name`` in ``path``, keeping the rest of the
    file; returns whether something changed. Raises ``ValueError`` for a file that cannot
    be read (it is never overwritten then)."""
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ValueError(f"cannot read {path}: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("mcpServers", {}), dict):
            raise ValueError(f'{path}: expected {{"mcpServers": {{...}}}}')
    servers = data.setdefault("mcpServers", {})
    if entry is None:
        if name not in servers:
            return False
        del servers[name]
    else:
        servers[name] = entry
    from agent.tools.files import atomic_write  # with pydantic: not for a tray that only reads

    atomic_write(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
    return True

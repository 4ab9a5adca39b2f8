"""A project's ``.mcp.json`` starts programs: it runs only once the user trusted that set.

Like a project's allow rules (``agent.permissions.settings``), trust is recorded per folder
as a fingerprint of exactly what was shown: adding, removing or changing any entry (its
command, arguments, environment, URL or headers, as written) asks again. It covers the
programs too: a command or argument naming a file inside the workspace (``./srv.sh``,
``server.py``) adds that file's content (``agent.hooks.trust.workspace_files``), so an
edited script asks again. Kept in the user's own ``$XDG_CONFIG_HOME/harken/mcp-trust.json``,
never in the project.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from agent import paths
from agent.hooks.trust import with_files, workspace_files
from agent.mcp.config import expand
from agent.tools.files import atomic_write


def trust_file() -> Path:
    return paths.config_dir() / "mcp-trust.json"


def fingerprint(entries: dict[str, Any], workspace: Path) -> str:
    """A hash of the project's entries as written (key order does not matter) and of the
    workspace files their commands and arguments name."""
    return with_files(entries, _files(entries, workspace))


def is_trusted(workspace: Path, entries: dict[str, Any]) -> bool:
    """Whether the user trusted exactly ``entries`` (and the files they run) for
    ``workspace``."""
    recorded = _read().get(_key(workspace))
    return bool(entries) and recorded == fingerprint(entries, workspace)


def trust(workspace: Path, entries: dict[str, Any]) -> None:
    """Record that the user trusts ``entries`` (the project's servers, and the files they
    run as they are now) for ``workspace``."""
    data = _read()
    data[_key(workspace)] = fingerprint(entries, workspace)
    atomic_write(trust_file(), (json.dumps(data, indent=2) + "\n").encode())


def _files(entries: dict[str, Any], workspace: Path) -> dict[str, str]:
    """The workspace files each stdio entry's command and arguments name (resolved from
    the entry's ``cwd`` as the server starts there, and from the workspace)."""
    files: dict[str, str] = {}
    for entry in entries.values():
        if not isinstance(entry, dict):
            continue
        args = entry.get("args")
        words = [entry.get("command"), *(args if isinstance(args, list) else [])]
        cwd = entry.get("cwd")
        bases = [Path(expand(cwd))] if isinstance(cwd, str) and cwd else []
        strings = [expand(w) for w in words if isinstance(w, str)]
        files.update(workspace_files(strings, workspace, bases))
    return files


def _key(workspace: Path) -> str:
    return os.path.realpath(workspace)


def _read() -> dict[str, Any]:
    try:
        data = json.loads(trust_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

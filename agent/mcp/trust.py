"""A project's ``.mcp.json`` starts programs: it runs only once the user trusted that set.

Like a project's allow rules (``agent.permissions.settings``), trust is recorded per folder
as a fingerprint of exactly what was shown: adding, removing or changing any entry (its
command, arguments, environment, URL or headers, as written) asks again. Kept in the
user's own ``$XDG_CONFIG_HOME/harken/mcp-trust.json``, never in the project.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from agent import paths
from agent.tools.files import atomic_write


def trust_file() -> Path:
    return paths.config_dir() / "mcp-trust.json"


def fingerprint(entries: dict[str, Any]) -> str:
    """A hash of the project's entries as written (key order does not matter)."""
    text = json.dumps(entries, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def is_trusted(workspace: Path, entries: dict[str, Any]) -> bool:
    """Whether the user trusted exactly ``entries`` for ``workspace``."""
    recorded = _read().get(_key(workspace))
    return bool(entries) and recorded == fingerprint(entries)


def trust(workspace: Path, entries: dict[str, Any]) -> None:
    """Record that the user trusts ``entries`` (the project's servers) for ``workspace``."""
    data = _read()
    data[_key(workspace)] = fingerprint(entries)
    atomic_write(trust_file(), (json.dumps(data, indent=2) + "\n").encode())


def _key(workspace: Path) -> str:
    return os.path.realpath(workspace)


def _read() -> dict[str, Any]:
    try:
        data = json.loads(trust_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

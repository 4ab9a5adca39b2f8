"""Trust a project must earn before its hooks run or its skills are offered.

Like a project's allow rules (``agent.permissions.settings``): trust is recorded per
folder, in the user's own ``permissions.json`` (never in the project), as a fingerprint of
exactly what was shown; adding, removing or changing any entry asks again.

    fingerprint(value)              a hash of a JSON-ready value (key order ignored)
    is_trusted(workspace, what, fp) whether the user trusted ``fp`` for ``what`` there
    trust(workspace, what, fp)      record it
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from agent.permissions import settings

# Keys in the workspace's entry of permissions.json, beside "trusted_project_rules".
HOOKS = "trusted_project_hooks"
SKILLS = "trusted_project_skills"


def fingerprint(value: Any) -> str:
    """A hash of ``value`` as written (dict key order does not matter)."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def is_trusted(
    workspace: Path, what: str, value_fingerprint: str, store: Path | None = None
) -> bool:
    """Whether the user trusted exactly ``value_fingerprint`` for ``what`` in ``workspace``."""
    data = settings._read_json(store or settings.store_path(), [])
    entry = (data.get("workspaces") or {}).get(os.path.realpath(workspace)) or {}
    return isinstance(entry, dict) and entry.get(what) == value_fingerprint


def trust(workspace: Path, what: str, value_fingerprint: str, store: Path | None = None) -> None:
    """Record that the user trusts ``value_fingerprint`` for ``what`` in ``workspace``;
    raises ``ConfigError`` when permissions.json cannot be read (it is never overwritten)."""
    settings._update_workspace(
        workspace, store, lambda entry: entry.update({what: value_fingerprint})
    )

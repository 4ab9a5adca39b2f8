"""Reading a JSON settings file that holds one object (permissions, hooks, MCP servers)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def read_json_object(path: Path, warnings: list[str]) -> dict[str, Any] | None:
    """The JSON object in ``path``: ``{}`` when there is no such file; None, with a line in
    ``warnings``, when it cannot be read, is not JSON or holds something else. The file is
    never changed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        warnings.append(f"cannot read {path}: {exc}")
        return None
    if not isinstance(data, dict):
        warnings.append(f"{path}: expected a JSON object")
        return None
    return data

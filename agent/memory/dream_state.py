"""When to dream and what a dream sees: per workspace memory.

A dream is for one workspace memory (one repository, its subfolders included; see
``agent.memory.folders``). Its digest and its session count cover only the sessions that
ran in that workspace memory (the ``cwd`` of a transcript's first record), and the time of
the last dream is kept per workspace memory in ``dream/state.json``, so a dream in one
project neither sees another project's sessions nor marks them as consolidated. The user
scope is shared: each session reaches it through the dream of its own workspace, so facts
about the user may come from any session over time, while workspace notes come only from
that workspace's sessions. A state file from before (one global time) is still read: its
time stands for every workspace memory that has no time of its own yet.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from agent import paths
from agent.memory.folders import configured_override, dream_dir, scopes_for
from agent.memory.report import warn

MIN_HOURS = 24
MIN_SESSIONS = 5


def state_path() -> Path:
    return dream_dir() / "state.json"


def memory_id(workspace: Path, override: str | None = None) -> str:
    """The identity of ``workspace``'s memory: its workspace memory folder, shared by
    every subfolder of a repository (``override``: as in ``scopes_for``)."""
    return str(scopes_for(workspace, override).workspace)


def _read_state() -> dict[str, Any]:
    try:
        state = json.loads(state_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def last_dream(workspace: Path, override: str | None = None) -> float:
    """When the last dream of ``workspace``'s memory ended well (epoch seconds; 0 for
    never). An old state file's one global time stands for workspaces without their own."""
    state = _read_state()
    times = state.get("workspaces")
    if isinstance(times, dict) and memory_id(workspace, override) in times:
        return _number(times[memory_id(workspace, override)])
    return _number(state.get("last", 0.0))


def session_workspace(transcript: Path) -> str | None:
    """The folder a transcript's session ran in (its first record's ``cwd``), or None."""
    try:
        with open(transcript, "rb") as file:
            head = json.loads(file.readline(64 * 1024))
    except (OSError, ValueError):
        return None
    cwd = head.get("cwd") if isinstance(head, dict) else None
    return cwd if isinstance(cwd, str) and cwd else None


def sessions_since(
    since: float,
    workspace: Path,
    sessions_dir: Path | None = None,
    override: str | None = None,
) -> list[Path]:
    """Transcripts of sessions in ``workspace``'s memory (a repository and its subfolders)
    written to after ``since``, oldest first. A transcript that names no folder is left
    out: it cannot be told which project it belongs to."""
    folder = sessions_dir or paths.sessions_dir()
    if override is None:
        override = configured_override()  # once, not once per transcript
    wanted = memory_id(workspace, override)
    found: list[tuple[float, Path]] = []
    for path in folder.glob("*.jsonl") if folder.is_dir() else []:
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        if mtime <= since:
            continue
        cwd = session_workspace(path)
        if cwd is not None and memory_id(Path(cwd), override) == wanted:
            found.append((mtime, path))
    return [path for _mtime, path in sorted(found)]


def should_dream(
    workspace: Path, now: float | None = None, sessions_dir: Path | None = None
) -> bool:
    """Whether it is time for an automatic dream of ``workspace``'s memory (24 hours and
    5 of its sessions since its last dream)."""
    override = configured_override()
    since = last_dream(workspace, override)
    if (time.time() if now is None else now) - since < MIN_HOURS * 3600:
        return False
    return len(sessions_since(since, workspace, sessions_dir, override)) >= MIN_SESSIONS


def save_state(memory: str) -> None:
    """Record that ``memory`` (a ``memory_id``) dreamed now; other workspaces' times, and
    an old file's global time, are kept."""
    state = _read_state()
    times = state.get("workspaces")
    times = times if isinstance(times, dict) else {}
    times[memory] = time.time()
    state["workspaces"] = times
    try:
        state_path().parent.mkdir(parents=True, exist_ok=True)
        temp = state_path().with_name(".state.json.tmp")
        temp.write_text(json.dumps(state, indent=1), encoding="utf-8")
        os.replace(temp, state_path())
    except OSError as exc:
        warn(f"cannot save the dream state: {exc.strerror or exc}")

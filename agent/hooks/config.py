"""Where hooks are configured, and which of them are in effect.

    $XDG_CONFIG_HOME/harken/hooks.json       the user's: {"hooks": {EVENT: [GROUP, ...]}}
    <workspace>/.harken/settings.json        the project's, under "hooks" (same shape)

    GROUP = {"matcher": "Bash|Write", "hooks": [{"type": "command", "command": "...",
                                                 "timeout": 60}]}

The shape is Claude Code's, so entries can be copied. A project's hooks run programs:
they are in effect only once the user trusted exactly that "hooks" section and the
workspace scripts its commands name (see ``agent.hooks.trust``); until then they are
listed as untrusted. Problems are reported as one-line warnings, never raised: a broken
entry is skipped, the others still load.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import paths
from agent.hooks import trust
from agent.json_file import read_json_object

EVENTS = (
    "SessionStart",
    "UserPromptSubmit",
    "PreToolUse",
    "PermissionRequest",
    "PostToolUse",
    "Notification",
    "Stop",
    "PreCompact",
    "SessionEnd",
)
DEFAULT_TIMEOUT_S = 60.0
PROJECT_FILE = Path(".harken") / "settings.json"


@dataclass(frozen=True)
class Hook:
    """One command to run at ``event`` when ``matcher`` matches (see ``matches``)."""

    event: str
    matcher: str
    command: str
    timeout_s: float
    source: str  # "user" or "project"
    origin: Path  # the file it came from

    def matches(self, value: str | None) -> bool:
        """Whether the hook applies to ``value`` (a tool name, a notification type, a
        compaction trigger, ...). An empty matcher or ``*`` matches everything; otherwise
        it is a regular expression that must match all of ``value`` (``Bash``,
        ``Edit|Write``, ``mcp__git__.*``)."""
        if self.matcher in ("", "*") or value is None:
            return True
        try:
            return re.fullmatch(self.matcher, value) is not None
        except re.error:
            return False


@dataclass
class LoadedHooks:
    """The hooks in effect, the project's hooks still waiting for trust, the warnings met,
    and the fingerprint trust must match (empty when the project has no hooks)."""

    hooks: list[Hook] = field(default_factory=list)
    untrusted: list[Hook] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    project_fingerprint: str = ""
    # Files that exist but could not be read: their hooks are missing, not absent.
    unreadable: list[Path] = field(default_factory=list)

    def for_event(self, event: str, value: str | None = None) -> list[Hook]:
        """The hooks in effect for ``event`` whose matcher takes ``value``, each distinct
        command once (Claude Code runs an identical command once too)."""
        seen: set[str] = set()
        chosen = []
        for hook in self.hooks:
            if hook.event == event and hook.matches(value) and hook.command not in seen:
                seen.add(hook.command)
                chosen.append(hook)
        return chosen


def user_file() -> Path:
    return paths.config_dir() / "hooks.json"


def load_hooks(workspace: Path, *, store: Path | None = None) -> LoadedHooks:
    """Every hook configured for ``workspace``; a project's only when trusted."""
    loaded = LoadedHooks()
    path = user_file()
    data = _read_json(path, loaded.warnings, loaded.unreadable)
    section = data.get("hooks", {}) if "hooks" in data else data
    loaded.hooks += parse_hooks(section, "user", path, loaded.warnings)

    project = Path(os.path.realpath(workspace)) / PROJECT_FILE
    if project.is_file():
        section = _read_json(project, loaded.warnings, loaded.unreadable).get("hooks")
        if section:
            hooks = parse_hooks(section, "project", project, loaded.warnings)
            loaded.project_fingerprint = project_fingerprint(section, hooks, workspace)
            if trust.is_trusted(workspace, trust.HOOKS, loaded.project_fingerprint, store):
                loaded.hooks += hooks
            else:
                loaded.untrusted = hooks
    return loaded


def project_fingerprint(section: Any, hooks: list[Hook], workspace: Path) -> str:
    """What trust covers: the "hooks" section as written and the content of each file
    inside the workspace its commands name (a script edited after trust asks again)."""
    words = [w for hook in hooks for w in trust.command_words(hook.command)]
    root = Path(os.path.realpath(workspace))
    return trust.with_files(section, trust.workspace_files(trust.project_words(words, root), root))


def parse_hooks(section: Any, source: str, origin: Path, warnings: list[str]) -> list[Hook]:
    """The hooks of one ``{"EVENT": [GROUP, ...]}`` section; what cannot be used is
    skipped with a warning."""
    if not isinstance(section, dict):
        warnings.append(f'{origin}: "hooks" must be an object of event names')
        return []
    hooks = []
    for event, groups in section.items():
        if event not in EVENTS:
            warnings.append(f"{origin}: unknown hook event {event!r} (known: {', '.join(EVENTS)})")
            continue
        if not isinstance(groups, list):
            warnings.append(f"{origin}: hooks.{event} must be a list")
            continue
        for group in groups:
            hooks += _parse_group(event, group, source, origin, warnings)
    return hooks


def _parse_group(
    event: str, group: Any, source: str, origin: Path, warnings: list[str]
) -> list[Hook]:
    where = f"{origin}: hooks.{event}"
    if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
        warnings.append(f'{where}: each entry needs a "hooks" list')
        return []
    matcher = group.get("matcher") or ""
    if not isinstance(matcher, str):
        warnings.append(f"{where}: the matcher must be a string")
        return []
    try:
        re.compile(matcher if matcher != "*" else "")
    except re.error as exc:
        warnings.append(f"{where}: the matcher {matcher!r} is not a valid pattern ({exc})")
        return []
    hooks = []
    for entry in group["hooks"]:
        if not isinstance(entry, dict) or entry.get("type", "command") != "command":
            kind = entry.get("type") if isinstance(entry, dict) else type(entry).__name__
            warnings.append(f'{where}: skipped a hook of type {kind!r} (only "command" runs)')
            continue
        command = entry.get("command")
        if not isinstance(command, str) or not command.strip():
            warnings.append(f"{where}: a hook without a command")
            continue
        timeout = entry.get("timeout", DEFAULT_TIMEOUT_S)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            warnings.append(f"{where}: timeout must be a positive number of seconds")
            timeout = DEFAULT_TIMEOUT_S
        hooks.append(Hook(event, matcher, command, float(timeout), source, origin))
    return hooks


def _read_json(path: Path, warnings: list[str], unreadable: list[Path]) -> dict[str, Any]:
    data = read_json_object(path, warnings)
    if data is None:
        unreadable.append(path)
        return {}
    return data

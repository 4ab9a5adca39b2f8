"""Hooks: the user's commands run at points of the agent loop (Claude Code's shape).

    config.py   hooks.json (the user's) and "hooks" in <workspace>/.harken/settings.json
                (the project's, in effect only once trusted); matchers; event names
    trust.py    the fingerprint a project's hooks (and skills) must match to be trusted,
                kept beside the trusted project rules in the user's permissions.json
    runner.py   one command: the event as JSON on stdin, in the workspace, a timeout that
                kills its process group, no ANTHROPIC_* or bridge secrets in its environment
    outcome.py  exit 0 / exit 2 / failure and the JSON answer, read as Claude Code does
    points.py   ``SessionHooks``: SessionStart, UserPromptSubmit, PreToolUse,
                PermissionRequest, PostToolUse, Notification, Stop, PreCompact, SessionEnd

Hooks run as asyncio subprocesses: the event loop (and the tray) keeps going while one
runs. A hook's ``allow`` never overrides a deny rule, plan mode, an ask rule, a
protected path or a catastrophic command (``agent.tool_runner`` decides the call as bypass
mode would, which keeps all of those).

May import: ``agent.errors``, ``agent.paths``, ``agent.permissions.settings`` (trust) and
the standard library. Never ``desktop`` or ``audio``; nothing heavy (the tray imports it
with every session).
"""

from __future__ import annotations

from agent.hooks.config import EVENTS, Hook, LoadedHooks, load_hooks
from agent.hooks.outcome import HookResult
from agent.hooks.points import PromptBlocked, SessionHooks

__all__ = [
    "EVENTS",
    "Hook",
    "HookResult",
    "LoadedHooks",
    "PromptBlocked",
    "SessionHooks",
    "load_hooks",
]

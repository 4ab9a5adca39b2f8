"""The hook points of one session: what each event sends and what its answer means.

``SessionHooks`` is built by the session from ``load_hooks`` and called at the points of
the loop (see ``agent.session``, ``agent.tool_runner``, ``agent.compaction``). With no
hook configured for an event, a call costs a dictionary walk and starts nothing. Every
payload carries Claude Code's common fields (``session_id``, ``transcript_path``,
``cwd``, ``hook_event_name``, ``permission_mode``) plus the event's own.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent.errors import HarkenError
from agent.hooks.config import LoadedHooks, load_hooks
from agent.hooks.outcome import HookResult, combine
from agent.hooks.runner import run_hook

log = logging.getLogger("agent.hooks")

NOTHING = HookResult()


class PromptBlocked(HarkenError):
    """A UserPromptSubmit hook refused the prompt; the message is for the user."""


@dataclass
class SessionHooks:
    """The hooks in effect for one session, and the calls that fire them."""

    loaded: LoadedHooks
    workspace: Path
    session_id: str
    mode: str = "standard"
    transcript_path: str = ""
    started: bool = False
    _background: set[asyncio.Task[Any]] = field(default_factory=set, repr=False)

    @classmethod
    def load(cls, workspace: Path, session_id: str, mode: str, transcript: str) -> SessionHooks:
        """The hooks configured for ``workspace``; what is wrong with them is logged."""
        loaded = load_hooks(workspace)
        hooks = cls(loaded, workspace, session_id, mode, transcript)
        for line in loaded.warnings + hooks.notes():
            log.warning("hooks: %s", line)
        return hooks

    def notes(self) -> list[str]:
        """What to tell the user once: the project's hooks waiting for trust."""
        if not self.loaded.untrusted:
            return []
        events = sorted({hook.event for hook in self.loaded.untrusted})
        return [
            f"This folder's .harken/settings.json has hooks ({', '.join(events)}); they stay "
            "off until you run `harken hooks trust` there."
        ]

    async def fire(
        self, event: str, fields: dict[str, Any], match: str | None = None
    ) -> HookResult:
        """Run ``event``'s hooks whose matcher takes ``match``, side by side."""
        hooks = self.loaded.for_event(event, match)
        if not hooks:
            return NOTHING
        payload = {
            "session_id": self.session_id,
            "transcript_path": self.transcript_path,
            "cwd": str(self.workspace),
            "hook_event_name": event,
            "permission_mode": self.mode,
            **fields,
        }
        runs = await asyncio.gather(*(run_hook(h, payload, self.workspace) for h in hooks))
        result = combine(event, list(runs))
        for message in result.messages:
            log.warning("%s hook: %s", event, message)
        return result

    # -- the points of the loop -------------------------------------------------------

    async def before_prompt(self, prompt: str, resumed: bool) -> list[str]:
        """SessionStart (before the session's first prompt) and UserPromptSubmit: the
        context they add to the prompt. Raises ``PromptBlocked`` when a hook refuses it."""
        context: list[str] = []
        if not self.started:
            self.started = True
            source = "resume" if resumed else "startup"
            started = await self.fire("SessionStart", {"source": source}, source)
            context += started.context
        said = await self.fire("UserPromptSubmit", {"prompt": prompt})
        if said.blocked or said.stop_reason:
            reason = said.reason if said.blocked else said.stop_reason
            raise PromptBlocked(f"A UserPromptSubmit hook blocked the prompt: {reason}")
        return context + said.context

    async def pre_tool(self, name: str, tool_input: dict[str, Any], call_id: str) -> HookResult:
        """PreToolUse: may block the call or say allow, ask or deny."""
        fields = {"tool_name": name, "tool_input": tool_input, "tool_use_id": call_id}
        return await self.fire("PreToolUse", fields, name)

    async def permission_request(
        self, name: str, tool_input: dict[str, Any], call_id: str, suggestion: str | None
    ) -> HookResult:
        """PermissionRequest: the question about to be put to the user; a hook may
        answer allow or deny in the user's place."""
        fields = {
            "tool_name": name,
            "tool_input": tool_input,
            "tool_use_id": call_id,
            "permission_suggestions": [suggestion] if suggestion else [],
        }
        return await self.fire("PermissionRequest", fields, name)

    async def post_tool(
        self, name: str, tool_input: dict[str, Any], call_id: str, output: str, is_error: bool
    ) -> str:
        """PostToolUse: what the hooks want the model to read beside the result."""
        fields = {
            "tool_name": name,
            "tool_input": tool_input,
            "tool_use_id": call_id,
            "tool_response": {"output": output, "is_error": is_error},
        }
        said = await self.fire("PostToolUse", fields, name)
        notes = [f"PostToolUse hook: {r}" for r in said.reasons] if said.blocked else []
        notes += [f"PostToolUse hook context: {c}" for c in said.context]
        return "\n".join(notes)

    async def stop(self, again: bool, last_text: str) -> str | None:
        """Stop: a reason for the model to go on, or None to let the turn end.
        ``again`` says a Stop hook already kept this turn going (``stop_hook_active``)."""
        fields = {"stop_hook_active": again, "last_assistant_message": last_text}
        said = await self.fire("Stop", fields)
        return said.reason if said.blocked else None

    async def pre_compact(self, trigger: str = "auto") -> None:
        """PreCompact: before older turns are summarised (nothing it says stops that)."""
        await self.fire("PreCompact", {"trigger": trigger, "custom_instructions": ""}, trigger)

    def notify(self, message: str, kind: str) -> None:
        """Notification, in the background: a slow hook must not delay the question."""
        if not self.loaded.for_event("Notification", kind):
            return
        fields = {"message": message, "notification_type": kind}
        task = asyncio.get_running_loop().create_task(self.fire("Notification", fields, kind))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def session_end(self, reason: str = "other") -> None:
        """SessionEnd, when a session that started closes; waits for notifications."""
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        if self.started:
            await self.fire("SessionEnd", {"reason": reason}, reason)

"""A session's side of the permission round trip (``agent.permission_prompt`` does the work).

``SessionPermissions`` is mixed into ``agent.session.Session``: ``_ask`` is what the tool
runner calls when the rules leave a call open (the question goes to the session's
listeners, and to the Notification hook); an "always allow" answer becomes a rule through
``always_allow``, kept for this folder in the user's settings. ``_notice_missing_sandbox``
says once per session, at its first turn, that no sandbox confines its commands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from agent.events import Event, Notice, PermissionAnswer
from agent.permission_prompt import ask, keep_allow_rule, missing_sandbox_notice
from agent.permissions import Decision, PermissionEngine, ToolCall

if TYPE_CHECKING:
    from agent.hooks import SessionHooks
    from agent.tools.context import ToolContext


class SessionPermissions:
    """Mixed into ``Session``, which sets the attributes below."""

    engine: PermissionEngine
    ctx: ToolContext
    hooks: SessionHooks
    save_rules: bool
    _listeners: list[Callable[[Event], None]]
    _sandbox_noticed: bool

    if TYPE_CHECKING:  # the session's own method, used here

        def emit(self, event: Event) -> None: ...

    def _notice_missing_sandbox(self) -> None:
        if self._sandbox_noticed or self.engine.sandbox:
            return
        self._sandbox_noticed = True
        note = missing_sandbox_notice(self.engine)
        if note is not None:
            self.emit(Notice(note))

    async def _ask(self, call: ToolCall, decision: Decision) -> PermissionAnswer:
        answer = await ask(
            call,
            decision,
            listening=bool(self._listeners),
            emit=self.emit,
            notify=self.hooks.notify,
        )
        if answer.allow and answer.always and decision.suggestion:
            self.always_allow(decision.suggestion)
        return answer

    def always_allow(self, rule_text: str) -> None:
        """Allow ``rule_text`` from now on, saved in the user's settings for this folder
        (never in the project, which the user may not control)."""
        keep_allow_rule(
            self.engine, self.ctx.workspace, rule_text, save=self.save_rules, emit=self.emit
        )

"""One session's events, told to the editor: session/update notifications in the order
the session published them, and its permission questions as session/request_permission.

The session's listeners are synchronous and the editor is reached by awaiting, so events
go through a queue that one task empties in order; ``drain()`` waits until everything
published so far has been sent (a prompt's answer must come after its last update).

A question is put to the editor in a task of its own (the queue goes on meanwhile); the
call is shown first as a ``pending`` tool call, then the question offers allow once,
allow always (when Harken has a rule to keep) and reject. What the editor picks answers
the question; a cancelled question (the turn was cancelled) is a no.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from acp import (
    start_tool_call,
    text_block,
    tool_content,
    tool_diff_content,
    update_agent_message_text,
    update_agent_thought_text,
    update_tool_call,
)
from acp.interfaces import Client
from acp.schema import (
    AllowedOutcome,
    PermissionOption,
    ToolCallLocation,
    ToolCallUpdate,
    ToolKind,
)

from agent.events import (
    Compacted,
    ErrorOccurred,
    Event,
    Notice,
    PermissionAnswer,
    PermissionRequested,
    Retrying,
    TextDelta,
    ThinkingDelta,
    ToolFinished,
    ToolStarted,
)
from agent.tools.base import Tool
from agent.tools.base import ToolKind as HarkenKind

log = logging.getLogger(__name__)

ALLOW, ALWAYS, REJECT = "allow", "always", "reject"

# The kinds editors show icons for; Harken's own kind decides for tools not named here.
_KIND_BY_NAME: dict[str, ToolKind] = {
    "Read": "read",
    "Write": "edit",
    "Edit": "edit",
    "Bash": "execute",
    "BashOutput": "execute",
    "KillShell": "execute",
    "Glob": "search",
    "Grep": "search",
    "SessionSearch": "search",
    "WebFetch": "fetch",
    "TodoWrite": "think",
}
_KIND_BY_HARKEN: dict[HarkenKind, ToolKind] = {
    HarkenKind.READ: "read",
    HarkenKind.WRITE: "edit",
    HarkenKind.EXECUTE: "execute",
    HarkenKind.NETWORK: "fetch",
    HarkenKind.INTERNAL: "other",
}


class Relay:
    """Tells the editor what one session does (subscribe it to the session)."""

    def __init__(
        self,
        conn: Client,
        session_id: str,
        workspace: Path,
        tools: Callable[[], Mapping[str, Tool[Any]]],
    ) -> None:
        self.conn = conn
        self.session_id = session_id
        self.workspace = workspace
        self._tools = tools  # the session's tools now (MCP servers may add some)
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._announced: set[str] = set()  # tool calls the editor has been shown
        self._open: set[str] = set()  # ...and not finished yet
        self._questions: set[asyncio.Task[None]] = set()
        self._pump = asyncio.get_running_loop().create_task(self._run(), name="acp relay")

    def __call__(self, event: Event) -> None:
        self._queue.put_nowait(event)

    async def drain(self) -> None:
        """Return once every event published so far has been sent."""
        await self._queue.join()

    async def end_turn(self) -> None:
        """After a turn: every event sent, and tool calls that never finished (the turn
        was cancelled while they ran or waited for an answer) shown as failed."""
        await self.drain()
        while self._open:
            update = update_tool_call(self._open.pop(), status="failed")
            await self.conn.session_update(self.session_id, update)

    async def aclose(self) -> None:
        """Stop sending; questions still open are dropped (their turn has ended)."""
        for task in [self._pump, *self._questions]:
            task.cancel()
        for task in [self._pump, *self._questions]:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._send(event)
            except asyncio.CancelledError:
                raise
            except Exception:  # the editor went away or refused one update: go on
                log.debug("could not send %s to the editor", event.kind, exc_info=True)
            finally:
                self._queue.task_done()

    async def _send(self, event: Event) -> None:
        update: Any = None
        if isinstance(event, TextDelta):
            update = update_agent_message_text(event.text)
        elif isinstance(event, ThinkingDelta):
            update = update_agent_thought_text(event.text)
        elif isinstance(event, PermissionRequested):
            await self._show_call(event.call_id, event.name, event.description, event.input)
            task = asyncio.get_running_loop().create_task(self._ask(event))
            self._questions.add(task)
            task.add_done_callback(self._questions.discard)
        elif isinstance(event, ToolStarted):
            if event.call_id in self._announced:
                update = update_tool_call(event.call_id, status="in_progress")
            else:
                await self._show_call(
                    event.call_id, event.name, event.description, event.input, "in_progress"
                )
        elif isinstance(event, ToolFinished):
            update = self._finished(event)
        elif isinstance(event, Notice | Retrying | Compacted | ErrorOccurred):
            update = update_agent_thought_text(_note(event) + "\n")
        if update is not None:
            await self.conn.session_update(self.session_id, update)

    async def _show_call(
        self,
        call_id: str,
        name: str,
        title: str,
        raw_input: dict[str, Any],
        status: str = "pending",
    ) -> None:
        self._announced.add(call_id)
        self._open.add(call_id)
        update = start_tool_call(
            call_id,
            title,
            kind=self.kind(name),
            status=status,  # type: ignore[arg-type]
            content=_diff(name, raw_input, self.workspace),
            locations=_locations(raw_input, self.workspace),
            raw_input=raw_input,
        )
        await self.conn.session_update(self.session_id, update)

    def _finished(self, event: ToolFinished) -> Any:
        status = "failed" if event.is_error else "completed"
        self._open.discard(event.call_id)
        content = [tool_content(text_block(event.output))] if event.output else None
        if event.call_id not in self._announced:  # refused or cut before it started
            self._announced.add(event.call_id)
            return start_tool_call(
                event.call_id,
                event.description,
                kind=self.kind(event.name),
                status=status,
                content=content,
            )
        return update_tool_call(event.call_id, status=status, content=content)

    def kind(self, name: str) -> ToolKind:
        """The ACP kind of the tool ``name`` (how editors draw the call)."""
        if name in _KIND_BY_NAME:
            return _KIND_BY_NAME[name]
        tool = self._tools().get(name)
        return _KIND_BY_HARKEN.get(tool.kind, "other") if tool is not None else "other"

    async def _ask(self, event: PermissionRequested) -> None:
        options = [PermissionOption(option_id=ALLOW, name="Allow once", kind="allow_once")]
        if event.always_rule:
            name = f"Always allow {event.always_rule}"
            options.append(PermissionOption(option_id=ALWAYS, name=name, kind="allow_always"))
        options.append(PermissionOption(option_id=REJECT, name="Reject", kind="reject_once"))
        call = ToolCallUpdate(
            tool_call_id=event.call_id,
            title=event.description,
            kind=self.kind(event.name),
            status="pending",
            raw_input=event.input,
            content=[tool_content(text_block(f"{event.reason} (risk: {event.risk})"))],
            locations=_locations(event.input, self.workspace),
        )
        try:
            response = await self.conn.request_permission(self.session_id, call, options)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the editor could not ask: not the user's no
            log.warning("the editor could not ask about %s: %s", event.name, exc)
            event.answer(PermissionAnswer(False, message="the editor could not ask", asked=False))
            return
        outcome = response.outcome
        if isinstance(outcome, AllowedOutcome) and outcome.option_id in (ALLOW, ALWAYS):
            event.answer(PermissionAnswer(True, always=outcome.option_id == ALWAYS))
        else:  # rejected, or cancelled with the turn
            event.answer(PermissionAnswer(False))


def _locations(raw_input: dict[str, Any], workspace: Path) -> list[ToolCallLocation] | None:
    """The file a call is about (absolute, as ACP wants), so the editor can follow it."""
    path = raw_input.get("file_path") or raw_input.get("path")
    if not isinstance(path, str) or not path:
        return None
    return [ToolCallLocation(path=os.path.normpath(workspace / os.path.expanduser(path)))]


def _diff(name: str, raw_input: dict[str, Any], workspace: Path) -> list[Any] | None:
    """What a Write or Edit call would change, as a diff editors draw (also beside the
    permission question)."""
    where = _locations(raw_input, workspace)
    if where is None:
        return None
    path = where[0].path
    if name == "Write" and isinstance(raw_input.get("content"), str):
        return [tool_diff_content(path, raw_input["content"])]
    old, new = raw_input.get("old_string"), raw_input.get("new_string")
    if name == "Edit" and isinstance(old, str) and isinstance(new, str):
        return [tool_diff_content(path, new, old)]
    return None


def _note(event: Event) -> str:
    if isinstance(event, Notice):
        return event.message
    if isinstance(event, Retrying):
        return f"{event.reason} Retrying in {event.delay:.1f} s (retry {event.attempt})."
    if isinstance(event, Compacted):
        return f"(Compacted {event.messages_replaced} earlier messages into a summary.)"
    assert isinstance(event, ErrorOccurred)
    return f"Error: {event.message}"

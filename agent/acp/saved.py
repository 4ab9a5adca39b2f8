"""Saved sessions for an editor: listed (``session/list``) and replayed (``session/load``).

``saved_sessions(cwd)`` reads Harken's saved sessions (``agent.transcript``), those of the
folder ``cwd`` when given, as ACP's ``SessionInfo`` (title: the first prompt). ``replay``
sends a loaded session's conversation as the editor would have seen it live: the user's
prompts, the answers, and the tool calls (done).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from acp import start_tool_call, update_agent_message_text, update_user_message_text
from acp.schema import SessionInfo

if TYPE_CHECKING:
    from agent.session import Session

Send = Callable[[str, Any], Awaitable[Any]]  # (session id, update): one session/update


def saved_sessions(cwd: str | None) -> list[SessionInfo]:
    """The saved sessions (of the folder ``cwd`` when given), as the transcripts list them."""
    from agent import paths, transcript

    folder = os.path.realpath(cwd) if cwd else None
    found = []
    for summary in transcript.list_sessions(paths.sessions_dir()):
        where = summary.cwd and os.path.realpath(summary.cwd)
        if summary.problem or not where or (folder is not None and where != folder):
            continue
        title = " ".join(summary.first_prompt.split())[:80] or None
        updated = summary.started or None
        info = SessionInfo(session_id=summary.id, cwd=where, title=title, updated_at=updated)
        found.append(info)
    return found


async def replay(send: Send, session: Session, kind: Callable[[str], Any]) -> None:
    """The saved conversation as the editor would have seen it: the user's prompts,
    the answers, and the tool calls (done); ``kind(name)``: a tool's ACP kind."""
    sid = session.id
    for message in session.messages:
        content = message.get("content")
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if message.get("role") == "user":
            said = [b for b in blocks or [] if b.get("type") == "text"]
            if said and not any(b.get("type") == "tool_result" for b in blocks):
                await send(sid, update_user_message_text(said[0]["text"]))
            continue
        for block in blocks or []:
            if block.get("type") == "text":
                await send(sid, update_agent_message_text(block["text"]))
            elif block.get("type") == "tool_use":
                name = str(block.get("name", "tool"))
                call = start_tool_call(
                    str(block.get("id")),
                    name,
                    kind=kind(name),
                    status="completed",
                    raw_input=block.get("input"),
                )
                await send(sid, call)

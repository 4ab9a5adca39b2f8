"""memory: the client side of Anthropic's memory tool (type ``memory_20250818``).

The model is trained on this tool: it sends ``{"type": "memory_20250818", "name":
"memory"}`` as the definition (no schema of ours) and calls it with ``command`` and the
command's fields. The work is done by ``agent.memory.store.MemoryStore``, confined to the
session's memory folders (``/memories/user/`` and ``/memories/workspace/``).

Its kind is INTERNAL: writing memory changes only Harken's own notes, never the user's
files, so the permission engine lets it through without a question in every mode (a
deny rule naming ``memory`` still stops it).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel

from agent.memory.folders import MemoryScopes, scopes_for
from agent.memory.recall import memory_for
from agent.memory.store import MemoryStore
from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext

API_TYPE = "memory_20250818"

DESCRIPTION = """\
Your memory across sessions, under /memories: /memories/user/ (facts about the user, for \
every folder) and /memories/workspace/ (facts about this project). Commands: view, \
create, str_replace, insert, delete, rename. Files are Markdown text."""


class MemoryInput(BaseModel):
    """A memory command; which fields it needs depends on ``command``."""

    command: Literal["view", "create", "str_replace", "insert", "delete", "rename"]
    path: str | None = None
    view_range: list[int] | None = None
    file_text: str | None = None
    old_str: str | None = None
    new_str: str | None = None
    insert_line: int | None = None
    insert_text: str | None = None
    old_path: str | None = None
    new_path: str | None = None


_NEEDS: dict[str, tuple[str, ...]] = {
    "view": ("path",),
    "create": ("path", "file_text"),
    "str_replace": ("path", "old_str"),
    "insert": ("path", "insert_line", "insert_text"),
    "delete": ("path",),
    "rename": ("old_path", "new_path"),
}


def execute(store: MemoryStore, params: MemoryInput) -> str:
    """Run one command against ``store``; raises ``ToolError`` for the model."""
    missing = [name for name in _NEEDS[params.command] if getattr(params, name) is None]
    if missing:
        raise ToolError(f"memory {params.command} needs {', '.join(missing)}.")
    p = params
    if p.command == "view":
        return store.view(p.path or "", p.view_range)
    if p.command == "create":
        return store.create(p.path or "", p.file_text or "")
    if p.command == "str_replace":
        return store.str_replace(p.path or "", p.old_str or "", p.new_str or "")
    if p.command == "insert":
        return store.insert(p.path or "", int(p.insert_line or 0), p.insert_text or "")
    if p.command == "delete":
        return store.delete(p.path or "")
    return store.rename(p.old_path or "", p.new_path or "")


def session_scopes(ctx: ToolContext) -> MemoryScopes:
    """The memory folders of the session that owns ``ctx``."""
    memory = memory_for(ctx)
    return memory.scopes if memory is not None else scopes_for(ctx.workspace)


def describe(params: MemoryInput, ctx: ToolContext) -> str:
    """``Remembering in /memories/workspace/staging.md`` and the like."""
    where = params.path or params.old_path or "/memories"
    verb = {
        "view": "Looking in memory at",
        "create": "Remembering in",
        "str_replace": "Updating memory in",
        "insert": "Adding to memory in",
        "delete": "Forgetting",
        "rename": "Renaming in memory",
    }[params.command]
    return f"{verb} {where}"


@dataclasses.dataclass(frozen=True)
class ApiTypedTool(Tool[Any]):
    """A tool whose definition is one of Anthropic's typed tools (no input schema sent)."""

    api_type: str = ""

    def api_schema(self) -> dict[str, Any]:
        return {"type": self.api_type, "name": self.name}


def memory_tool(scopes: Callable[[ToolContext], MemoryScopes] = session_scopes) -> Tool[Any]:
    """The memory tool over the folders ``scopes(ctx)`` names (the dream points it at a
    copy of the memory)."""

    async def run(params: MemoryInput, ctx: ToolContext) -> str:
        store = MemoryStore(scopes(ctx))
        return await asyncio.to_thread(execute, store, params)

    return ApiTypedTool(
        name="memory",
        description=DESCRIPTION,
        input_model=MemoryInput,
        kind=ToolKind.INTERNAL,
        run=run,
        describe=describe,
        api_type=API_TYPE,
    )


MEMORY = memory_tool()

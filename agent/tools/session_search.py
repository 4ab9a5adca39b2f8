"""SessionSearch: full-text search over the transcripts of past sessions (tier 3 memory).

Read-only; the index (``agent.memory.session_index``) is brought up to date first, so a
session that ended a moment ago is found too. The current session is left out.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import BaseModel, Field

from agent import paths
from agent.memory.recall import memory_for
from agent.memory.session_index import SessionHit, SessionIndex
from agent.tools.base import Tool, ToolKind
from agent.tools.context import ToolContext

DESCRIPTION = """\
Searches the transcripts of the user's past Harken sessions (what they asked and what \
you answered) and returns the best matching sessions: id, date, folder and excerpts with \
the matching words in [brackets]. Use it when the user refers to earlier work ("what did \
we decide about the database last week?") or to a fact they told you before that is not \
in memory. Give the distinctive words as the query."""


class SessionSearchInput(BaseModel):
    """Input of the SessionSearch tool."""

    query: str = Field(min_length=1, description="Words to look for in past sessions")
    limit: int = Field(default=5, ge=1, le=20, description="Most sessions to return")


def format_hits(query: str, hits: list[SessionHit]) -> str:
    """The tool's text result."""
    if not hits:
        return f"No past session matches {query!r}."
    lines = [f"{len(hits)} past session(s) match {query!r}, best first:"]
    for hit in hits:
        when = hit.started.replace("T", " ")[:16] or "unknown date"
        lines.append(f"- session {hit.session_id} ({when}, in {hit.workspace or '?'})")
        lines.extend(f"    {excerpt}" for excerpt in hit.excerpts)
    return "\n".join(lines)


def _index_for(ctx: ToolContext) -> SessionIndex:
    memory = memory_for(ctx)
    if memory is not None:
        return memory.session_index
    return SessionIndex(Path(paths.sessions_dir()))


def _current_session(ctx: ToolContext) -> str:
    memory = memory_for(ctx)
    return memory.session_id if memory is not None else ""


async def run(params: SessionSearchInput, ctx: ToolContext) -> str:
    """Search and format."""
    index = _index_for(ctx)
    current = _current_session(ctx)
    hits = await asyncio.to_thread(index.search, params.query, params.limit, 3, current)
    return format_hits(params.query, hits)


def describe(params: SessionSearchInput, ctx: ToolContext) -> str:
    """``Searching past sessions for "kestrel"``."""
    return f"Searching past sessions for {params.query!r}"


SESSION_SEARCH = Tool(
    name="SessionSearch",
    description=DESCRIPTION,
    input_model=SessionSearchInput,
    kind=ToolKind.READ,
    run=run,
    describe=describe,
    concurrent=True,
)

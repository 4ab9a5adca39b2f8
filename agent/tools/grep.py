"""Grep: search file contents with a regular expression, by ripgrep or in Python.

Both back ends (``search``) produce ``FileHits`` and share the formatter here, so the
model sees the same output either way: ripgrep when ``rg`` is on PATH, Python otherwise.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext
from agent.tools.search import FileHits, Query, search_python, search_rg
from agent.tools.truncate import cut_line

RG = "rg"
MAX_OUTPUT_CHARS = 30_000
MAX_LINE_CHARS = 1000

DESCRIPTION = """\
Searches file contents with a regular expression (ripgrep syntax, e.g. "log.*Error", \
"def\\s+\\w+"). Use it instead of running grep or rg through Bash.
- path: the file or folder to search (absolute; default: the workspace). Filter files \
with glob (e.g. "*.js", "*.{ts,tsx}") or type (e.g. "py", "js", "rust").
- output_mode: "files_with_matches" (default; paths, most recently modified first), \
"content" (matching lines as path:line:text; "-n" line numbers on by default, "-A"/"-B"/"-C" \
context lines), or "count" (matching lines per file).
- "-i" ignores case. Literal braces and other special characters need escaping \
("interface\\{\\}"). Patterns match within one line unless multiline is true.
- head_limit keeps only the first N lines or entries.
- Skips .git, binary files and files ignored by .gitignore."""


class GrepInput(BaseModel):
    """Input of the Grep tool; the option fields are named like grep's flags."""

    model_config = ConfigDict(populate_by_name=True)

    pattern: str = Field(description="The regular expression to search for")
    path: str | None = Field(
        default=None, description="The file or folder to search (default: the workspace)"
    )
    glob: str | None = Field(
        default=None, description='Only search files matching this glob, e.g. "*.{ts,tsx}"'
    )
    type: str | None = Field(
        default=None, description='Only search files of this type, e.g. "py", "js", "rust"'
    )
    output_mode: Literal["content", "files_with_matches", "count"] = Field(
        default="files_with_matches",
        description="content: matching lines; files_with_matches: paths; count: per file",
    )
    ignore_case: bool = Field(default=False, alias="-i", description="Case-insensitive search")
    line_numbers: bool = Field(
        default=True, alias="-n", description="Show line numbers (content mode)"
    )
    after: int | None = Field(
        default=None, ge=0, alias="-A", description="Lines to show after each match"
    )
    before: int | None = Field(
        default=None, ge=0, alias="-B", description="Lines to show before each match"
    )
    context: int | None = Field(
        default=None, ge=0, alias="-C", description="Lines to show before and after each match"
    )
    multiline: bool = Field(
        default=False, description="Let the pattern span lines; `.` then matches newlines"
    )
    head_limit: int | None = Field(
        default=None, ge=1, description="Keep only the first N output lines or entries"
    )


async def run(params: GrepInput, ctx: ToolContext) -> str:
    """Search with ripgrep if installed, else in Python, and format the hits."""
    target = ctx.resolve(params.path) if params.path else ctx.workspace
    if not target.exists():
        raise ToolError(f"Cannot search {ctx.display(target)}: it does not exist.")
    context = params.context or 0
    query = Query(
        pattern=params.pattern,
        target=target,
        top=ctx.workspace if target.is_relative_to(ctx.workspace) else target,
        mode=params.output_mode,
        glob=params.glob,
        type=params.type,
        ignore_case=params.ignore_case,
        before=params.before if params.before is not None else context,
        after=params.after if params.after is not None else context,
        multiline=params.multiline,
    )
    rg = shutil.which(RG)
    if rg is not None:
        hits = await search_rg(query, rg)
    else:
        hits = await asyncio.to_thread(search_python, query)
    return format_hits(hits, query, params.line_numbers, params.head_limit)


def format_hits(
    hits: list[FileHits], query: Query, line_numbers: bool = True, head_limit: int | None = None
) -> str:
    """The model-facing text for ``hits`` in the query's output mode."""
    if not hits:
        return "No matches found."
    if query.mode == "files_with_matches":
        ordered = sorted(hits, key=lambda h: (-_mtime(h.path), str(h.path)))
        lines = [str(h.path) for h in ordered]
        header = f"Found {_plural(len(lines), 'file')}"
    elif query.mode == "count":
        ordered = sorted(hits, key=lambda h: str(h.path))
        lines = [f"{h.path}:{h.count}" for h in ordered]
        total = sum(h.count for h in ordered)
        header = f"Found {_plural(total, 'matching line')} in {_plural(len(lines), 'file')}"
    else:
        lines = _content_lines(hits, line_numbers, query.before or query.after)
        header = ""
    shown = lines[:head_limit] if head_limit else lines
    out: list[str] = [header] if header else []
    size = 0
    for line in shown:
        size += len(line) + 1
        if size > MAX_OUTPUT_CHARS:
            break
        out.append(line)
    hidden = len(lines) - (len(out) - bool(header))
    if hidden:
        out.append(f"({hidden} more lines not shown. Narrow the search or use head_limit.)")
    return "\n".join(out)


def _content_lines(hits: list[FileHits], line_numbers: bool, with_context: int) -> list[str]:
    out: list[str] = []
    for hit in sorted(hits, key=lambda h: str(h.path)):
        previous = None
        for number in sorted(hit.lines):
            text, is_match = hit.lines[number]
            if with_context and out and previous != number - 1:
                out.append("--")  # ripgrep's separator between groups of lines
            sep = ":" if is_match else "-"
            where = f"{hit.path}{sep}{number}" if line_numbers else str(hit.path)
            out.append(f"{where}{sep}{cut_line(text, MAX_LINE_CHARS)}")
            previous = number
    return out


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def describe(params: GrepInput, ctx: ToolContext) -> str:
    """``Searching for 'foo' in src``."""
    where = ctx.display(ctx.resolve(params.path)) if params.path else "the workspace"
    return f"Searching for {params.pattern!r} in {where}"


GREP = Tool(
    name="Grep",
    description=DESCRIPTION,
    input_model=GrepInput,
    kind=ToolKind.READ,
    run=run,
    describe=describe,
    concurrent=True,
)

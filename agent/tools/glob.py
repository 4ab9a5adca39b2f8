"""Glob: files whose path matches a pattern, most recently modified first."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from pydantic import BaseModel, Field

from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext
from agent.tools.walk import glob_regex, walk_files

MAX_RESULTS = 200
_MAGIC = frozenset("*?[{")

DESCRIPTION = """\
Finds files by name pattern, in any size of codebase.
- Patterns like "**/*.py" (every folder) or "src/components/*.tsx" (one folder); `*` \
stays within a folder, `**` crosses folders, `{a,b}` gives alternatives.
- Searches path (an absolute folder; default: the workspace). Returns absolute paths, \
most recently modified first, at most 200.
- Skips .git and files ignored by .gitignore; use Bash `find` for those.
- To search file contents, use Grep."""


class GlobInput(BaseModel):
    """Input of the Glob tool."""

    pattern: str = Field(description='The glob pattern to match files against, e.g. "**/*.py"')
    path: str | None = Field(
        default=None,
        description="The folder to search in (absolute). Omit it to search the workspace.",
    )


async def run(params: GlobInput, ctx: ToolContext) -> str:
    """List matching files, newest first."""
    base = ctx.resolve(params.path) if params.path else ctx.workspace
    if not base.is_dir():
        what = "is not a folder" if base.exists() else "does not exist"
        raise ToolError(f"Cannot search {ctx.display(base)}: it {what}.")
    root, rest = split_pattern(base, params.pattern)
    paths = await asyncio.to_thread(find, root, rest, base)
    if not paths:
        return f"No files found matching {params.pattern!r} in {base}."
    lines = [str(p) for p in paths[:MAX_RESULTS]]
    if len(paths) > MAX_RESULTS:
        lines.append(
            f"(Showing the {MAX_RESULTS} most recently modified of {len(paths)} files. "
            "Use a narrower pattern or path to see others.)"
        )
    return "\n".join(lines)


def split_pattern(base: Path, pattern: str) -> tuple[Path, str]:
    """The fixed leading folders of ``pattern`` joined to ``base``, and the rest."""
    pattern = os.path.expanduser(pattern)
    parts = pattern.split("/")
    root = Path("/") if pattern.startswith("/") else base
    if pattern.startswith("/"):
        parts = parts[1:]
    while len(parts) > 1 and not _MAGIC & set(parts[0]):
        root = root / parts.pop(0)
    return root, "/".join(parts)


def find(root: Path, pattern: str, top: Path | None = None) -> list[Path]:
    """Files under ``root`` matching ``pattern``, newest first (ties by path).

    ``.gitignore`` files from ``top`` (a folder above ``root``) down apply too.
    """
    if not _MAGIC & set(pattern):
        candidate = root / pattern
        return [candidate] if candidate.is_file() else []
    if not root.is_dir():
        return []
    regex = glob_regex(pattern)
    matches = []
    for path in walk_files(root, top=top):
        rel = path.relative_to(root).as_posix()
        if regex.match(rel):
            try:
                matches.append((-path.stat().st_mtime, str(path), path))
            except OSError:
                continue  # vanished or a broken link
    matches.sort()
    return [path for _, _, path in matches]


def describe(params: GlobInput, ctx: ToolContext) -> str:
    """``Finding files matching '**/*.py' in src``."""
    where = f" in {ctx.display(ctx.resolve(params.path))}" if params.path else ""
    return f"Finding files matching {params.pattern!r}{where}"


GLOB = Tool(
    name="Glob",
    description=DESCRIPTION,
    input_model=GlobInput,
    kind=ToolKind.READ,
    run=run,
    describe=describe,
    concurrent=True,
)

"""Edit: replace an exact string in a file the agent has read and that has not changed."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext
from agent.tools.files import TextFile, atomic_write, decode_text, split_lines
from agent.tools.truncate import cut_line

SNIPPET_CONTEXT = 4  # lines shown before and after the change
_LINE_PREFIX = re.compile(r"^\s*\d+\t", re.MULTILINE)

DESCRIPTION = """\
Performs an exact string replacement in a file.
- You must Read the file in this session before editing it; if it changed since (the user \
or a program edited it), the edit is refused and you must Read it again.
- old_string must match the file exactly, including whitespace and indentation. Copy it \
from the Read output without the line-number prefix (number and tab).
- The edit fails if old_string is not unique in the file: include more surrounding lines \
to make it unique, or set replace_all to change every occurrence (useful for renames).
- old_string and new_string must differ.
- An empty old_string with a file_path that does not exist creates the file.
- file_path should be absolute; relative paths are taken from the workspace."""


class EditInput(BaseModel):
    """Input of the Edit tool."""

    file_path: str = Field(description="The absolute path of the file to change")
    old_string: str = Field(description="The exact text to replace")
    new_string: str = Field(description="The text to put in its place (must differ)")
    replace_all: bool = Field(
        default=False, description="Replace every occurrence of old_string (default false)"
    )


async def run(params: EditInput, ctx: ToolContext) -> str:
    """Apply the replacement atomically and show the changed lines."""
    path = ctx.resolve(params.file_path)
    shown = ctx.display(path)
    if params.old_string == params.new_string:
        raise ToolError("old_string and new_string are the same; there is nothing to change.")
    if path.is_dir():
        raise ToolError(f"{shown} is a folder; give the path of a file.")
    if not path.exists():
        if params.old_string:
            raise ToolError(f"File does not exist: {shown}. Use an empty old_string to create it.")
        _save(ctx, path, shown, TextFile(""), params.new_string)
        return f"Created {shown}."

    data = ctx.files.require_fresh(path)
    try:
        file = decode_text(data)
    except ValueError:
        raise ToolError(f"{shown} is a binary file; Edit changes only text files.") from None
    text = file.text
    old, new = params.old_string, params.new_string
    if file.newline == "\r\n":
        old, new = old.replace("\r\n", "\n"), new.replace("\r\n", "\n")

    if not old:
        if text:
            raise ToolError(
                f"{shown} already exists and is not empty; an empty old_string only creates "
                "files. Give the text to replace."
            )
        _save(ctx, path, shown, file, new)
        return f"Wrote {shown}.\n{_snippet(new, 0, new)}"

    count = text.count(old)
    if count == 0:
        raise ToolError(_not_found(text, old, shown))
    if count > 1 and not params.replace_all:
        raise ToolError(
            f"Found {count} matches of old_string in {shown}, but replace_all is false. "
            "Add more surrounding context to old_string to make it unique, or set "
            "replace_all to true to replace every occurrence."
        )
    start = text.index(old)
    updated = text.replace(old, new) if params.replace_all else text.replace(old, new, 1)
    _save(ctx, path, shown, file, updated)
    what = f"{count} occurrences" if params.replace_all and count > 1 else "1 occurrence"
    return f"Edited {shown}: replaced {what}.\n{_snippet(updated, start, new)}"


def _save(ctx: ToolContext, path: Path, shown: str, file: TextFile, text: str) -> None:
    data = file.encode(text)
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise ToolError(f"Cannot write {shown}: {exc.strerror or exc}") from None
    ctx.files.record(path, data)


def _snippet(text: str, start: int, new: str) -> str:
    """The lines around the change at ``start``, numbered like Read shows them."""
    first = text.count("\n", 0, start) + 1
    last = first + new.count("\n")
    lines = split_lines(text)
    low = max(1, first - SNIPPET_CONTEXT)
    high = min(len(lines), last + SNIPPET_CONTEXT)
    return "\n".join(f"{n:>6}\t{cut_line(lines[n - 1], 500)}" for n in range(low, high + 1))


def _not_found(text: str, old: str, shown: str) -> str:
    message = (
        f"old_string was not found in {shown}. It must match the file exactly, including "
        "whitespace, indentation and line breaks."
    )
    if _LINE_PREFIX.search(old):
        return message + " Leave out the line-number prefixes that Read adds."
    words = old.split()
    if words:
        loose = re.search(r"\s+".join(re.escape(w) for w in words), text)
        if loose:
            line = text.count("\n", 0, loose.start()) + 1
            return (
                message + f" Text differing only in whitespace is at line {line}; Read "
                "that part again and copy it exactly."
            )
    return message + " Read the file again and copy the text to replace from it."


def describe(params: EditInput, ctx: ToolContext) -> str:
    """``Editing src/app.py``."""
    return f"Editing {ctx.display(ctx.resolve(params.file_path))}"


EDIT = Tool(
    name="Edit",
    description=DESCRIPTION,
    input_model=EditInput,
    kind=ToolKind.WRITE,
    run=run,
    describe=describe,
)

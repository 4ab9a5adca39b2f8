"""Edit: replace an exact string in a file the agent has read and that has not changed."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, Field

from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext
from agent.tools.files import Codec, atomic_write
from agent.tools.splice import splice
from agent.tools.text_lines import TextDoc, key_of
from agent.tools.truncate import cut_line

SNIPPET_CONTEXT = 4  # lines shown before and after the change
_LINE_PREFIX = re.compile(r"^\s*\d+\t", re.MULTILINE)

DESCRIPTION = """\
Performs an exact string replacement in a file.
- You must Read the file in this session before editing it; if it changed since (the user \
or a program edited it), the edit is refused and you must Read it again.
- old_string must match the file exactly, including whitespace and indentation. Copy it \
from the Read output without the line-number prefix (number and tab).
- Write line breaks as plain \\n, as Read shows them: Edit keeps the file's own line \
endings (CRLF, LF or mixed), byte order mark and Unicode form wherever the text does not \
change; new lines take the ending of the line they replace, else the file's usual one.
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
    """Apply the replacement atomically and show the changed lines. What it matches and
    writes follows ``text_lines`` and ``splice``: the file's line endings, byte order mark
    and Unicode form are kept wherever the text does not change."""
    path = ctx.resolve(params.file_path)
    shown = ctx.display(path)
    if params.old_string == params.new_string:
        raise ToolError("old_string and new_string are the same; there is nothing to change.")
    if path.is_dir():
        raise ToolError(f"{shown} is a folder; give the path of a file.")
    if not path.exists():
        if params.old_string:
            raise ToolError(f"File does not exist: {shown}. Use an empty old_string to create it.")
        await _save(ctx, path, shown, Codec().encode(params.new_string))
        return f"Created {shown}."

    data = ctx.files.require_fresh(path)
    try:
        doc = TextDoc.parse(data)
    except ValueError:
        raise ToolError(f"{shown} is a binary file; Edit changes only text files.") from None
    old, new = params.old_string, params.new_string

    if not old:
        if doc.raw:
            raise ToolError(
                f"{shown} already exists and is not empty; an empty old_string only creates "
                "files. Give the text to replace."
            )
        await _save(ctx, path, shown, doc.codec.encode(new))
        return f"Wrote {shown}.\n{_snippet(TextDoc.from_text(new), 1, new)}"

    doc = doc.matching(old)  # a stray CR copied from Read is matched as Read showed it
    if key_of(doc.normalise(old)) == key_of(doc.normalise(new)):
        raise ToolError(
            "old_string and new_string differ only in line endings or Unicode normalisation, "
            "which Edit keeps as the file has them; there is nothing to change. Use Bash "
            "(e.g. dos2unix) to convert a file."
        )
    matches = doc.find(old)
    if not matches:
        raise ToolError(_not_found(doc.view, old, shown))
    if len(matches) > 1 and not params.replace_all:
        raise ToolError(
            f"Found {len(matches)} matches of old_string in {shown}, but replace_all is false. "
            "Add more surrounding context to old_string to make it unique, or set "
            "replace_all to true to replace every occurrence."
        )
    raw = doc.raw
    ending = doc.dominant_ending(fallback="\r\n" if "\r\n" in new else "\n")
    for start, end, _line in reversed(matches if params.replace_all else matches[:1]):
        raw = raw[:start] + splice(doc, start, end, new, ending) + raw[end:]
    updated = TextDoc.from_text(raw, doc.codec)
    await _save(ctx, path, shown, updated.encode())
    count = len(matches) if params.replace_all else 1
    what = f"{count} occurrences" if count > 1 else "1 occurrence"
    return f"Edited {shown}: replaced {what}.\n{_snippet(updated, matches[0][2], new)}"


async def _save(ctx: ToolContext, path: Path, shown: str, data: bytes) -> None:
    if ctx.checkpoints is not None:  # a way back first (agent.checkpoints)
        await ctx.checkpoints.before_change(path, data, "Edit")
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise ToolError(f"Cannot write {shown}: {exc.strerror or exc}") from None
    ctx.files.record(path, data)


def _snippet(doc: TextDoc, first: int, new: str) -> str:
    """The lines around the change starting at line ``first``, numbered as Read shows them."""
    last = first + doc.normalise(new).count("\n")
    lines = doc.lines
    low = max(1, first - SNIPPET_CONTEXT)
    high = min(len(lines), last + SNIPPET_CONTEXT)
    return "\n".join(f"{n:>6}\t{cut_line(lines[n - 1].text, 500)}" for n in range(low, high + 1))


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

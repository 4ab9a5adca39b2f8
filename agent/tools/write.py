"""Write: create a file, or replace one the agent has read and that has not changed."""

from __future__ import annotations

from pydantic import BaseModel, Field

from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext
from agent.tools.files import atomic_write, split_lines
from agent.tools.splice import splice
from agent.tools.text_lines import TextDoc

DESCRIPTION = """\
Writes a file to the local filesystem, creating it (and missing parent folders) or \
replacing its whole content.
- file_path should be absolute; relative paths are taken from the workspace.
- To replace an existing file you must have Read it in this session, and it must not \
have changed since; otherwise the write is refused.
- Prefer Edit for changing part of an existing file: it sends only the change.
- Write line breaks as plain \\n. Replacing an existing text file keeps its line endings \
(CRLF stays CRLF), byte order mark and encoding.
- Do not create files the task does not need (such as README or notes files) unless asked."""


class WriteInput(BaseModel):
    """Input of the Write tool."""

    file_path: str = Field(description="The absolute path of the file to write")
    content: str = Field(description="The complete content to write to the file")


async def run(params: WriteInput, ctx: ToolContext) -> str:
    """Write the file atomically and record its new hash. An existing text file keeps its
    conventions (``converted``)."""
    path = ctx.resolve(params.file_path)
    shown = ctx.display(path)
    if path.is_dir():
        raise ToolError(f"{shown} is a folder; give the path of a file.")
    existed = path.exists()
    data = params.content.encode("utf-8")
    kept = ""
    if existed:
        data, kept = converted(ctx.files.require_fresh(path), params.content)
    if ctx.checkpoints is not None:  # a way back first (agent.checkpoints)
        await ctx.checkpoints.before_change(path, data, "Write")
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise ToolError(f"Cannot write {shown}: {exc.strerror or exc}") from None
    ctx.files.record(path, data)
    lines = len(split_lines(params.content))
    verb = "Updated" if existed else "Created"
    return f"{verb} {shown} ({lines} line{'' if lines == 1 else 's'}{kept})."


def converted(current: bytes, content: str) -> tuple[bytes, str]:
    """The bytes to store when ``content`` replaces a file that holds ``current``, and a
    note on what was kept. A text file with line endings keeps them (lines the model left
    as they were keep their bytes, see ``splice``), and any file keeps its byte order
    mark and encoding: replacing a file's content is not converting its format. A binary
    file, or one without a line ending, takes ``content`` as it is."""
    try:
        doc = TextDoc.parse(current)
    except ValueError:
        return content.encode("utf-8"), ""
    style = doc.describe_endings()
    if not style:
        return doc.codec.encode(content), ""
    raw = splice(doc, 0, len(doc.raw), content, doc.dominant_ending())
    return doc.codec.encode(raw), "" if style == "LF" else f"; its {style} line endings kept"


def describe(params: WriteInput, ctx: ToolContext) -> str:
    """``Writing notes.txt``."""
    return f"Writing {ctx.display(ctx.resolve(params.file_path))}"


WRITE = Tool(
    name="Write",
    description=DESCRIPTION,
    input_model=WriteInput,
    kind=ToolKind.WRITE,
    run=run,
    describe=describe,
)

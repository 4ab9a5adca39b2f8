"""Read: a file's lines numbered like ``cat -n``, or an image for the model to see.

Lines are shown without their endings (CRLF, LF or CR alike), exactly as Edit matches them
(``text_lines``): what the model copies from Read is what Edit finds."""

from __future__ import annotations

import base64
import difflib
import os
from pathlib import Path

from pydantic import BaseModel, Field

from agent.tools.base import Tool, ToolError, ToolKind, ToolOutput
from agent.tools.context import ToolContext
from agent.tools.files import human_size
from agent.tools.text_lines import TextDoc
from agent.tools.truncate import cut_line

DEFAULT_LIMIT = 2000
MAX_LINE_CHARS = 2000
MAX_OUTPUT_CHARS = 100_000  # about 25k tokens
MAX_FILE_BYTES = 20 * 1024 * 1024
# The API limits an image to 5 MB of base64, which is 3.75 MB of file.
MAX_IMAGE_BYTES = 5 * 1024 * 1024 * 3 // 4
IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})

DESCRIPTION = """\
Reads a file from the local filesystem and returns its lines numbered like `cat -n` \
(line number, tab, text).
- file_path should be absolute; relative paths are taken from the workspace.
- By default up to 2000 lines from the start are returned. For long files, pass offset \
(1-based line number to start at) and limit (number of lines). Lines longer than 2000 \
characters are cut.
- Images (PNG, JPEG, GIF, WebP) are shown to you as images. Other binary files are refused.
- You must Read a file before changing it with Edit or Write.
- It only reads files; list folders with Bash `ls` and find files with Glob.
- Reading several files that may be useful at once, in one message, is fine and fast."""


class ReadInput(BaseModel):
    """Input of the Read tool."""

    file_path: str = Field(description="The absolute path of the file to read")
    offset: int | None = Field(
        default=None, ge=1, description="The line number to start reading at (1-based)"
    )
    limit: int | None = Field(default=None, ge=1, description="The number of lines to read")


async def run(params: ReadInput, ctx: ToolContext) -> ToolOutput | str:
    """Read the file; records its hash so Edit and Write may change it."""
    path = ctx.resolve(params.file_path)
    shown = ctx.display(path)
    if path.is_dir():
        raise ToolError(f"{shown} is a folder, not a file. List it with Bash `ls` or Glob.")
    if not path.exists():
        raise ToolError(_missing(path, shown))
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ToolError(
                f"{shown} is {human_size(size)}, too large to read. Search it with Grep or "
                "look at parts with Bash (`head`, `tail`, `sed -n '100,200p'`)."
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ToolError(f"Cannot read {shown}: {exc.strerror or exc}") from None
    ctx.files.record(path, data)

    if path.suffix.lower() in IMAGE_EXTENSIONS:
        media_type = image_media_type(data)
        if media_type is not None:
            return _image(data, media_type, shown)
    try:
        doc = TextDoc.parse(data)
    except ValueError:
        raise ToolError(
            f"{shown} is a binary file ({human_size(len(data))}); Read shows only text files "
            "and images."
        ) from None
    if not doc.lines:
        return f"(The file {shown} exists but is empty.)"
    # Lines without their endings, as Edit matches them (see text_lines).
    lines = [line.text for line in doc.lines]
    return number_lines(lines, params.offset or 1, params.limit or DEFAULT_LIMIT)


def number_lines(lines: list[str], offset: int, limit: int) -> str:
    """Lines ``offset..offset+limit-1`` as ``cat -n`` shows them, with a note on the rest."""
    total = len(lines)
    if offset > total:
        return f"(The file has {total} lines; offset {offset} is past its end.)"
    out: list[str] = []
    size = 0
    end = min(total, offset - 1 + limit)
    for number in range(offset, end + 1):
        text = cut_line(lines[number - 1], MAX_LINE_CHARS)
        line = f"{number:>6}\t{text}"
        size += len(line) + 1
        if size > MAX_OUTPUT_CHARS and out:
            end = number - 1
            break
        out.append(line)
    if end < total:
        out.append(f"\n(Showed lines {offset}-{end} of {total}. Use offset={end + 1} to read on.)")
    return "\n".join(out)


def image_media_type(data: bytes) -> str | None:
    """The media type of a PNG, JPEG, GIF or WebP image, judged by its first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image(data: bytes, media_type: str, shown: str) -> ToolOutput:
    if len(data) > MAX_IMAGE_BYTES:
        raise ToolError(
            f"{shown} is an image of {human_size(len(data))}; images up to "
            f"{human_size(MAX_IMAGE_BYTES)} can be shown. Make a smaller copy first."
        )
    encoded = base64.b64encode(data).decode("ascii")
    return ToolOutput(
        [
            {"type": "text", "text": f"Image {shown} ({media_type}, {human_size(len(data))})"},
            {
                "type": "image",
                "source": {"type": "base64", "media_type": media_type, "data": encoded},
            },
        ]
    )


def _missing(path: Path, shown: str) -> str:
    message = f"File does not exist: {shown}."
    try:
        with os.scandir(path.parent) as entries:
            names = [entry.name for _, entry in zip(range(2000), entries, strict=False)]
    except OSError:
        return message
    close = difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)
    if close:
        message += " Did you mean: " + ", ".join(str(path.parent / n) for n in close) + "?"
    return message


def describe(params: ReadInput, ctx: ToolContext) -> str:
    """``Reading README.md``."""
    return f"Reading {ctx.display(ctx.resolve(params.file_path))}"


READ = Tool(
    name="Read",
    description=DESCRIPTION,
    input_model=ReadInput,
    kind=ToolKind.READ,
    run=run,
    describe=describe,
    concurrent=True,
)

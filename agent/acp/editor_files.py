"""Read, Write and Edit through the editor, so the model sees what the user sees.

An editor that offers ``fs.readTextFile`` answers with a buffer's content, saved or not;
one that offers ``fs.writeTextFile`` takes the new content into its buffer (and saves it,
or lets the user). Harken's tools stay the same tools (same names, inputs, permission
kinds); only where the bytes come from and go to changes:

- Read: a text file's lines come from the editor; images, binary, folders, missing or
  over-large files, and anything the editor cannot read, are read from the disk as always.
- Write and Edit run unchanged inside a file overlay (``agent.tools.files.Overlay``): the
  freshness check compares against the editor's buffer, and the bytes they would write
  are handed to the editor instead of the disk.

The editor's text is hashed as UTF-8, both when read and when checked, so an unchanged
buffer is fresh and a buffer the user typed into since is stale (read it again).
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import Any

from acp.interfaces import Client

from agent.tools import files
from agent.tools.base import Tool, ToolError
from agent.tools.context import ToolContext
from agent.tools.read import DEFAULT_LIMIT, IMAGE_EXTENSIONS, MAX_FILE_BYTES, number_lines
from agent.tools.text_lines import TextDoc

log = logging.getLogger(__name__)


@dataclasses.dataclass
class EditorFiles:
    """The editor's file access for one session (``read``/``write``: what it offers)."""

    conn: Client
    session_id: str
    read: bool
    write: bool

    async def read_text(self, path: Path) -> str | None:
        """The editor's content of ``path``; None when it cannot give it (the disk decides)."""
        try:
            response = await self.conn.read_text_file(self.session_id, str(path))
        except Exception as exc:  # not open, not text, gone: the disk says why
            log.debug("the editor did not read %s: %s", path, exc)
            return None
        return response.content

    async def write_bytes(self, path: Path, data: bytes) -> None:
        """Hand ``data`` (text in the file's encoding) to the editor for ``path``."""
        try:
            text, _codec = files.decode_bytes(data)
        except ValueError:
            raise ToolError(f"{path} would not be text; the editor takes only text.") from None
        try:
            await self.conn.write_text_file(self.session_id, str(path), text)
        except Exception as exc:
            raise ToolError(f"The editor did not write {path}: {exc}") from None

    def wrap(self, tools: dict[str, Tool[Any]]) -> None:
        """Put the editor behind the session's Read, Write and Edit (in place)."""
        if self.read and "Read" in tools:
            tools["Read"] = dataclasses.replace(tools["Read"], run=self._read_run(tools["Read"]))
        if self.write:
            for name in ("Write", "Edit"):
                if name in tools:
                    tools[name] = dataclasses.replace(
                        tools[name], run=self._overlaid_run(tools[name])
                    )

    def _read_run(self, disk: Tool[Any]) -> Any:
        async def run(params: Any, ctx: ToolContext) -> Any:
            path = ctx.resolve(params.file_path)
            if not _text_on_disk(path):
                return await disk.run(params, ctx)  # its own messages and image handling
            data = _utf8(await self.read_text(path))
            if data is None:
                return await disk.run(params, ctx)
            ctx.files.record(path, data)
            doc = TextDoc.parse(data)
            if not doc.lines:
                return f"(The file {ctx.display(path)} exists but is empty.)"
            lines = [line.text for line in doc.lines]
            return number_lines(lines, params.offset or 1, params.limit or DEFAULT_LIMIT)

        return run

    def _overlaid_run(self, tool: Tool[Any]) -> Any:
        async def run(params: Any, ctx: ToolContext) -> Any:
            path = ctx.resolve(params.file_path)
            overlay = files.Overlay()
            if self.read and ctx.files.was_read(path) and path.is_file():
                data = _utf8(await self.read_text(path))
                if data is not None:  # else the disk, as Read had it
                    overlay.held[_real(path)] = data
            token = files.overlay.set(overlay)
            try:
                result = await tool.run(params, ctx)
            finally:
                files.overlay.reset(token)
            for target, data in overlay.written:
                await self.write_bytes(target, data)
            return result

        return run


def _real(path: Path) -> Path:
    """The key the file tracker knows ``path`` by."""
    return Path(os.path.realpath(path))


def _utf8(text: str | None) -> bytes | None:
    """The editor's text as the bytes Harken hashes; None for none or for lone
    surrogates (not text the model can be given: the disk is read instead)."""
    if text is None:
        return None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return None


def _text_on_disk(path: Path) -> bool:
    """Whether ``path`` is a text file Read may take from the editor."""
    if path.suffix.lower() in IMAGE_EXTENSIONS:
        return False
    try:
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return False
        with path.open("rb") as f:
            return not files.looks_binary(f.read(files.SNIFF_BYTES))
    except OSError:
        return False

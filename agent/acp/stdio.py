"""The editor's pipes, kept for the protocol alone.

On stdio, every byte on stdout must be a protocol message and every byte on stdin is the
editor's. So before serving, the two pipes are moved to descriptors of their own, and
descriptors 0 and 1 become ``/dev/null`` and a copy of stderr: a stray ``print``, a
library's output or a child process that inherits them can never read the editor's
messages or write into the protocol stream.
"""

from __future__ import annotations

import asyncio
import os
import sys

from acp import stdio_streams
from acp.core import DEFAULT_STDIO_BUFFER_LIMIT_BYTES


async def protocol_streams() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """The editor's stdin and stdout as asyncio streams (reader, writer); see the module."""
    editor_in = os.fdopen(os.dup(0), "rb", buffering=0)
    editor_out = os.fdopen(os.dup(1), "wb", buffering=0)
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    # The SDK wires up sys.stdin and sys.stdout: let it wire up the moved pipes instead.
    stdin, stdout = sys.stdin, sys.stdout
    sys.stdin, sys.stdout = editor_in, editor_out  # type: ignore[assignment]
    try:
        return await stdio_streams(limit=DEFAULT_STDIO_BUFFER_LIMIT_BYTES)
    finally:
        sys.stdin, sys.stdout = stdin, stdout

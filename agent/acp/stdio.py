"""The editor's pipes, kept for the protocol alone, and screened before the SDK reads them.

On stdio, every byte on stdout must be a protocol message and every byte on stdin is the
editor's. So before serving, the two pipes are moved to descriptors of their own, and
descriptors 0 and 1 become ``/dev/null`` and a copy of stderr: a stray ``print``, a
library's output or a child process that inherits them can never read the editor's
messages or write into the protocol stream.

Each line the editor sends is checked before the SDK sees it (the SDK stops at a line
that is valid JSON but not a message object: ``null`` reads as the end of input, ``42``
raises): a line that is not JSON is answered with a JSON-RPC parse error (-32700), one
that is not a message object with an invalid-request error (-32600, with the message's
``id`` when it has a usable one), each said in one line on stderr; the agent keeps
serving. The SDK's own refusals of params it cannot read ("Invalid params", the reason
only in ``data``) go out with the reason in ``message``, and a notification it cannot read
is one line in the log, not a traceback. stdin and stdout may also be regular files
(``harken acp < in > out``), which asyncio's pipe transports refuse: those are read and
written directly.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import sys
from typing import Any

from acp.core import DEFAULT_STDIO_BUFFER_LIMIT_BYTES

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
READ_CHUNK = 1 << 16

_screens: set[asyncio.Task[None]] = set()  # kept so the loop does not lose them


async def protocol_streams(
    limit: int = DEFAULT_STDIO_BUFFER_LIMIT_BYTES,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """The editor's stdin (screened) and stdout as asyncio streams; see the module."""
    editor_in, editor_out = os.dup(0), os.dup(1)
    sys.stdout.flush()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    loop = asyncio.get_running_loop()
    writer = await _writer(loop, editor_out)
    raw = await _reader(loop, editor_in, limit)
    screened = asyncio.StreamReader(limit=limit)
    task = loop.create_task(_screen(raw, screened, writer))
    _screens.add(task)
    task.add_done_callback(_screens.discard)
    return screened, writer


def _is_stream(fd: int) -> bool:
    """Whether asyncio's pipe transports take ``fd`` (pipes, sockets, terminals)."""
    mode = os.fstat(fd).st_mode
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)


async def _reader(loop: asyncio.AbstractEventLoop, fd: int, limit: int) -> asyncio.StreamReader:
    reader = asyncio.StreamReader(limit=limit)
    if _is_stream(fd):
        protocol = asyncio.StreamReaderProtocol(reader)
        await loop.connect_read_pipe(lambda: protocol, os.fdopen(fd, "rb", buffering=0))
        return reader

    async def feed() -> None:  # a regular file: reading never waits for long
        try:
            while chunk := await asyncio.to_thread(os.read, fd, READ_CHUNK):
                reader.feed_data(chunk)
        except OSError as exc:
            log.warning("cannot read stdin: %s", exc)
        finally:
            os.close(fd)
            reader.feed_eof()

    task = loop.create_task(feed())
    _screens.add(task)
    task.add_done_callback(_screens.discard)
    return reader


class _DrainProtocol(asyncio.Protocol):
    """What ``StreamWriter.drain`` needs from a protocol: waiting while paused."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._waiter: asyncio.Future[None] | None = None

    def pause_writing(self) -> None:
        if self._waiter is None:
            self._waiter = self._loop.create_future()

    def resume_writing(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)
        self._waiter = None

    async def _drain_helper(self) -> None:
        if self._waiter is not None:
            await self._waiter


class _FileTransport(asyncio.WriteTransport):
    """Writes to a regular file, whole, as they come (a file never makes one wait)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing:
            return
        view = memoryview(bytes(data))
        while view:
            view = view[os.write(self._fd, view) :]

    def can_write_eof(self) -> bool:
        return False

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            os.close(self._fd)

    def abort(self) -> None:
        self.close()

    def get_write_buffer_size(self) -> int:
        return 0


async def _writer(loop: asyncio.AbstractEventLoop, fd: int) -> asyncio.StreamWriter:
    protocol = _DrainProtocol(loop)
    if _is_stream(fd):
        transport, _ = await loop.connect_write_pipe(
            lambda: protocol, os.fdopen(fd, "wb", buffering=0)
        )
    else:
        transport = _FileTransport(fd)
    return _Writer(transport, protocol, None, loop)


class _Writer(asyncio.StreamWriter):
    """The SDK's writer, with its "Invalid params" errors saying what is invalid."""

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if b'"message":"Invalid params"' in data:  # cheap test: the rest pass untouched
            data = _said_params_error(bytes(data))
        super().write(data)


def _said_params_error(line: bytes) -> bytes:
    """``line`` (one JSON-RPC answer) with the validation errors in ``data`` said in its
    ``message``, e.g. ``Invalid params: prompt: Field required``."""
    try:
        message = json.loads(line)
        error = message["error"]
        problems = [
            f"{'.'.join(map(str, e.get('loc') or [])) or 'params'}: {e.get('msg', 'invalid')}"
            for e in error["data"]["errors"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        return line
    error["message"] = "Invalid params: " + "; ".join(problems)
    return (json.dumps(message, separators=(",", ":")) + "\n").encode("utf-8")


class OneLineNotificationErrors(logging.Filter):
    """On the root logger, where the SDK logs: a notification it could not read (bad
    params) becomes one line instead of a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = str(record.msg)
        if text.startswith("Unhandled error while handling notification") and record.exc_info:
            exc = record.exc_info[1]
            if type(exc).__name__ == "ValidationError":
                method = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
                record.msg = "ignored a notification from the editor (%s): its params are invalid"
                record.args = (method,)
                record.levelno, record.levelname = logging.WARNING, "WARNING"
                record.exc_info, record.exc_text = None, None
        return True


async def _screen(
    raw: asyncio.StreamReader, screened: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Pass the editor's well-formed messages on to ``screened``; answer the rest."""
    try:
        while True:
            try:
                line = await raw.readline()
            except ValueError:  # longer than the limit: the reader dropped it
                _answer(writer, None, PARSE_ERROR, "a line longer than the limit was dropped")
                continue
            if not line:
                return
            if not line.strip():
                continue
            problem = check_line(line)
            if problem is None:
                screened.feed_data(line if line.endswith(b"\n") else line + b"\n")
            else:
                _answer(writer, *problem)
    except Exception:
        log.exception("reading the editor's messages failed")
    finally:
        screened.feed_eof()


def check_line(line: bytes) -> tuple[Any, int, str] | None:
    """None for a line the SDK can take; else (id to answer with, code, why)."""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        return None, PARSE_ERROR, "not valid JSON"
    if not isinstance(message, dict):
        what = "a batch (not supported)" if isinstance(message, list) else "not an object"
        return None, INVALID_REQUEST, f"not a JSON-RPC message: {what}"
    has_id = "id" in message
    request_id = message.get("id")
    if request_id is not None and (
        not isinstance(request_id, (str, int)) or isinstance(request_id, bool)
    ):
        return None, INVALID_REQUEST, "the id must be a string, an integer or null"
    if "method" in message:
        if not isinstance(message["method"], str):
            return request_id, INVALID_REQUEST, "the method must be a string"
        params = message.get("params")
        if params is not None and not isinstance(params, (dict, list)):
            return request_id, INVALID_REQUEST, "params must be an object or an array"
        return None
    if has_id and ("result" in message or "error" in message):
        return None  # an answer to one of Harken's requests
    return request_id, INVALID_REQUEST, "neither a request nor a response"


def _answer(writer: asyncio.StreamWriter, request_id: Any, code: int, why: str) -> None:
    """Say ``why`` on stderr (one line) and answer the editor with a JSON-RPC error."""
    log.warning("ignored a message from the editor: %s", why)
    message = "Parse error" if code == PARSE_ERROR else "Invalid request"
    error = {"code": code, "message": f"{message}: {why}"}
    payload = {"jsonrpc": "2.0", "id": request_id, "error": error}
    if writer.transport.is_closing():
        return
    # One write per message, as the SDK's: lines never interleave.
    writer.write((json.dumps(payload, separators=(",", ":")) + "\n").encode("utf-8"))

"""One MCP server: start it, keep its tool list, call its tools, start it again after a crash.

A connection lives in a task of its own (the SDK's client must be entered and left in the
same task); calls come from the agent's tasks. Whatever goes wrong (the program is missing,
it crashes, it hangs, the URL does not answer) ends as ``ServerUnavailable`` with one line
people can read, and the next call starts the server again. The server's stderr goes to
the log, one line at a time; its environment's values never do.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent.mcp.config import ServerConfig

log = logging.getLogger(__name__)

STARTING, CONNECTED, FAILED, STOPPED = "starting", "connected", "failed", "stopped"


class ServerUnavailable(Exception):
    """The server cannot answer now; the message is one line for people and the model."""


class Connection:
    """A configured server and, while it runs, the client talking to it."""

    def __init__(
        self,
        config: ServerConfig,
        workspace: Path,
        *,
        on_tools: Callable[[Connection], None],
        on_problem: Callable[[str], None],
    ) -> None:
        self.config = config
        self.workspace = workspace
        self.status = STOPPED
        self.error = ""
        self.tools: list[Any] = []  # the server's tool definitions (mcp_types.Tool)
        self._on_tools = on_tools
        self._on_problem = on_problem
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._refresh_wanted = asyncio.Event()
        self._changes = 0  # tools/list_changed received
        self._listed_for = 0  # how many of them the current tool list reflects
        self._listed = asyncio.Event()

    @property
    def name(self) -> str:
        return self.config.name

    # -- starting and stopping ---------------------------------------------------------

    def start(self) -> None:
        """Start the server in the background unless it runs or is starting."""
        if self._task is not None and not self._task.done():
            return
        self.status, self.error = STARTING, ""
        self._ready = asyncio.Event()
        self._stop = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._serve(), name=f"mcp-{self.name}")

    async def wait_ready(self, seconds: float) -> None:
        """Wait until the server answered its handshake and listed its tools; raises
        ``ServerUnavailable`` when it failed or did not within ``seconds``."""
        if self.status != CONNECTED:
            self.start()
            try:
                async with asyncio.timeout(seconds):
                    await self._ready.wait()
            except TimeoutError:
                await self._fail(f"did not start within {seconds:g} s", stop=True)
        if self.status != CONNECTED:
            raise ServerUnavailable(self.problem())

    def problem(self) -> str:
        return f"MCP server {self.name!r} {self.error or 'is not running'}"

    async def close(self) -> None:
        """Stop the server (stdio: its process tree) and wait for that, bounded."""
        task, self._task = self._task, None
        self._stop.set()
        if task is not None and not task.done():
            try:
                async with asyncio.timeout(8):  # the SDK's own stop takes up to ~6 s
                    await asyncio.shield(task)
            except (TimeoutError, asyncio.CancelledError):
                task.cancel()
            except Exception:
                log.debug("closing %s", self.name, exc_info=True)
        self._client = None
        if self.status != FAILED:
            self.status = STOPPED

    async def _fail(self, error: str, *, stop: bool) -> None:
        first = self.status != FAILED
        self.status, self.error = FAILED, error
        self._client = None
        self._ready.set()
        if first:
            self._on_problem(self.problem())
        if stop:
            task, self._task = self._task, None
            self._stop.set()
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    # -- calls -------------------------------------------------------------------------

    async def call(
        self, tool: str, arguments: dict[str, Any], *, start_seconds: float, call_seconds: float
    ) -> Any:
        """Call ``tool``; the server is started (again) first when it is not running.
        Returns the SDK's ``CallToolResult``; raises ``ServerUnavailable``."""
        from mcp import MCPError
        from mcp_types import CONNECTION_CLOSED

        if not self._alive():
            if not self._starting():  # a start under way (the tray's, at launch) goes on
                await self._forget_task()
            await self.wait_ready(start_seconds)
        client = self._client
        try:
            async with asyncio.timeout(call_seconds):
                return await client.call_tool(tool, arguments)
        except TimeoutError:
            await self._fail(f"did not answer {tool} within {call_seconds:g} s", stop=True)
        except MCPError as exc:
            if exc.code != CONNECTION_CLOSED:
                raise ServerUnavailable(f"MCP server {self.name!r} refused {tool}: {exc}") from None
            await self._fail(f"stopped while running {tool} (the program exited)", stop=True)
        except Exception as exc:
            await self._fail(f"failed while running {tool}: {_one_line(exc)}", stop=True)
        raise ServerUnavailable(self.problem() + "; it starts again on the next call")

    def _alive(self) -> bool:
        running = self._task is not None and not self._task.done()
        return running and self.status == CONNECTED and self._client is not None

    def _starting(self) -> bool:
        running = self._task is not None and not self._task.done()
        return running and self.status == STARTING

    async def _forget_task(self) -> None:
        """Let a finished (or finishing) connection go, so ``start`` makes a new one."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            self._stop.set()
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        self.status = STOPPED

    # -- the connection's own task -----------------------------------------------------

    async def _serve(self) -> None:
        from mcp import Client, Implementation

        errlog = _StderrToLog(self.name) if self.config.transport == "stdio" else None
        try:
            client = Client(
                self._target(errlog),
                message_handler=self._on_message,
                client_info=Implementation(name="harken", version="1"),
                cache=None,
            )
            async with client:
                self._client = client
                await self._list_tools()
                self.status, self.error = CONNECTED, ""
                self._ready.set()
                log.info("MCP server %s connected (%d tools)", self.name, len(self.tools))
                self._on_tools(self)  # sessions attached before it was up get its tools now
                await self._until_stopped(client)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # an ExceptionGroup from the SDK's task groups too
            if not self._stop.is_set():
                log.info("MCP server %s ended", self.name, exc_info=True)
                await self._fail(_reason(exc, self.config), stop=False)
        finally:
            self._client = None
            if errlog is not None:
                with contextlib.suppress(BaseException):
                    await errlog.aclose()
        if not self._stop.is_set() and self.status == CONNECTED:
            await self._fail("stopped", stop=False)

    async def _until_stopped(self, client: Any) -> None:
        """Keep the connection until ``close``; refresh the tool list when it changes."""
        listener = asyncio.get_running_loop().create_task(self._listen(client))
        try:
            while not self._stop.is_set():
                stop = asyncio.ensure_future(self._stop.wait())
                refresh = asyncio.ensure_future(self._refresh_wanted.wait())
                try:
                    await asyncio.wait({stop, refresh}, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    stop.cancel()
                    refresh.cancel()
                if self._refresh_wanted.is_set() and not self._stop.is_set():
                    self._refresh_wanted.clear()
                    seen = self._changes
                    await self._list_tools()
                    self._listed_for = seen
                    self._on_tools(self)
                    self._listed.set()
                    self._listed = asyncio.Event()
        finally:
            listener.cancel()
            with contextlib.suppress(BaseException):
                await listener

    async def _listen(self, client: Any) -> None:
        """On 2026-era connections, ask for tools/list_changed (older servers send it
        unasked); the notification itself arrives through ``_on_message``."""
        from mcp.shared.exceptions import MCPError
        from mcp_types.version import MODERN_PROTOCOL_VERSIONS

        if client.protocol_version not in MODERN_PROTOCOL_VERSIONS:
            return
        try:
            async with client.listen(tools_list_changed=True) as subscription:
                async for _event in subscription:
                    self._changed()
        except MCPError as exc:
            # The server's answer ("Method not found" from most of them): expected, and
            # nothing a traceback would explain.
            log.debug("MCP server %s: no tools/list_changed subscription (%s)", self.name, exc)
        except Exception:
            log.debug("MCP server %s: no tools/list_changed subscription", self.name, exc_info=True)

    async def _on_message(self, message: Any) -> None:
        inner = getattr(message, "root", message)
        if getattr(inner, "method", None) == "notifications/tools/list_changed":
            self._changed()

    def _changed(self) -> None:
        self._changes += 1
        self._refresh_wanted.set()

    async def refreshed(self) -> None:
        """Wait until the tool list reflects every tools/list_changed so far (at least one)."""
        while not (self._changes and self._listed_for >= self._changes):
            await self._listed.wait()

    async def _list_tools(self) -> None:
        tools: list[Any] = []
        cursor = None
        for _page in range(100):  # a paginator that never ends must not hang the start
            page = await self._client.list_tools(cursor=cursor)
            tools.extend(page.tools)
            cursor = page.next_cursor
            if not cursor:
                break
        self.tools = tools

    def _target(self, errlog: _StderrToLog | None) -> Any:
        from mcp import StdioServerParameters
        from mcp.client.stdio import stdio_client

        c = self.config
        if c.transport == "stdio":
            cwd = Path(c.cwd).expanduser() if c.cwd else self.workspace
            if not cwd.is_absolute():
                cwd = self.workspace / cwd
            params = StdioServerParameters(
                command=c.command, args=list(c.args), env=dict(c.env) or None, cwd=str(cwd)
            )
            assert errlog is not None
            return stdio_client(params, errlog=errlog.file)
        if c.transport == "sse":
            from mcp.client.sse import sse_client

            return sse_client(c.url, headers=dict(c.headers) or None)
        from mcp.client.streamable_http import streamable_http_client
        from mcp.shared._httpx_utils import create_mcp_http_client

        http = create_mcp_http_client(headers=dict(c.headers) or None)
        return streamable_http_client(c.url, http_client=http)


class _StderrToLog:
    """A pipe the server writes its stderr to; a thread logs each line under its name."""

    def __init__(self, name: str) -> None:
        read_fd, write_fd = os.pipe()
        self.file = os.fdopen(write_fd, "w")
        self._reader = threading.Thread(
            target=self._pump, args=(read_fd, name), name=f"mcp-stderr-{name}", daemon=True
        )
        self._reader.start()

    @staticmethod
    def _pump(fd: int, name: str) -> None:
        server_log = logging.getLogger(f"agent.mcp.server.{name}")
        with os.fdopen(fd, "rb") as pipe:
            for raw in pipe:
                line = raw.decode("utf-8", "replace").rstrip()
                if line:
                    server_log.info("[%s] %s", name, line[:2000])

    async def aclose(self) -> None:
        """Close our copy of the write end and let the reader log what is left: it ends
        when the server's copies close too (bounded: a child may still hold one)."""
        with contextlib.suppress(OSError):
            self.file.close()
        await asyncio.to_thread(self._reader.join, 5)


def _reason(exc: BaseException, config: ServerConfig) -> str:
    """Why a server could not start or went away, in one line (never env values)."""
    leaf = _leaf(exc)
    if isinstance(leaf, FileNotFoundError) and config.transport == "stdio":
        return f"could not start: command not found: {config.command}"
    if isinstance(leaf, PermissionError) and config.transport == "stdio":
        return f"could not start: not executable: {config.command}"
    text = _one_line(leaf)
    if "Connection closed" in text:
        return "closed the connection (the program exited; see the log for its stderr)"
    return f"failed: {text}"


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:300]}" if lines else type(exc).__name__

"""A small MCP server written with the SDK, for the tests: over stdio, or streamable HTTP
with ``--http PORTFILE`` (it binds a free port on 127.0.0.1 and writes it to PORTFILE), or
the legacy SSE transport with ``--sse PORTFILE`` (endpoint ``/sse``).

    echo(text)       read-only and local (openWorldHint: false): returns the text
    search(query)    read-only, open-world by default: leaves ``query`` in QUERY_FILE
    touch_here(name) local (openWorldHint: false): writes a file named ``name``
    touch(name)      writes a file named ``name`` in the folder it runs in (no hints)
    big(size)        ``size`` characters of text
    picture()        a 1x1 PNG image and a line of text
    weather(city)    structured content only
    broken()         a tool error
    crash()          the server process dies mid-call
    hang()           never answers
    grow()           adds the tool ``late`` and says the tool list changed

``MARKER_FILE`` in the environment: the server creates that file as it starts (proof that
it ran). Its stderr gets a line as it starts (``toolbox starting``) and ``SECRET_TOKEN``'s
presence, never its value.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import socket
import sys
from pathlib import Path

from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, ImageContent, TextContent, ToolAnnotations

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

server = MCPServer("toolbox")


# Local tools say so (openWorldHint: false); a tool that does not may reach the world.
LOCAL = ToolAnnotations(read_only_hint=True, open_world_hint=False)


@server.tool(annotations=LOCAL)
def echo(text: str) -> str:
    """Return the text as it was sent."""
    return f"echo: {text}"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def search(query: str) -> str:
    """A read-only "web search" that leaves its query in QUERY_FILE (where a real one
    would send it out: openWorldHint is left at its default, true)."""
    out = os.environ.get("QUERY_FILE")
    if out:
        Path(out).write_text(query)
    return f"results for {query}"


@server.tool(annotations=ToolAnnotations(open_world_hint=False))
def touch_here(name: str) -> str:
    """Create an empty file in the server's folder (a local, changing tool)."""
    Path(name).write_text("touched\n")
    return f"created {name}"


@server.tool()
def touch(name: str) -> str:
    """Create an empty file in the server's folder."""
    Path(name).write_text("touched\n")
    return f"created {name}"


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def big(size: int) -> str:
    """Return ``size`` characters."""
    return "".join(f"line {i:07d}\n" for i in range(size // 13 + 1))[:size]


@server.tool(annotations=ToolAnnotations(read_only_hint=True))
def picture() -> CallToolResult:
    """A tiny picture."""
    image = ImageContent(data=base64.b64encode(PNG).decode(), mime_type="image/png")
    return CallToolResult(content=[TextContent(text="a red dot"), image])


@server.tool(annotations=ToolAnnotations(read_only_hint=True), structured_output=True)
def weather(city: str) -> CallToolResult:
    """The weather, as structured data."""
    return CallToolResult(content=[], structured_content={"city": city, "celsius": 21})


@server.tool()
def broken() -> CallToolResult:
    """Always fails."""
    return CallToolResult(content=[TextContent(text="the gauge is broken")], is_error=True)


@server.tool()
def crash() -> str:
    """The process dies while answering."""
    sys.stderr.write("toolbox crashing now\n")
    sys.stderr.flush()
    os._exit(3)


@server.tool()
async def hang() -> str:
    """Never answers."""
    await asyncio.Event().wait()
    return "unreachable"


@server.tool()
async def grow(ctx: Context) -> str:
    """Add the tool ``late``."""

    def late() -> str:
        """A tool that came later."""
        return "late tool ran"

    server.add_tool(late, name="late")
    # 2026-era clients listen with subscriptions/listen; older ones get the notification.
    with contextlib.suppress(Exception):
        await ctx.notify_tools_changed()
    with contextlib.suppress(Exception):
        await ctx.request_context.session.send_tool_list_changed()
    return "added late"


def main() -> None:
    marker = os.environ.get("MARKER_FILE")
    if marker:
        Path(marker).write_text("started\n")
    sys.stderr.write(
        f"toolbox starting (secret token set: {bool(os.environ.get('SECRET_TOKEN'))})\n"
    )
    sys.stderr.flush()
    if len(sys.argv) > 2 and sys.argv[1] in ("--http", "--sse"):
        asyncio.run(serve_http(Path(sys.argv[2]), sse=sys.argv[1] == "--sse"))
    else:
        server.run()


async def serve_http(port_file: Path, *, sse: bool) -> None:
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = server.sse_app() if sse else server.streamable_http_app()
    config = uvicorn.Config(app, log_level="warning")
    port = sock.getsockname()[1]
    tmp = port_file.with_suffix(".tmp")
    tmp.write_text(str(port))
    tmp.rename(port_file)
    await uvicorn.Server(config).serve(sockets=[sock])


if __name__ == "__main__":
    main()

"""A server's tools as the agent's tools, and their results as tool_result content.

Each server tool becomes ``mcp__<server>__<tool>`` with the server's own input schema and
description. Its kind is what the permission engine judges, from the server's two hints:

    readOnlyHint   openWorldHint            kind
    true           false                    READ     (auto mode runs it without asking)
    true           absent or true           NETWORK  (reads, but may send its input out)
    absent/false   false                    WRITE    (changes things on this machine only)
    absent/false   absent or true           EXECUTE  (may do anything, anywhere)

``openWorldHint`` defaults to true in the MCP specification: a tool whose server does not
say otherwise may reach the outside world, so every mode, bypass included, asks before
it runs unless a rule names it.

Results: text stays text; images the Messages API takes (PNG, JPEG, GIF, WebP) become
image blocks; structured content becomes JSON text when the result has no other content; embedded
resources and links become text; anything else a one-line note. Text longer than
``MAX_OUTPUT_CHARS`` (``HARKEN_MCP_MAX_OUTPUT``) is cut with a note saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from agent.tools.base import Tool, ToolKind, ToolOutput

MAX_OUTPUT_CHARS = 100_000  # about 25,000 tokens
API_IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
MAX_NAME = 64  # what other clients keep tool names to
PREFIX = "mcp__"
DESCRIBED_INPUT_CHARS = 160  # of a call's arguments in its one-line description


class McpInput(BaseModel):
    """Any JSON object: the server validates its own input against its schema."""

    model_config = ConfigDict(extra="allow")


@dataclass(frozen=True)
class McpTool(Tool[McpInput]):
    """A server's tool: sent to the model with the server's schema, not a pydantic one."""

    schema: dict[str, Any] = field(default_factory=dict)
    server: str = ""
    remote_name: str = ""

    def api_schema(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "input_schema": self.schema}


Caller = Callable[[str, str, dict[str, Any]], Awaitable[ToolOutput]]


def tool_name(server: str, tool: str) -> str:
    """``mcp__server__tool``, with characters the API refuses replaced, kept to 64."""
    name = f"{PREFIX}{server}__{re.sub(r'[^A-Za-z0-9_-]', '_', tool)}"
    if len(name) <= MAX_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_NAME - 9]}_{digest}"


def make_tool(server: str, spec: Any, call: Caller) -> McpTool:
    """The agent's Tool for the server tool ``spec`` (an ``mcp_types.Tool``)."""
    remote = spec.name
    annotations = spec.annotations
    read_only = bool(annotations is not None and annotations.read_only_hint)
    # Only an explicit false closes the world (the specification's default is true).
    open_world = annotations is None or annotations.open_world_hint is not False
    schema = dict(spec.input_schema or {})
    schema.setdefault("type", "object")
    schema.pop("$schema", None)
    title = (annotations.title if annotations is not None else None) or spec.title or remote

    async def run(params: McpInput, _ctx: Any) -> ToolOutput:
        return await call(server, remote, params.model_dump())

    def describe(params: McpInput, _ctx: Any) -> str:
        # What a permission question and the activity line show: the call, not only its
        # name; the arguments are what the user judges.
        shown = compact_input(params.model_dump())
        return f"{title} ({server})" + (f" {shown}" if shown else "")

    description = (spec.description or f"The {remote} tool of the MCP server {server}.").strip()
    return McpTool(
        name=tool_name(server, remote),
        description=f"{description}\n\n(From the MCP server {server!r}.)",
        input_model=McpInput,
        kind=hinted_kind(read_only=read_only, open_world=open_world),
        run=run,
        describe=describe,
        schema=schema,
        server=server,
        remote_name=remote,
    )


def hinted_kind(*, read_only: bool, open_world: bool) -> ToolKind:
    """The kind the permission engine judges a server's tool by (see the table above)."""
    if open_world:
        return ToolKind.NETWORK if read_only else ToolKind.EXECUTE
    return ToolKind.READ if read_only else ToolKind.WRITE


def compact_input(arguments: dict[str, Any], limit: int = DESCRIBED_INPUT_CHARS) -> str:
    """``arguments`` as one line of JSON, cut to ``limit`` characters ("" when empty)."""
    if not arguments:
        return ""
    text = json.dumps(arguments, ensure_ascii=False, separators=(", ", ": "), default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_output(result: Any, limit: int | None = None) -> ToolOutput:
    """A ``CallToolResult`` as the tool_result content the Messages API takes."""
    limit = limit or max_output_chars()
    blocks: list[dict[str, Any]] = []
    for item in result.content or []:
        blocks.extend(_block(item))
    structured = result.structured_content
    if structured is not None and not blocks:
        # Servers are asked to repeat structured content as text; when one did not, the
        # model gets it as JSON. When one did, once is enough.
        blocks.append(
            {"type": "text", "text": json.dumps(structured, ensure_ascii=False, indent=2)}
        )
    if not blocks:
        blocks = [{"type": "text", "text": "(the tool returned nothing)"}]
    blocks = _cut(blocks, limit)
    if all(b["type"] == "text" for b in blocks):
        return ToolOutput("\n".join(b["text"] for b in blocks), is_error=bool(result.is_error))
    return ToolOutput(blocks, is_error=bool(result.is_error))


def max_output_chars() -> int:
    try:
        return max(1000, int(os.environ.get("HARKEN_MCP_MAX_OUTPUT", MAX_OUTPUT_CHARS)))
    except ValueError:
        return MAX_OUTPUT_CHARS


def _block(item: Any) -> list[dict[str, Any]]:
    kind = getattr(item, "type", "")
    if kind == "text":
        return [{"type": "text", "text": item.text}]
    if kind == "image":
        if item.mime_type in API_IMAGE_TYPES:
            source = {"type": "base64", "media_type": item.mime_type, "data": item.data}
            return [{"type": "image", "source": source}]
        return [{"type": "text", "text": f"[an image of type {item.mime_type}, not shown]"}]
    if kind == "audio":
        return [{"type": "text", "text": f"[audio of type {item.mime_type}, not shown]"}]
    if kind == "resource":
        resource = item.resource
        text = getattr(resource, "text", None)
        if text is not None:
            return [{"type": "text", "text": f"[resource {resource.uri}]\n{text}"}]
        mime = getattr(resource, "mime_type", None) or "binary"
        return [{"type": "text", "text": f"[resource {resource.uri} ({mime}), not shown]"}]
    if kind == "resource_link":
        name = getattr(item, "name", "") or ""
        return [{"type": "text", "text": f"[resource link {item.uri} {name}]".rstrip()}]
    return [{"type": "text", "text": f"[content of type {kind or 'unknown'}, not shown]"}]


def _cut(blocks: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Text past ``limit`` characters (all blocks together) cut, with a note."""
    total = sum(len(b["text"]) for b in blocks if b["type"] == "text")
    if total <= limit:
        return blocks
    kept: list[dict[str, Any]] = []
    room = limit
    for block in blocks:
        if block["type"] != "text":
            kept.append(block)
            continue
        if room <= 0:
            continue
        kept.append({"type": "text", "text": block["text"][:room]})
        room -= len(block["text"])
    note = (
        f"[Output cut: the tool returned {total:,} characters of text; only the first "
        f"{limit:,} are shown. Ask the tool for less (a narrower query, a page) if you need more.]"
    )
    kept.append({"type": "text", "text": note})
    return kept

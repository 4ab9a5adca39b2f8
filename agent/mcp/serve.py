"""``harken mcp serve``: Harken's own tools for other programs, over stdio, with the SDK.

Every call goes through the same tool runner and permission engine as the agent's: what
the engine allows runs (sandboxed where it executes), what it denies is refused with its
reason, and what needs a question is asked through MCP elicitation when the client
supports it (a yes/no form), or refused with a message saying how to allow it otherwise.

Elicitation follows the protocol the client negotiated: on 2026-07-28 connections the
question goes back as an ``InputRequiredResult`` and the client's retry carries the answer
(bound to that exact call by an HMAC in ``request_state``); on older ones the server asks
mid-call with ``elicitation/create``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import secrets
import uuid
from pathlib import Path
from typing import Any

from agent.events import Event, PermissionAnswer
from agent.permissions import Decision, Mode, PermissionEngine, ToolCall
from agent.permissions.settings import RuleSet
from agent.tool_runner import ToolRunner
from agent.tools import default_tools
from agent.tools.base import Tool, ToolKind
from agent.tools.context import ToolContext

log = logging.getLogger(__name__)

QUESTION_KEY = "harken_permission"
_STATE_KEY = secrets.token_bytes(32)  # binds an answer to the call it was asked for


class _Ask(Exception):
    """The engine wants a question that this round cannot ask (the client asks next)."""

    def __init__(self, decision: Decision, call: ToolCall) -> None:
        super().__init__(decision.reason)
        self.decision, self.call = decision, call


class _CannotAsk(Exception):
    """The client has no way to show a question."""


class HarkenToolServer:
    """The tools, their context and the engine, shared by every call of one stdio session."""

    def __init__(self, workspace: Path, mode: Mode, rules: RuleSet) -> None:
        self.ctx = ToolContext(workspace=workspace)
        policy = self.ctx.sandbox
        self.engine = PermissionEngine(
            mode=mode,
            workspace=self.ctx.workspace,
            rules=rules,
            sandbox=policy is not None,
            writable=(policy.temp_dir,) if policy is not None else (),
        )
        self.tools: dict[str, Tool[Any]] = {t.name: t for t in default_tools()}

    def list_tools(self) -> list[Any]:
        from mcp_types import Tool as McpTool
        from mcp_types import ToolAnnotations

        listed = []
        for tool in self.tools.values():
            schema = tool.api_schema()
            if "input_schema" not in schema:
                continue  # an Anthropic-defined tool (memory): its schema is the API's own
            read_only = tool.kind in (ToolKind.READ, ToolKind.INTERNAL)
            annotations = ToolAnnotations(
                read_only_hint=read_only,
                destructive_hint=None if read_only else tool.kind is not ToolKind.NETWORK,
                # Honest to the client: a command (Bash) can reach the network as much as
                # WebFetch; files, search and the todo list stay on this machine.
                open_world_hint=tool.kind in (ToolKind.NETWORK, ToolKind.EXECUTE),
            )
            listed.append(
                McpTool(
                    name=tool.name,
                    description=schema["description"],
                    input_schema=schema["input_schema"],
                    annotations=annotations,
                )
            )
        return listed

    async def call(self, request: Any, params: Any) -> Any:
        """One ``tools/call``: gate, ask if needed and possible, run; a ``CallToolResult``
        (or, on 2026-era connections, an ``InputRequiredResult`` carrying the question)."""
        from mcp_types import CallToolResult, TextContent

        name, arguments = params.name, dict(params.arguments or {})
        if name not in self.tools:
            return _error(f"There is no tool named {name!r}. Available: {', '.join(self.tools)}.")
        modern = _is_modern(request.protocol_version)
        answered = _answer_in(params, name, arguments) if modern else None

        async def ask(call: ToolCall, decision: Decision) -> PermissionAnswer:
            if answered is not None:
                return answered
            if not _can_elicit(request):
                raise _CannotAsk(decision.reason)
            if modern:
                raise _Ask(decision, call)
            return await _elicit_now(request, call, decision)

        block = {"type": "tool_use", "id": f"mcp_{uuid.uuid4().hex}", "name": name}
        block["input"] = arguments
        results: dict[str, dict[str, Any]] = {}
        runner = ToolRunner(self.tools, self.ctx, self.engine, _quiet, ask)
        try:
            await runner.run([block], {}, results)
        except _Ask as pending:
            return _question(pending.call, pending.decision, name, arguments)
        except _CannotAsk as exc:
            return _error(
                f"Harken must ask before this {name} call ({exc}), and this MCP client cannot "
                "show questions (it does not support elicitation), so the call was refused. "
                "Allow it with a rule instead, e.g. `harken mcp serve --allow RULE`."
            )
        result = results[block["id"]]
        content = result["content"]
        blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
        return CallToolResult(
            content=[_content(b) for b in blocks] or [TextContent(text="")],
            is_error=bool(result.get("is_error")),
        )

    async def aclose(self) -> None:
        await self.ctx.aclose()


async def serve_stdio(workspace: Path, mode: Mode, rules: RuleSet) -> None:
    """Serve Harken's tools on stdin/stdout until the client goes away."""
    from mcp.server.lowlevel import Server
    from mcp.server.stdio import stdio_server
    from mcp_types import ListToolsResult

    harken = HarkenToolServer(workspace, mode, rules)

    async def on_list_tools(_ctx: Any, _params: Any) -> Any:
        return ListToolsResult(tools=harken.list_tools())

    async def on_call_tool(ctx: Any, params: Any) -> Any:
        return await harken.call(ctx, params)

    server = Server(
        "harken",
        instructions="Harken's file, search, shell and web tools, under its permission engine.",
        on_list_tools=on_list_tools,
        on_call_tool=on_call_tool,
    )
    try:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        await harken.aclose()


# -- questions ---------------------------------------------------------------------------


def _quiet(_event: Event) -> None:
    pass


def _is_modern(version: str) -> bool:
    from mcp_types.version import MODERN_PROTOCOL_VERSIONS

    return version in MODERN_PROTOCOL_VERSIONS


def _can_elicit(request: Any) -> bool:
    capabilities = request.session.client_capabilities
    return capabilities is not None and capabilities.elicitation is not None


def _message(call: ToolCall, decision: Decision) -> str:
    return f"Harken wants to run {call.name}: {call.description}. Why it asks: {decision.reason}."


_SCHEMA = {
    "type": "object",
    "properties": {"allow": {"type": "boolean", "title": "Allow this call"}},
    "required": ["allow"],
}


def _allowed(result: Any) -> bool:
    content = getattr(result, "content", None) or {}
    return getattr(result, "action", "") == "accept" and content.get("allow") is True


def _refusal(result: Any) -> PermissionAnswer:
    if _allowed(result):
        return PermissionAnswer(True)
    action = getattr(result, "action", "no answer")
    return PermissionAnswer(False, message=f"the MCP client's answer was {action}")


async def _elicit_now(request: Any, call: ToolCall, decision: Decision) -> PermissionAnswer:
    result = await request.session.elicit_form(
        _message(call, decision), _SCHEMA, related_request_id=request.request_id
    )
    return _refusal(result)


def _state(name: str, arguments: dict[str, Any]) -> str:
    text = json.dumps([name, arguments], sort_keys=True, ensure_ascii=False)
    return hmac.new(_STATE_KEY, text.encode(), hashlib.sha256).hexdigest()


def _question(call: ToolCall, decision: Decision, name: str, arguments: dict[str, Any]) -> Any:
    from mcp_types import ElicitRequest, ElicitRequestFormParams, InputRequiredResult

    question = ElicitRequest(
        params=ElicitRequestFormParams(message=_message(call, decision), requested_schema=_SCHEMA)
    )
    return InputRequiredResult(
        input_requests={QUESTION_KEY: question}, request_state=_state(name, arguments)
    )


def _answer_in(params: Any, name: str, arguments: dict[str, Any]) -> PermissionAnswer | None:
    """The answer a retried call carries for the question asked for this very call."""
    responses = getattr(params, "input_responses", None) or {}
    state = getattr(params, "request_state", None) or ""
    if QUESTION_KEY not in responses:
        return None
    if not hmac.compare_digest(state, _state(name, arguments)):
        return PermissionAnswer(False, message="the answer was for another call")
    return _refusal(responses[QUESTION_KEY])


def _error(text: str) -> Any:
    from mcp_types import CallToolResult, TextContent

    return CallToolResult(content=[TextContent(text=text)], is_error=True)


def _content(block: dict[str, Any]) -> Any:
    from mcp_types import ImageContent, TextContent

    if block.get("type") == "image":
        source = block.get("source") or {}
        with contextlib.suppress(Exception):
            return ImageContent(data=source["data"], mime_type=source["media_type"])
    return TextContent(text=str(block.get("text", "")))

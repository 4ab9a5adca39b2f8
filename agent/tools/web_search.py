"""WebSearch: the Messages API's own web search (``web_search_20250305``), run by Anthropic.

The search happens on Anthropic's servers while the model answers: the reply carries a
``server_tool_use`` block (the query) and a ``web_search_tool_result`` block (the pages),
which go back to the API unchanged in later requests (``agent.model`` keeps such blocks
as they came). Harken runs nothing, so nobody can be asked per search: turning the
``web_search`` setting on, or an allow rule ``WebSearch``, is the user's yes. It is
offered on a turn only when

    the setting is on or an allow rule names ``WebSearch``,
    the permission engine does not deny ``WebSearch`` (a deny rule, or plan mode), and
    no ask rule names ``WebSearch`` (a question it could not put, so no search).

    attach_web_search(session)   keep the offer right at the start of each turn (the
                                 mode and the settings may change between turns)
    offered(config, engine)      whether a turn may search, by the rules above
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from agent.permissions import ToolCall, Verdict
from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext

SERVER_TYPE = "web_search_20250305"
API_NAME = "web_search"  # the name the API gives the server tool
RULE_NAME = "WebSearch"  # the name permission rules use
SETTING = "web_search"
MAX_USES = 5  # searches per request


@dataclass(frozen=True)
class ServerTool(Tool[Any]):
    """A tool the API runs itself: its definition is sent as given, never a schema."""

    definition: dict[str, Any] = field(default_factory=dict)

    def api_schema(self) -> dict[str, Any]:
        return dict(self.definition)


class _AnyInput(BaseModel):
    model_config = ConfigDict(extra="allow")


async def _never_here(_params: _AnyInput, _ctx: ToolContext) -> str:
    # An endpoint that does not run server tools may hand the call back as a tool_use.
    raise ToolError("Web search runs on Anthropic's servers; this endpoint cannot search.")


WEB_SEARCH = ServerTool(
    name=API_NAME,
    description="",
    input_model=_AnyInput,
    kind=ToolKind.NETWORK,
    run=_never_here,
    describe=lambda _params, _ctx: "Searching the web",
    definition={"type": SERVER_TYPE, "name": API_NAME, "max_uses": MAX_USES},
)


def offered(config: Any, engine: Any) -> bool:
    """Whether a turn under ``config`` and the permission ``engine`` may search the web."""
    call = ToolCall("web-search", RULE_NAME, {}, ToolKind.NETWORK, "Search the web")
    decision = engine.decide(call)
    if decision.verdict is Verdict.DENY:
        return False
    if decision.rule is not None:  # an allow rule says yes; an ask rule cannot be asked
        return decision.verdict is Verdict.ALLOW
    return bool(config.values.get(SETTING, False))


def attach_web_search(session: Any) -> None:
    """Offer ``session`` web search on the turns that may use it (see the module)."""

    def update(event: Any = None) -> None:
        if event is not None and event.kind != "turn_started":
            return
        if offered(session.config, session.engine):
            session.tools[API_NAME] = WEB_SEARCH
        else:
            session.tools.pop(API_NAME, None)

    update()
    session.subscribe(update)

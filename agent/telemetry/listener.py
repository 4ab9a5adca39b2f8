"""A session listener that turns the runtime's events into spans and metric points.

One ``TelemetryListener`` per session, subscribed like any other front end: the agent loop
knows nothing of it. A turn is a span (``invoke_agent harken``) whose children are its
tool calls (``execute_tool NAME``), named and tagged after the OpenTelemetry GenAI
semantic conventions. Content (the prompt, the answer, tool inputs and outputs, error
messages, permission reasons) is added only when the user opted in (``log_content``), and then
with anything that looks like a key masked; otherwise only names, counts, durations,
decisions and error types leave the machine.

Permission decisions, as the events show them:

    allow       the rules or the mode let the call run
    user_allow  a person was asked and said yes
    deny        the rules or the mode refused it
    user_deny   a person was asked and said no
    unanswered  a person was asked and the turn ended first
    rejected    it never reached the gate (unknown tool, invalid input, cut off)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from agent.events import (
    Compacted,
    ErrorOccurred,
    Event,
    PermissionRequested,
    Retrying,
    ToolFinished,
    ToolStarted,
    TurnFinished,
    TurnStarted,
)
from agent.redact import redact
from agent.usage import Usage

if TYPE_CHECKING:
    from agent.telemetry.runtime import Runtime

CONTENT_LIMIT = 8192  # characters of one content attribute (a whole file would be too much)
DENIED_PREFIX = "Permission denied:"  # how agent.tool_runner words a rule's refusal
TOKEN_TYPES = (
    ("input", "input_tokens"),
    ("output", "output_tokens"),
    ("cache_read", "cache_read_tokens"),
    ("cache_write", "cache_write_tokens"),
)


@dataclass
class _Call:
    span: Span
    name: str
    asked: bool = False
    started: bool = False


class TelemetryListener:
    """Records one session's turns and tool calls into ``runtime``."""

    def __init__(self, runtime: Runtime, session_id: str, model: str, log_content: bool) -> None:
        self.runtime = runtime
        self.session_id = session_id
        self.model = model
        self.log_content = log_content
        self._usage = Usage()
        self._cost = 0.0
        self._turn: Span | None = None
        self._turn_began = 0.0
        self._error_type = ""
        self._calls: dict[str, _Call] = {}

    def baseline(self, usage: Usage, cost_usd: float) -> None:
        """The session's totals so far (a resumed session has some): each turn records
        what it added to them, compaction included."""
        self._usage, self._cost = usage, cost_usd

    def __call__(self, event: Event) -> None:
        handler = getattr(self, f"_on_{event.kind}", None)
        if handler is not None:
            handler(event)

    # -- turns -----------------------------------------------------------------------

    def _on_turn_started(self, event: TurnStarted) -> None:
        self._end_turn_span()  # a turn that never finished (should not happen) is closed
        self._turn_began = time.monotonic()
        self._error_type = ""
        attributes: dict[str, Any] = {
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": "harken",
            "gen_ai.provider.name": "anthropic",
            "gen_ai.request.model": self.model,
            "gen_ai.conversation.id": self.session_id,
        }
        if self.log_content:
            attributes["gen_ai.input.messages"] = _messages("user", event.prompt)
        self._turn = self.runtime.tracer.start_span(
            "invoke_agent harken", kind=SpanKind.INTERNAL, attributes=attributes
        )

    def _on_turn_finished(self, event: TurnFinished) -> None:
        added = _minus(event.session_usage, self._usage)
        cost = max(0.0, event.session_cost_usd - self._cost)
        self._usage, self._cost = event.session_usage, event.session_cost_usd
        model = {"model": self.model}
        for kind, name in TOKEN_TYPES:
            count = getattr(added, name)
            if count:
                self.runtime.tokens.add(count, {"type": kind, **model})
        if cost:
            self.runtime.cost.add(cost, model)
        self.runtime.turns.add(1, {"stop_reason": event.stop_reason, **model})
        if self._turn is None:
            return
        self.runtime.turn_duration.record(
            time.monotonic() - self._turn_began, {"stop_reason": event.stop_reason}
        )
        span = self._turn
        span.set_attributes(
            {
                "gen_ai.response.finish_reasons": [event.stop_reason],
                "gen_ai.usage.input_tokens": added.input_tokens,
                "gen_ai.usage.output_tokens": added.output_tokens,
                "gen_ai.usage.cache_read.input_tokens": added.cache_read_tokens,
                "gen_ai.usage.cache_creation.input_tokens": added.cache_write_tokens,
                "harken.cost_usd": cost,
            }
        )
        if self.log_content and event.text:
            span.set_attribute("gen_ai.output.messages", _messages("assistant", event.text))
        if event.stop_reason == "error":
            span.set_attribute("error.type", self._error_type or "error")
            if not self._error_type:  # else the error event has set the status already
                span.set_status(Status(StatusCode.ERROR))
        self._end_turn_span()

    def _end_turn_span(self) -> None:
        for call_id in list(self._calls):
            self._close_call(call_id, None)
        if self._turn is not None:
            self._turn.end()
            self._turn = None

    def _on_error(self, event: ErrorOccurred) -> None:
        self._error_type = event.error_type
        self.runtime.errors.add(1, {"error_type": event.error_type})
        if self._turn is not None:
            message = self._content(event.message) if self.log_content else None
            self._turn.set_status(Status(StatusCode.ERROR, message))

    def _on_retrying(self, event: Retrying) -> None:
        if self._turn is None:
            return
        attributes: dict[str, Any] = {"harken.retry.attempt": event.attempt}
        attributes["harken.retry.delay_s"] = event.delay
        if self.log_content:
            attributes["harken.retry.reason"] = self._content(event.reason)
        self._turn.add_event("harken.api.retry", attributes)

    def _on_compacted(self, event: Compacted) -> None:
        if self._turn is not None:
            self._turn.add_event(
                "harken.compacted",
                {
                    "harken.compaction.tokens_before": event.tokens_before,
                    "harken.compaction.messages_replaced": event.messages_replaced,
                },
            )

    # -- tool calls ----------------------------------------------------------------------

    def _on_permission_requested(self, event: PermissionRequested) -> None:
        call = self._call(event.call_id, event.name)
        call.asked = True
        attributes: dict[str, Any] = {"harken.permission.risk": event.risk}
        if self.log_content:
            attributes["harken.permission.reason"] = self._content(event.reason)
        call.span.add_event("harken.permission.asked", attributes)

    def _on_tool_started(self, event: ToolStarted) -> None:
        call = self._call(event.call_id, event.name)
        call.started = True
        if self.log_content:
            call.span.set_attribute("harken.tool.description", self._content(event.description))
            text = json.dumps(event.input, ensure_ascii=False, default=str)
            call.span.set_attribute("gen_ai.tool.call.arguments", self._content(text))

    def _on_tool_finished(self, event: ToolFinished) -> None:
        call = self._call(event.call_id, event.name)
        if self.log_content:
            call.span.set_attribute("gen_ai.tool.call.result", self._content(event.output))
        if event.is_error:
            call.span.set_attribute("error.type", "tool_error")
            call.span.set_status(Status(StatusCode.ERROR))
        self._close_call(event.call_id, event)

    def _call(self, call_id: str, name: str) -> _Call:
        call = self._calls.get(call_id)
        if call is None:
            parent = trace.set_span_in_context(self._turn) if self._turn is not None else None
            span = self.runtime.tracer.start_span(
                f"execute_tool {name}",
                context=parent,
                kind=SpanKind.INTERNAL,
                attributes={
                    "gen_ai.operation.name": "execute_tool",
                    "gen_ai.tool.name": name,
                    "gen_ai.tool.call.id": call_id,
                },
            )
            call = self._calls[call_id] = _Call(span, name)
        return call

    def _close_call(self, call_id: str, finished: ToolFinished | None) -> None:
        call = self._calls.pop(call_id)
        decision = _decision(call, finished)
        success = finished is not None and call.started and not finished.is_error
        call.span.set_attribute("harken.tool.decision", decision)
        call.span.end()
        self.runtime.tool_calls.add(
            1, {"tool": call.name, "decision": decision, "success": success}
        )

    def _content(self, text: str) -> str:
        text = redact(text)
        return text if len(text) <= CONTENT_LIMIT else text[:CONTENT_LIMIT] + " [...]"


def _decision(call: _Call, finished: ToolFinished | None) -> str:
    if call.asked:
        if call.started:
            return "user_allow"
        return "user_deny" if finished is not None else "unanswered"
    if call.started:
        return "allow"
    if finished is not None and finished.output.startswith(DENIED_PREFIX):
        return "deny"
    return "rejected"


def _minus(a: Usage, b: Usage) -> Usage:
    return Usage(
        max(0, a.input_tokens - b.input_tokens),
        max(0, a.output_tokens - b.output_tokens),
        max(0, a.cache_write_tokens - b.cache_write_tokens),
        max(0, a.cache_read_tokens - b.cache_read_tokens),
    )


def _messages(role: str, text: str) -> str:
    """One message in the GenAI conventions' JSON shape, keys masked, length capped."""
    text = redact(text)
    if len(text) > CONTENT_LIMIT:
        text = text[:CONTENT_LIMIT] + " [...]"
    return json.dumps(
        [{"role": role, "parts": [{"type": "text", "content": text}]}], ensure_ascii=False
    )

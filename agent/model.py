"""The one seam to the Messages API: streaming with retries, token counting, summaries.

``ModelClient.stream`` sends a request with ``anthropic.AsyncAnthropic`` (streaming),
feeds every server event to a ``MessageAssembler`` (which rebuilds text, tool_use and
thinking blocks and publishes deltas), and retries transient failures. The caller keeps
the assembler, so after a cancellation it can still read what had arrived.

A streamed message counts only once the stream said it is over and nothing in it went
missing: it began with ``message_start``, every block event belongs to a block that
started, ``message_delta`` brought its stop reason (``tool_use`` only with a tool call),
every block got its ``content_block_stop``, and ``message_stop`` came.
Anything less is a broken connection (``IncompleteReply``), retried like one; nothing of
it is used and none of its tool calls runs. ``message_stop`` carries no data, but a
stream that stops short of it was cut all the same (a proxy, a dropped connection): a
message is trusted to run tools only when the stream said it was done, even if asking
again bills the answer twice. With ``stop_reason == "max_tokens"`` a block may stay open
(the limit cut it); a tool call cut that way is listed in ``ModelReply.truncated`` and
must not run.

Everything sent is valid UTF-8 (``agent.utf8.clean``), and so is everything assembled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agent.empty_messages import is_blank, keepable, without_empty_messages
from agent.errors import ApiFailure, IncompleteReply, NoApiKey, api_failure
from agent.events import Event, Retrying, TextDelta, ThinkingDelta
from agent.retry import RetryPolicy
from agent.usage import Usage
from agent.utf8 import clean, clean_text

log = logging.getLogger(__name__)


@dataclass
class ModelRequest:
    """Everything one Messages API call needs, in API form."""

    model: str
    system: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    max_tokens: int = 8192
    thinking: dict[str, Any] | None = None

    def params(self) -> dict[str, Any]:
        """The request as the SDK takes it: valid UTF-8 throughout, and no empty message
        (the API refuses both with a 400, on this and every later request)."""
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": self.system,
            "messages": without_empty_messages(self.messages),
        }
        if self.tools:
            params["tools"] = self.tools
        if self.thinking:
            params["thinking"] = self.thinking
        return clean(params)


@dataclass
class ModelReply:
    """An assembled assistant message."""

    content: list[dict[str, Any]]
    stop_reason: str
    usage: Usage
    # tool_use id -> the raw text when the model's input was not valid JSON
    malformed_inputs: dict[str, str] = field(default_factory=dict)
    # ids of tool calls the output limit cut off (they must not run)
    truncated: list[str] = field(default_factory=list)


class MessageAssembler:
    """Rebuilds an assistant message from stream events and publishes deltas."""

    def __init__(self, emit: Callable[[Event], None]) -> None:
        self._emit = emit
        # What attempts given up on were billed (their input was read before the stream
        # broke); kept apart from ``usage``, which is the delivered message's alone and
        # calibrates the context guard.
        self.abandoned_usage = Usage()
        self.usage = Usage()
        self.reset()

    @property
    def billed_usage(self) -> Usage:
        """Everything the requests streamed into this assembler were billed for."""
        return self.abandoned_usage + self.usage

    def reset(self) -> None:
        """Start a new attempt; the one before it (if any) was abandoned."""
        self.abandoned_usage = self.abandoned_usage + self.usage
        self._blocks: dict[int, dict[str, Any]] = {}
        self._json: dict[int, list[str]] = {}
        self._done: set[int] = set()
        self.malformed: dict[str, str] = {}
        self.stop_reason = ""
        self.usage = Usage()
        self.streamed_text = False
        self.message_started = False
        self.message_stopped = False
        self.lost = ""  # why an event could not be placed (its block never started)

    def feed(self, event: Any) -> None:
        """Apply one SDK stream event."""
        kind = event.type
        if kind == "content_block_delta":
            self._delta(event.index, event.delta)
        elif kind == "content_block_start":
            self._start(event.index, event.content_block)
        elif kind == "content_block_stop":
            self._stop(event.index)
        elif kind == "message_start":
            self.message_started = True
            self.usage = Usage.from_api(event.message.usage)
        elif kind == "message_stop":
            self.message_stopped = True
        elif kind == "message_delta":
            self.stop_reason = event.delta.stop_reason or self.stop_reason
            late = Usage.from_api(event.usage)
            # message_delta repeats the input counts when it has them; output is cumulative.
            self.usage = Usage(
                late.input_tokens or self.usage.input_tokens,
                late.output_tokens,
                late.cache_write_tokens or self.usage.cache_write_tokens,
                late.cache_read_tokens or self.usage.cache_read_tokens,
            )

    def _start(self, index: int, block: Any) -> None:
        kind = block.type
        if kind == "text":
            self._blocks[index] = {"type": "text", "text": clean_text(block.text or "")}
        elif kind in ("tool_use", "server_tool_use"):  # a server tool's input streams too
            self._blocks[index] = {
                "type": kind,
                "id": block.id,
                "name": clean_text(block.name),
                "input": {},
            }
            self._json[index] = []
        elif kind == "thinking":
            self._blocks[index] = {
                "type": "thinking",
                "thinking": clean_text(block.thinking or ""),
                "signature": block.signature or "",
            }
        else:  # redacted_thinking and server-side blocks go back to the API unchanged
            self._blocks[index] = clean(block.model_dump(exclude_none=True))

    def _delta(self, index: int, delta: Any) -> None:
        block = self._blocks.get(index)
        if block is None:
            self.lost = self.lost or f"content block {index} arrived without its start"
            return
        kind = delta.type
        if kind == "text_delta":
            piece = clean_text(delta.text)
            block["text"] += piece
            self.streamed_text = True
            self._emit(TextDelta(piece))
        elif kind == "input_json_delta":
            self._json[index].append(delta.partial_json)
        elif kind == "thinking_delta":
            piece = clean_text(delta.thinking)
            block["thinking"] += piece
            self._emit(ThinkingDelta(piece))
        elif kind == "signature_delta":
            block["signature"] = delta.signature

    def _stop(self, index: int) -> None:
        block = self._blocks.get(index)
        if block is None:
            self.lost = self.lost or f"content block {index} arrived without its start"
            return
        self._done.add(index)
        if block["type"] in ("tool_use", "server_tool_use"):
            raw = "".join(self._json.pop(index, []))
            try:
                parsed = json.loads(raw) if raw.strip() else {}
            except json.JSONDecodeError:
                parsed = None
            if isinstance(parsed, dict):
                # An escaped lone surrogate ("\\ud99c") parses into one: clean it here, so
                # the tool, the events and the stored message all see the same valid text.
                block["input"] = clean(parsed)
            else:
                self.malformed[block["id"]] = raw

    def content(self, *, complete_only: bool = False) -> list[dict[str, Any]]:
        """The blocks so far in order; ``complete_only`` drops blocks still streaming
        (a half-received tool call or an unsigned thinking block cannot be sent back,
        nor can blank text or thinking that nothing follows: ``empty_messages.keepable``)."""
        blocks = []
        for index in sorted(self._blocks):
            block = self._blocks[index]
            unfinished = complete_only and index not in self._done
            if unfinished and block["type"] != "text":
                continue
            if not _sendable(block):
                continue
            blocks.append(block)
        return keepable(blocks)

    def incomplete(self) -> str:
        """Why the message cannot be used as it stands; empty when it can (see the module
        docstring: a stop reason is needed, and closed blocks unless the limit cut them)."""
        if not self.message_started:
            return "the stream began without message_start"
        if self.lost:
            return self.lost
        if not self.stop_reason:
            return "the stream ended before the message's stop reason arrived"
        still_open = [i for i in sorted(self._blocks) if i not in self._done]
        if still_open and self.stop_reason != "max_tokens":
            kind = self._blocks[still_open[0]]["type"]
            return f"content block {still_open[0]} ({kind}) was never closed"
        if self.stop_reason == "tool_use" and not any(
            b["type"] == "tool_use" for b in self._blocks.values()
        ):
            return "its stop reason was tool_use, but no tool call arrived"
        if not self.message_stopped:
            return "the stream ended before message_stop"
        return ""

    def reply(self) -> ModelReply:
        """The finished message; call only when ``incomplete()`` is empty.

        With ``max_tokens``, the last block is where the limit struck: a tool call there
        is truncated even when its JSON happens to parse (the issue's Write came without
        ``content``), and so is any call left open. Truncated calls stay in the message
        (their tool_result must answer them) with the input that could be read.
        """
        cut = self.stop_reason == "max_tokens"
        last = max(self._blocks, default=None)
        content, truncated = [], []
        for index in sorted(self._blocks):
            block = self._blocks[index]
            finished = index in self._done
            if block["type"] == "tool_use" and (not finished or (cut and index == last)):
                truncated.append(block["id"])
                self._json.pop(index, None)
            elif not finished and block["type"] != "text":
                continue
            if _sendable(block):
                content.append(block)
        malformed = {k: v for k, v in self.malformed.items() if k not in truncated}
        # Only thinking, or only blank text, is no answer (the API refuses it back).
        content = keepable(content)
        return ModelReply(content, self.stop_reason, self.usage, malformed, truncated)


def _sendable(block: dict[str, Any]) -> bool:
    """Whether the API takes ``block`` back: no blank text (empty or only whitespace),
    no unsigned thinking."""
    if block["type"] == "text":
        return not is_blank(block)
    if block["type"] == "thinking":
        return bool(block.get("signature"))
    return True


class ModelClient:
    """The Messages API behind one small interface; builds the SDK client lazily."""

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None = None,
        retry: RetryPolicy | None = None,
        http_client: Any = None,
        timeout: float = 600.0,
        rng: random.Random | None = None,
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url
        self._http_client = http_client
        self._timeout = timeout
        self.retry = retry or RetryPolicy()
        self._rng = rng or random.Random()
        self._client: Any = None

    @property
    def client(self) -> Any:
        """The ``AsyncAnthropic`` client, created on first use (its import is slow)."""
        if self._client is None:
            if not self._api_key:
                raise NoApiKey()
            import anthropic

            self._client = anthropic.AsyncAnthropic(
                api_key=self._api_key,
                base_url=self._base_url,
                # Harken retries itself: it also retries errors that arrive mid-stream
                # and tells listeners while it waits.
                max_retries=0,
                timeout=self._timeout,
                http_client=self._http_client,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the HTTP connections (a no-op when no call was made)."""
        if self._client is not None:
            await self._client.close()
            self._client = None

    @property
    def base_url(self) -> str:
        return str(self.client.base_url).rstrip("/")

    async def stream(
        self, request: ModelRequest, assembler: MessageAssembler, emit: Callable[[Event], None]
    ) -> ModelReply:
        """Stream one assistant message into ``assembler``, retrying transient failures."""

        async def attempt() -> ModelReply:

            assembler.reset()
            stream = await self.client.messages.create(**request.params(), stream=True)
            async with stream:  # a broken connection raises here and is retried
                async for event in stream:
                    assembler.feed(event)
            why = assembler.incomplete()
            if why:
                raise IncompleteReply(why)
            return assembler.reply()

        return await self._with_retries(attempt, emit, lambda: assembler.streamed_text)

    async def complete(self, request: ModelRequest) -> ModelReply:
        """One non-streaming call (used for summaries), with the same retries."""

        async def attempt() -> ModelReply:
            message = await self.client.messages.create(**request.params())
            content = [block.model_dump(exclude_none=True) for block in message.content]
            return ModelReply(
                content, message.stop_reason or "end_turn", Usage.from_api(message.usage)
            )

        return await self._with_retries(attempt, lambda _event: None, lambda: False)

    async def count_tokens(self, request: ModelRequest) -> int:
        """Exact input tokens of ``request`` from the count_tokens endpoint (no retries)."""
        params = request.params()
        params.pop("max_tokens")
        try:
            result = await self.client.messages.count_tokens(**params)
        except Exception as exc:
            raise api_failure(exc, self._safe_base_url()) from None
        return int(result.input_tokens)

    async def _with_retries(
        self,
        attempt: Callable[[], Any],
        emit: Callable[[Event], None],
        discarded_text: Callable[[], bool],
    ) -> Any:
        import anthropic
        import httpx2

        retries = 0
        while True:
            try:
                return await attempt()
            except ApiFailure as exc:  # an incomplete stream
                failure = exc
            except (anthropic.APIError, httpx2.TransportError) as exc:
                # A connection dropped mid-stream surfaces as the transport's own error.
                failure = api_failure(exc, self._safe_base_url())
            if not failure.retryable or retries + 1 >= self.retry.attempts:
                raise failure
            retries += 1
            delay = self.retry.delay(retries, failure.retry_after, self._rng)
            emit(Retrying(retries, round(delay, 3), str(failure), discarded_text()))
            await asyncio.sleep(delay)

    def _safe_base_url(self) -> str:
        try:
            return self.base_url
        except (NoApiKey, ApiFailure):
            return self._base_url or ""

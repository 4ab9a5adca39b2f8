"""A scripted Messages API for tests: real HTTP on 127.0.0.1, or in-process.

The script is a list of steps consumed one per ``POST /v1/messages``:

    Reply(content=[text("hi"), tool_use("Read", {...})])   an assistant message
    Failure(529)                                             an HTTP error response
    StreamFailure(after_events=3)                            an SSE ``error`` mid-stream
    callable(request_body) -> step                           decided at request time

Replies are sent as server-sent events when the request asks to stream, as JSON otherwise.
``ScriptedAPI.requests`` keeps every request body for assertions. ``pause_after`` on a
Reply holds the stream open after that many events until ``release()`` (to interrupt a
turn mid-stream).

A Reply can also break its stream the ways a real connection breaks:

    Reply(..., cut_before="message_delta")   the body ends before that event (first one)
    Reply(..., cut_after=5)                  the body ends after that many events
    Reply(..., cut_mode="drop")              ...and the socket closes without the final
                                             chunk (HTTP only; "end" finishes the body)
    Reply(..., omit=("content_block_stop",)) those events are never sent
    Reply(..., error_after=4)                an ``error`` event after that many events
    tool_use("Write", '{"file_path": "a", "con')   raw (partial) JSON streamed verbatim
    {"type": "server_tool_use", ...}, {"type": "web_search_tool_result", ...}
                                             server-side tool blocks, streamed as the API
                                             streams them (input as JSON deltas; a result
                                             whole in its content_block_start)

``GET /v1/models`` lists ``ScriptedAPI.models`` (ids; None answers 404).

Like the real API, a request that the API would refuse (an empty message, an unanswered
tool_use, text that is not valid UTF-8, ...: see ``tests/api_checks.py``; also no message
at all, a text block of only whitespace and an assistant message ending in thinking: see
``more_problems``) gets a 400 and consumes no step; ``ScriptedAPI.rejections`` lists why.
``validate = False`` turns it off.

Routing, for concurrent conversations (subagents, workers) that must stay deterministic:

    api.route("explore agent", Reply(...), Reply(...))   steps for requests whose system
                                                         prompt or last message has the text
    api.route(lambda request: ..., ...)                  ...or that a predicate picks

A request takes the next step of the first route that matches and has steps left, else
the next step of the plain script. ``Reply(delay=0.2)`` waits before its first event;
``Reply(wait_in_flight=2)`` holds its answer until that many message requests have been in
flight at once (at most 10 s); ``ScriptedAPI.max_in_flight`` is the most seen at once:
proof that requests overlapped. A request is in flight from its arrival until its answer
begins.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

from tests.api_checks import request_problem

_ids = itertools.count(1)


def text(value: str) -> dict[str, Any]:
    return {"type": "text", "text": value}


def tool_use(name: str, input: dict[str, Any] | str, id: str | None = None) -> dict[str, Any]:
    """A tool_use block; a str ``input`` is sent verbatim as the JSON (to make it malformed)."""
    return {"type": "tool_use", "id": id or f"toolu_{next(_ids):04d}", "name": name, "input": input}


def thinking(value: str, signature: str = "sig") -> dict[str, Any]:
    return {"type": "thinking", "thinking": value, "signature": signature}


@dataclass
class Reply:
    content: list[dict[str, Any]]
    stop_reason: str | None = None
    usage: dict[str, int] = field(
        default_factory=lambda: {"input_tokens": 100, "output_tokens": 20}
    )
    text_chunk: int = 8  # characters per text delta
    json_chunk: int = 16  # characters of tool input JSON per input_json_delta
    pause_after: int | None = None  # events sent before holding the stream
    cut_before: str | None = None  # end the stream just before the first event of this type
    cut_after: int | None = None  # end the stream after this many events
    cut_mode: Literal["end", "drop"] = "end"  # finish the HTTP body, or drop the connection
    omit: tuple[str, ...] = ()  # event types never sent
    error_after: int | None = None  # send an SSE error event after this many events
    error_type: str = "overloaded_error"
    delay: float = 0.0  # seconds before the first event (a slow model)
    wait_in_flight: int | None = None  # hold until this many were in flight at once

    @property
    def final_stop_reason(self) -> str:
        if self.stop_reason:
            return self.stop_reason
        has_tools = any(b["type"] == "tool_use" for b in self.content)
        return "tool_use" if has_tools else "end_turn"


@dataclass
class Failure:
    status: int
    message: str = "scripted failure"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def error_type(self) -> str:
        return {
            400: "invalid_request_error",
            401: "authentication_error",
            403: "permission_error",
            404: "not_found_error",
            429: "rate_limit_error",
            529: "overloaded_error",
        }.get(self.status, "api_error")


@dataclass
class StreamFailure:
    """Start a reply, then send an SSE error event (as the API does when overloaded)."""

    reply: Reply
    after_events: int = 3
    error_type: str = "overloaded_error"


Step = Reply | Failure | StreamFailure | Callable[[dict[str, Any]], Any]
Match = str | Callable[[dict[str, Any]], bool]


def request_text(request: dict[str, Any], *, last_only: bool = True) -> str:
    """The system prompt's text and the last message's text (tool results included), or
    every message's text with ``last_only=False``: what a route's text is looked for in."""
    system = request.get("system") or ""
    parts = [system] if isinstance(system, str) else [b.get("text", "") for b in system]
    messages = request.get("messages") or []
    for message in messages[-1:] if last_only else messages:
        parts.append(_content_text(message.get("content")))
    return "\n".join(parts)


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = []
    for block in content or []:
        if block.get("type") == "text":
            parts.append(block.get("text", ""))
        elif block.get("type") == "tool_result":
            parts.append(_content_text(block.get("content")))
    return "\n".join(parts)


@dataclass
class Route:
    """Steps for the requests ``match`` picks (see ``ScriptedAPI.route``)."""

    match: Match
    steps: list[Step]
    requests: list[dict[str, Any]] = field(default_factory=list)

    def picks(self, request: dict[str, Any]) -> bool:
        if callable(self.match):
            return bool(self.match(request))
        return self.match in request_text(request)


def sse_events(reply: Reply, model: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (event name, data) pairs the real API streams for ``reply``."""
    usage = reply.usage
    yield (
        "message_start",
        {
            "type": "message_start",
            "message": {
                "id": f"msg_{next(_ids):04d}",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": {
                    "input_tokens": usage.get("input_tokens", 0),
                    "output_tokens": 1,
                    "cache_creation_input_tokens": usage.get("cache_creation_input_tokens", 0),
                    "cache_read_input_tokens": usage.get("cache_read_input_tokens", 0),
                },
            },
        },
    )
    for index, block in enumerate(reply.content):
        kind = block["type"]
        if kind == "text":
            yield "content_block_start", _start(index, {"type": "text", "text": ""})
            body = block["text"]
            for i in range(0, len(body), reply.text_chunk):
                delta = {"type": "text_delta", "text": body[i : i + reply.text_chunk]}
                yield "content_block_delta", _delta(index, delta)
        elif kind == "tool_use":
            start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
            yield "content_block_start", _start(index, start)
            raw = block["input"] if isinstance(block["input"], str) else json.dumps(block["input"])
            for i in range(0, len(raw), reply.json_chunk):
                part = raw[i : i + reply.json_chunk]
                delta = {"type": "input_json_delta", "partial_json": part}
                yield "content_block_delta", _delta(index, delta)
        elif kind == "server_tool_use":  # a server-side tool (web search): its input streams
            yield "content_block_start", _start(index, {**block, "input": {}})
            delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
            yield "content_block_delta", _delta(index, delta)
        elif kind.endswith("_tool_result"):  # its result (web_search_tool_result) comes whole
            yield "content_block_start", _start(index, block)
        elif kind == "thinking":
            yield "content_block_start", _start(index, {"type": "thinking", "thinking": ""})
            yield (
                "content_block_delta",
                _delta(index, {"type": "thinking_delta", "thinking": block["thinking"]}),
            )
            yield (
                "content_block_delta",
                _delta(index, {"type": "signature_delta", "signature": block["signature"]}),
            )
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield (
        "message_delta",
        {
            "type": "message_delta",
            "delta": {"stop_reason": reply.final_stop_reason, "stop_sequence": None},
            "usage": {"output_tokens": usage.get("output_tokens", 0)},
        },
    )
    yield "message_stop", {"type": "message_stop"}


def shaped_events(reply: Reply, model: str) -> list[tuple[str, dict[str, Any]]]:
    """The events of ``reply`` as the script sends them: omitted, cut and broken."""
    events = [(n, d) for n, d in sse_events(reply, model) if n not in reply.omit]
    if reply.error_after is not None:
        error = {"type": "error", "error": {"type": reply.error_type, "message": "Overloaded"}}
        return [*events[: reply.error_after], ("error", error)]
    if reply.cut_before is not None:
        names = [name for name, _ in events]
        events = events[: names.index(reply.cut_before)]
    if reply.cut_after is not None:
        events = events[: reply.cut_after]
    return events


def _start(index: int, block: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_start", "index": index, "content_block": block}


def _delta(index: int, delta: dict[str, Any]) -> dict[str, Any]:
    return {"type": "content_block_delta", "index": index, "delta": delta}


def message_json(reply: Reply, model: str) -> dict[str, Any]:
    content = []
    for block in reply.content:
        if block["type"] == "tool_use" and isinstance(block["input"], str):
            block = {**block, "input": {}}
        content.append(block)
    return {
        "id": f"msg_{next(_ids):04d}",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": reply.final_stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 0, "output_tokens": 0, **reply.usage},
    }


def _sse(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    chunks: Iterator[bytes]
    drop: bool = False  # close the connection without finishing the body


class ScriptedAPI:
    """The scripted server's logic, shared by the HTTP server and the in-process transport."""

    def __init__(self, steps: list[Step] | None = None) -> None:
        self.steps: list[Step] = list(steps or [])
        self.requests: list[dict[str, Any]] = []
        self.count_requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.count_tokens: int | Failure | None = None  # None: estimate from the body size
        self.validate = True  # refuse what the real API refuses (tests/api_checks.py)
        self.rejections: list[str] = []
        self._gate = threading.Event()
        self.paused = threading.Event()
        self._lock = threading.Lock()
        self.routes: list[Route] = []
        self.in_flight = 0  # message requests waiting for their answer to begin
        self.max_in_flight = 0
        self._flight = threading.Condition(self._lock)
        # GET /v1/models answers with these ids (None: 404, as servers without the list)
        self.models: list[str] | None = None

    def script(self, *steps: Step) -> None:
        self.steps.extend(steps)

    def route(self, match: Match, *steps: Step) -> Route:
        """Answer requests that ``match`` picks with ``steps`` (see the module docstring)."""
        with self._lock:
            route = Route(match, list(steps))
            self.routes.append(route)
            return route

    def _next_step(self, request: dict[str, Any]) -> Step | None:
        # Called with the lock held.
        for route in self.routes:
            if route.steps and route.picks(request):
                route.requests.append(request)
                return route.steps.pop(0)
        return self.steps.pop(0) if self.steps else None

    def release(self) -> None:
        """Let a paused stream go on."""
        self._gate.set()

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> Response:
        problem = (request_problem(body) or more_problems(body)) if self.validate else None
        request = json.loads(body or b"{}") if problem is None else _lenient_json(body)
        if problem is not None:
            with self._lock:
                self.rejections.append(problem)
                (self.count_requests if path.endswith("/count_tokens") else self.requests).append(
                    request
                )
            return self._failure(Failure(400, problem))
        if path.endswith("/count_tokens"):
            self.count_requests.append(request)
            if isinstance(self.count_tokens, Failure):
                return self._failure(self.count_tokens)
            tokens = self.count_tokens if self.count_tokens is not None else len(body) // 4
            return _json_response(200, {"input_tokens": tokens})
        with self._lock:
            self.requests.append(request)
            self.headers.append(headers)
            step = self._next_step(request)
            if step is None:
                return self._failure(Failure(500, "the script has no step left"))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self._flight.notify_all()
        return self._answer(step, request)

    def _answer(self, step: Step, request: dict[str, Any]) -> Response:
        if callable(step) and not isinstance(step, Reply | Failure | StreamFailure):
            step = step(request)
        model = request.get("model", "claude-test")
        if isinstance(step, Failure):
            self._answered()
            return self._failure(step)
        if isinstance(step, StreamFailure):
            step = replace(step.reply, error_after=step.after_events, error_type=step.error_type)
        if not request.get("stream"):
            self._hold(step)
            self._answered()
            return _json_response(200, message_json(step, model))
        return Response(
            200,
            {"content-type": "text/event-stream"},
            self._stream(step, model),
            drop=step.cut_mode == "drop",
        )

    def _answered(self) -> None:
        """The request's answer begins: it no longer counts as in flight."""
        with self._lock:
            self.in_flight -= 1

    def _hold(self, reply: Reply) -> None:
        wanted = reply.wait_in_flight
        if wanted is not None:
            # Once that many were in flight together, every holder may go on.
            with self._flight:
                self._flight.wait_for(lambda: self.max_in_flight >= wanted, timeout=10)
        if reply.delay:
            threading.Event().wait(reply.delay)  # a slow model, as the benchmark scripts it

    def _stream(self, reply: Reply, model: str) -> Iterator[bytes]:
        try:
            self._hold(reply)
        finally:
            self._answered()
        for number, (name, data) in enumerate(shaped_events(reply, model)):
            if reply.pause_after is not None and number == reply.pause_after:
                self.paused.set()
                self._gate.wait(timeout=30)
            yield _sse(name, data)

    def list_models(self) -> Response:
        """``GET /v1/models``: the ``models`` ids in the API's list form."""
        if self.models is None:
            return self._failure(Failure(404, "no model list here"))
        data = [
            {"type": "model", "id": m, "display_name": m, "created_at": "2025-01-01T00:00:00Z"}
            for m in self.models
        ]
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        page = {"data": data, "has_more": False, "first_id": first, "last_id": last}
        return _json_response(200, page)

    def _failure(self, failure: Failure) -> Response:
        body = {"type": "error", "error": {"type": failure.error_type, "message": failure.message}}
        response = _json_response(failure.status, body)
        response.headers.update(failure.headers)
        return response

    # -- the two ways to reach it ----------------------------------------------------

    def serve(self) -> LoopbackServer:
        """Serve over real HTTP on 127.0.0.1 (a free port); use as a context manager."""
        return LoopbackServer(self)

    def transport(self) -> Any:
        """An in-process ``httpx2`` transport (no sockets) for the SDK's ``http_client``."""
        import httpx2

        def handler(request: Any) -> Any:
            response = self.handle(request.url.path, dict(request.headers), request.read())
            return httpx2.Response(
                response.status, headers=response.headers, content=b"".join(response.chunks)
            )

        return httpx2.MockTransport(handler)


def more_problems(body: bytes) -> str | None:
    """Refusals of the real API that ``tests/api_checks.py`` does not check, worded as
    the API words them: no messages at all; a text block of only whitespace (in a
    message or inside a tool_result); an assistant message whose last block is thinking."""
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return None
    messages = request.get("messages")
    if not isinstance(messages, list):
        return None
    if not messages:
        return "messages: at least one message is required"
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        parts = list(content)
        for block in content:
            if isinstance(block, dict) and isinstance(block.get("content"), list):
                parts.extend(block["content"])  # a tool_result's own blocks
        for block in parts:
            blank = isinstance(block, dict) and block.get("type") == "text"
            if blank and block.get("text") and not str(block["text"]).strip():
                return "messages: text content blocks must contain non-whitespace text"
        last = content[-1] if content else None
        kind = last.get("type") if isinstance(last, dict) else None
        if message.get("role") == "assistant" and kind in ("thinking", "redacted_thinking"):
            return f"messages.{i}: The final block in an assistant message cannot be `{kind}`."
    return None


def _lenient_json(body: bytes) -> Any:
    """A refused body, parsed as far as it can be (for assertions on what was sent)."""
    try:
        return json.loads(body.decode("utf-8", errors="replace") or "{}")
    except ValueError:
        return {"unreadable": body.decode("utf-8", errors="replace")}


def _json_response(status: int, body: dict[str, Any]) -> Response:
    return Response(status, {"content-type": "application/json"}, iter([json.dumps(body).encode()]))


class LoopbackServer:
    """A ``ThreadingHTTPServer`` on 127.0.0.1 in a background thread."""

    def __init__(self, api: ScriptedAPI) -> None:
        self.api = api
        handler = type("Handler", (_Handler,), {"api": api})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.release()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    api: ScriptedAPI
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    disable_nagle_algorithm = True  # small SSE chunks must not wait for delayed ACKs

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        response = self.api.handle(self.path, dict(self.headers), body)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        try:
            for chunk in response.chunks:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            if response.drop:
                # No final chunk: the client sees the connection die mid-body.
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client hung up mid-stream (an interruption)

    def do_GET(self) -> None:
        if self.path.split("?")[0].rstrip("/").endswith("/v1/models"):
            response = self.api.list_models()
        else:
            response = self.api._failure(Failure(404, f"no GET {self.path}"))
        body = b"".join(response.chunks)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass

"""JSON-RPC 2.0 over the bridge: one request per text frame, one response per request
with an id (notifications get none). Every frame is validated; nothing a client sends
can raise out of ``dispatch``.

    Method(name, handler, scope)   a handler is ``async (params: dict) -> JSON value``;
                                   with ``with_peer``, ``async (params, peer)`` (the
                                   connection's ``Peer``: ``subscribe`` needs it)
    MethodTable.register(...)      the host adds its methods (send, ptt, ...) here
    dispatch(table, frame, scope, peer)  -> the response frame, or None for a notification

A frame is parsed defensively: nesting deeper than ``MAX_DEPTH``, ``NaN``/``Infinity``,
numbers too long to convert and strings that cannot be sent back (lone surrogates) are
answered as errors like any other malformed frame. A request whose ``id`` is ``null`` is
answered (with ``"id": null``); only one without an ``id`` member is a notification.

Scopes: an ``observe`` token may call only ``observe`` methods; a ``control`` token may
call everything. The check is by the method's declared scope, before its params are read.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from agent.bridge_server.tokens import CONTROL, OBSERVE, SCOPES

if TYPE_CHECKING:
    from pydantic import BaseModel

log = logging.getLogger(__name__)

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
FORBIDDEN = -32001  # server-defined range: the token's scope does not cover the method
BUSY = -32002  # Harken is doing something else (recording, a turn it cannot queue behind)
UNAVAILABLE = -32003  # this host cannot do that (push-to-talk in a daemon without a mic)
NOT_FOUND = -32004  # no such session, or no open permission question with that id
MAX_DEPTH = 64  # arrays/objects within one another: a request never needs more

Handler = Callable[..., Awaitable[Any]]


class RpcError(Exception):
    """Raised by a handler to answer with a JSON-RPC error instead of a result."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


@functools.cache
def _request_model() -> type[BaseModel]:
    """The envelope's pydantic model, made at the first frame: pydantic stays out of an idle
    tray, whose bridge is started at launch (issue 12's idle memory)."""
    from pydantic import BaseModel, ConfigDict

    class Request(BaseModel):
        model_config = ConfigDict(extra="forbid", strict=True)

        jsonrpc: Literal["2.0"]
        method: str
        params: dict[str, Any] | None = None
        id: str | int | None = None

    return Request


@dataclass(frozen=True)
class Method:
    name: str
    handler: Handler
    scope: str = CONTROL  # what is not declared observe-safe needs control
    with_peer: bool = False  # the handler also gets the calling connection's Peer

    def __post_init__(self) -> None:
        if self.scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}")


class MethodTable:
    """The methods a bridge offers, by name."""

    def __init__(self) -> None:
        self._methods: dict[str, Method] = {}

    def register(
        self, name: str, handler: Handler, scope: str = CONTROL, *, with_peer: bool = False
    ) -> None:
        """Offer ``name`` (a later registration of the same name replaces it)."""
        self._methods[name] = Method(name, handler, scope, with_peer)

    def get(self, name: str) -> Method | None:
        return self._methods.get(name)

    def names(self) -> list[str]:
        return sorted(self._methods)


def allowed(token_scope: str, method: Method) -> bool:
    """Whether a token of ``token_scope`` may call ``method``."""
    return token_scope == CONTROL or method.scope == OBSERVE


async def dispatch(
    table: MethodTable, frame: str | bytes, token_scope: str, peer: Any = None
) -> str | None:
    """Answer one frame: the response as JSON text, or None for a valid notification."""
    if isinstance(frame, bytes):
        return _error(None, INVALID_REQUEST, "send JSON-RPC as text frames")
    raw, problem = _decode(frame)
    if problem is not None:
        return _error(None, PARSE_ERROR, problem)
    if isinstance(raw, list):
        return _error(None, INVALID_REQUEST, "batches are not supported")
    request_id = raw.get("id") if isinstance(raw, dict) else None
    if not isinstance(request_id, (str, int)) or isinstance(request_id, bool):
        request_id = None
    if _too_deep(raw):
        return _error(request_id, INVALID_REQUEST, f"nested deeper than {MAX_DEPTH} levels")
    from pydantic import ValidationError

    try:
        request: Any = _request_model().model_validate(raw)  # a model made at run time
    except ValidationError as exc:
        where = ", ".join(".".join(map(str, e["loc"])) or "request" for e in exc.errors())
        return _error(request_id, INVALID_REQUEST, f"invalid request ({where})")
    method = table.get(request.method)
    if method is None:
        return _reply(request, _error_body(METHOD_NOT_FOUND, f"no method {request.method!r}"))
    if not allowed(token_scope, method):
        body = _error_body(FORBIDDEN, f"{request.method} needs a token with scope control")
        return _reply(request, body)
    try:
        params = request.params or {}
        if method.with_peer:
            result = await method.handler(params, peer)
        else:
            result = await method.handler(params)
        if not _answered(request):
            return None
        return json.dumps({"jsonrpc": "2.0", "id": request.id, "result": result})
    except RpcError as exc:
        return _reply(request, _error_body(exc.code, exc.message, exc.data))
    except Exception:
        log.exception("bridge method %s failed", request.method)
        return _reply(request, _error_body(INTERNAL_ERROR, f"{request.method} failed"))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _decode(frame: str) -> tuple[Any, str | None]:
    """The frame's JSON value, or why it is not one (never an exception: deep nesting
    raises RecursionError in ``json``, too long a number ValueError)."""
    try:
        raw = json.loads(frame, parse_constant=_reject_constant)
    except RecursionError:
        return None, "not valid JSON (nested too deeply)"
    except ValueError:
        return None, "not valid JSON"
    try:
        # A lone surrogate (``"\\ud800"``) decodes but could never be sent on as UTF-8.
        frame.encode("utf-8")
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        return None, "not valid JSON (a string is not Unicode text)"
    return raw, None


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests arrays/objects deeper than MAX_DEPTH (iterative: no
    recursion to overflow)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _answered(request: Any) -> bool:
    """Whether a reply is due: the request has an ``id`` member (``null`` counts)."""
    return "id" in request.model_fields_set


def _reply(request: Any, error: dict[str, Any]) -> str | None:
    """The error reply to a validated ``request``; None for a notification (a request
    without an ``id`` member; ``"id": null`` is answered), which is never answered."""
    if not _answered(request):
        return None
    return json.dumps({"jsonrpc": "2.0", "id": request.id, "error": error})


def _error(request_id: str | int | None, code: int, message: str) -> str:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "error": _error_body(code, message)})


def _error_body(code: int, message: str, data: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        body["data"] = data
    return body

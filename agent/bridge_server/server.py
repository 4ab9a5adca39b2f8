"""The bridge's WebSocket server: 127.0.0.1 only, on a free port.

    server = await start_bridge()     listening, with bridge.json written (control token)
    server.url                        ws://127.0.0.1:PORT
    await server.close()              stops listening, closes clients, removes bridge.json
    await serve_foreground()          the above until SIGINT/SIGTERM (``harken bridge serve``)

The handshake decides everything before a message flows: a browser ``Origin`` header gets
403 (web pages must never reach the bridge, whatever they carry); a missing, malformed,
wrongly signed or expired ``Authorization: Bearer <JWT>`` gets 401. The secret is read
at every handshake, so ``harken bridge rotate`` shuts out old tokens at once. After the
handshake, each text frame is one JSON-RPC request (``rpc.dispatch``). A connection's
token is checked again at each message and, every ``SWEEP_S``, for connections that only
listen: one that expired is closed with code 4001, one that ``harken bridge rotate``
revoked (no longer signed by the current secret) with code 4003. Each connection is a
``hub.Peer``: a subscribed one gets events through a bounded outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import time
import weakref
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from agent.bridge_server import discovery
from agent.bridge_server.hub import OUTBOX_LIMIT, Peer
from agent.bridge_server.limits import FailureLimiter
from agent.bridge_server.methods import default_methods
from agent.bridge_server.rpc import MethodTable, dispatch
from agent.bridge_server.secret import SecretUnavailable, load_secret
from agent.bridge_server.tokens import CONTROL, Claims, TokenError, issue_token, verify_token

log = logging.getLogger(__name__)

HOST = "127.0.0.1"  # never 0.0.0.0 or ::: the bridge is for this machine only
CLOSE_EXPIRED = 4001
CLOSE_REVOKED = 4003
SWEEP_S = 2.0  # how soon a listening-only connection notices a rotation or an expiry
CLOSE_TIMEOUT_S = 5.0

# websockets logs every request header at DEBUG, Authorization included, and "server
# listening" at INFO on every start: its logger is held at WARNING so ``--debug`` can never
# print a token and ``harken bridge serve`` says where it listens once, in its own words.
_ws_log = logging.getLogger("agent.bridge_server.websockets")
_ws_log.setLevel(logging.WARNING)


class BridgeServer:
    """One listening bridge and its method table (a host registers more methods)."""

    def __init__(
        self,
        methods: MethodTable | None = None,
        secret: Callable[[], str] = load_secret,
        limiter: FailureLimiter | None = None,
        clock: Callable[[], float] = time.time,
        outbox_limit: int = OUTBOX_LIMIT,
        sweep_s: float = SWEEP_S,
    ) -> None:
        self.methods = methods or default_methods()
        self.outbox_limit = outbox_limit
        self._on_close: list[Callable[[], None]] = []
        self._secret = secret
        self._limiter = limiter or FailureLimiter()
        self._clock = clock  # wall time, as in the tokens' exp
        # Claims from the handshake, per connection; weak, so a handshake that fails after
        # the check (the client goes away) leaves nothing behind.
        self._claims: weakref.WeakKeyDictionary[ServerConnection, Claims] = (
            weakref.WeakKeyDictionary()
        )
        self._tokens: weakref.WeakKeyDictionary[ServerConnection, str] = weakref.WeakKeyDictionary()
        # Open connections and the token each came in with (checked again later).
        self._live: dict[ServerConnection, tuple[str, Claims]] = {}
        self._sweep_s = sweep_s
        self._sweeper: asyncio.Task[None] | None = None
        self._server: Server | None = None
        self._published: bool = False
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://{HOST}:{self.port}"

    async def start(self) -> BridgeServer:
        """Listen on 127.0.0.1 on a port the system picks."""
        self._server = await serve(
            self._handle,
            HOST,
            0,
            process_request=self._check_handshake,
            logger=_ws_log,
            close_timeout=CLOSE_TIMEOUT_S,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._sweeper = asyncio.get_running_loop().create_task(self._sweep())
        log.info("bridge listening on %s", self.url)
        return self

    async def publish(self) -> None:
        """Write bridge.json with a fresh control token (replacing a stale file)."""
        secret = await asyncio.to_thread(self._secret)
        token = issue_token(secret, CONTROL)
        info = discovery.BridgeInfo(url=self.url, token=token, pid=os.getpid())
        await asyncio.to_thread(discovery.write_info, info)
        self._published = True

    def on_close(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` when the bridge closes (a host unsubscribing, say)."""
        self._on_close.append(callback)

    async def close(self) -> None:
        """Stop listening, close every connection, remove bridge.json (if still ours)."""
        callbacks, self._on_close = self._on_close, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("closing the bridge: a callback failed")
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
            self._sweeper = None
        if self._published:
            discovery.remove_info(os.getpid())
            self._published = False
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _check_handshake(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        peer = _peer(connection)
        if "Origin" in request.headers:
            return self._refuse(connection, peer, HTTPStatus.FORBIDDEN, "browser Origin header")
        values = request.headers.get_all("Authorization")
        if not values:
            return self._refuse(connection, peer, HTTPStatus.UNAUTHORIZED, "no token")
        scheme, _, token = values[0].strip().partition(" ")
        if len(values) > 1 or scheme.lower() != "bearer" or not token.strip():
            reason = "malformed Authorization header"
            return self._refuse(connection, peer, HTTPStatus.UNAUTHORIZED, reason)
        try:
            secret = await asyncio.to_thread(self._secret)
        except SecretUnavailable as exc:
            log.error("bridge: no signing secret: %s", exc)
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "No signing secret.\n")
        try:
            claims = verify_token(secret, token.strip())
        except TokenError as exc:
            return self._refuse(connection, peer, HTTPStatus.UNAUTHORIZED, str(exc))
        self._claims[connection] = claims
        self._tokens[connection] = token.strip()
        return None

    def _refuse(
        self, connection: ServerConnection, peer: str, status: HTTPStatus, reason: str
    ) -> Response:
        if self._limiter.refuse(peer, reason):
            response = connection.respond(HTTPStatus.TOO_MANY_REQUESTS, "Too many attempts.\n")
            response.headers["Retry-After"] = str(self._limiter.retry_after_s())
            return response
        response = connection.respond(status, f"{status.phrase}: {reason}.\n")
        if status == HTTPStatus.UNAUTHORIZED:
            response.headers["WWW-Authenticate"] = 'Bearer realm="harken"'
        return response

    async def _handle(self, connection: ServerConnection) -> None:
        claims = self._claims.pop(connection)
        token = self._tokens.pop(connection)
        self._live[connection] = (token, claims)
        peer = Peer(connection, self.outbox_limit)
        try:
            async for frame in connection:
                refusal = await self._refusal(claims, token)
                if refusal is not None:
                    await connection.close(*refusal)
                    return
                try:
                    reply = await dispatch(self.methods, frame, claims.scope, peer)
                except Exception:  # dispatch answers everything; a bug must not end the client
                    log.exception("bridge: a request could not be answered")
                    reply = _INTERNAL_ERROR
                if reply is not None:
                    await peer.send(reply)
        except ConnectionClosed:
            pass
        finally:
            self._live.pop(connection, None)
            await peer.close()

    async def _refusal(
        self, claims: Claims, token: str, secret: str | None = None
    ) -> tuple[int, str] | None:
        """Why a connection's token no longer holds (close code, reason), or None. The
        secret is read afresh unless given: a rotation shuts the connection out at once."""
        if claims.expired(self._clock()):
            return CLOSE_EXPIRED, "token expired"
        if secret is None:
            try:
                secret = await asyncio.to_thread(self._secret)
            except SecretUnavailable as exc:
                log.error("bridge: no signing secret: %s", exc)
                return CLOSE_REVOKED, "no signing secret to check the token against"
        try:
            verify_token(secret, token)
        except TokenError as exc:
            if "expired" in str(exc):
                return CLOSE_EXPIRED, "token expired"
            return CLOSE_REVOKED, "token revoked (harken bridge rotate): get a new one"
        return None

    async def _sweep(self) -> None:
        """Close connections whose token expired or was revoked, even if they only listen."""
        while True:
            await asyncio.sleep(self._sweep_s)
            if not self._live:
                continue
            try:  # once per sweep, not per connection (a keyring read may cost a D-Bus call)
                secret = await asyncio.to_thread(self._secret)
            except SecretUnavailable:
                continue  # said at the next message, which closes its connection
            for connection, (token, claims) in list(self._live.items()):
                refusal = await self._refusal(claims, token, secret)
                if refusal is not None:
                    log.info("bridge: closing a connection: %s", refusal[1])
                    with contextlib.suppress(Exception):
                        await connection.close(*refusal)


_INTERNAL_ERROR = json.dumps(
    {"jsonrpc": "2.0", "id": None, "error": {"code": -32603, "message": "internal error"}}
)


def _peer(connection: ServerConnection) -> str:
    address = connection.remote_address
    return f"{address[0]}:{address[1]}" if address else "unknown peer"


async def start_bridge(methods: MethodTable | None = None, **options: Any) -> BridgeServer:
    """A listening bridge with bridge.json written; DiscoveryError when another runs.
    ``options`` go to ``BridgeServer`` (tests: a small ``outbox_limit``)."""
    # Before listening: a refused bridge never opens (and logs) a port of its own.
    await asyncio.to_thread(discovery.check_free)
    server = await BridgeServer(methods, **options).start()
    try:
        await server.publish()
    except BaseException:
        await server.close()
        raise
    return server


async def serve_foreground(on_ready: Callable[[BridgeServer], None] | None = None) -> None:
    """Run a bridge until SIGINT or SIGTERM, then close it cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows: no handlers
            loop.add_signal_handler(sig, stop.set)
    server = await start_bridge()
    try:
        if on_ready is not None:
            on_ready(server)
        await stop.wait()
    finally:
        await server.close()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)

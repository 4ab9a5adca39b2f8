"""The bridge: a local, authenticated WebSocket through which other programs drive a
running Harken (an editor plugin, a script, a second terminal, a stream-deck button).

    secret.py      the per-user signing secret: the OS keyring, else a 0600 file
    tokens.py      JWTs (HS256) with ``exp`` and ``scope`` (observe|control); durations
    discovery.py   ``$XDG_RUNTIME_DIR/harken/bridge.json``: url, token, pid (0600 in 0700)
    rpc.py         JSON-RPC 2.0 envelopes, the method table and its scope check
    methods.py     the methods every bridge offers: ``status``, ``sessions.list``
    server.py      BridgeServer: 127.0.0.1 only; 401/403 in the handshake; the RPC loop
    limits.py      failed handshakes: logged without the token, rate limited
    admin.py       ``harken bridge token|rotate`` (rotate refreshes a live bridge.json)
    host.py        ``Host``: what a running Harken offers (submit, ptt, interrupt,
                   answer_permission, status, subscribe); open questions by request id
    host_methods.py  send, ptt, interrupt, permission.answer, subscribe, ide.context and
                   the host's status; ``start_host_bridge(host)``
    params.py      those methods' params, validated with pydantic
    hub.py         events to subscribers through bounded outboxes (dropped with a notice)
    ide.py         the editor's context in a host's sessions (block + IdeContext tool)

It may import the standard library, ``websockets``, ``jwt`` (PyJWT), ``keyring``,
``pydantic`` and the Qt-free core (``agent.paths``, ``agent.transcript``,
``agent.events``, ``agent.tools.ide_context``); never Qt, ``audio`` or ``desktop``. A
host (the tray app's ``desktop.bridge_host``, the daemon's ``desktop.bridge_host_daemon``)
implements ``Host`` and starts the bridge with ``start_host_bridge``; ``harken bridge
serve`` runs one with the basic methods (``start_bridge``). It stops with
``BridgeServer.close``; tokens never reach a log.
"""

from __future__ import annotations

from agent.bridge_server.rpc import Method, MethodTable
from agent.bridge_server.server import BridgeServer, start_bridge
from agent.bridge_server.tokens import (
    CONTROL,
    OBSERVE,
    TokenError,
    issue_token,
    parse_duration,
    verify_token,
)

__all__ = [
    "CONTROL",
    "OBSERVE",
    "BridgeServer",
    "Method",
    "MethodTable",
    "TokenError",
    "issue_token",
    "parse_duration",
    "start_bridge",
    "verify_token",
]

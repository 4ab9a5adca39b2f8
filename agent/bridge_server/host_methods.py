"""The methods a host adds to its bridge, and the one call that starts such a bridge.

send              control   {text, cwd?, session_id?} -> {session_id}
ptt               control   {action} -> {}
interrupt         control   {session_id?} -> {} (only that session's turn when given)
permission.answer control   {request_id, decision} -> {request_id, decision}
subscribe         observe   {} -> {subscribed}; then ``event`` notifications
ide.context       control   {file, selection?, open_files?} -> {}
status            observe   {} -> {pid, version, methods, state, mode, session,
                                  workspace, ...}

server = await start_host_bridge(host)    listening, bridge.json written
"""

from __future__ import annotations

from typing import Any

from agent.bridge_server.host import Host
from agent.bridge_server.hub import EventHub, Peer
from agent.bridge_server.methods import default_methods
from agent.bridge_server.rpc import NOT_FOUND, MethodTable, RpcError
from agent.bridge_server.server import BridgeServer, start_bridge
from agent.bridge_server.tokens import OBSERVE


def register_host(table: MethodTable, host: Host, hub: EventHub) -> None:
    """Add the host's methods to ``table``; events reach ``hub``'s subscribers."""
    base_status = table.get("status")

    async def send(params: dict[str, Any]) -> dict[str, Any]:
        p = _parse("SendParams", params)
        return {"session_id": await host.submit(p.text, p.cwd, p.session_id)}

    async def ptt(params: dict[str, Any]) -> dict[str, Any]:
        await host.ptt(_parse("PttParams", params).action)
        return {}

    async def interrupt(params: dict[str, Any]) -> dict[str, Any]:
        await host.interrupt(_parse("InterruptParams", params).session_id)
        return {}

    async def answer(params: dict[str, Any]) -> dict[str, Any]:
        p = _parse("AnswerParams", params)
        if not await host.answer_permission(p.request_id, p.decision):
            message = f"no open permission question {p.request_id} (answered already?)"
            raise RpcError(NOT_FOUND, message)
        return {"request_id": p.request_id, "decision": p.decision}

    async def subscribe(params: dict[str, Any], peer: Peer | None) -> dict[str, Any]:
        _parse("Empty", params)
        if peer is not None:
            peer.subscribe(hub)
        return {"subscribed": True}

    async def ide_context(params: dict[str, Any]) -> dict[str, Any]:
        host.ide_context.set(_parse("IdeContextParams", params).context())
        return {}

    async def status(params: dict[str, Any]) -> dict[str, Any]:
        _parse("Empty", params)
        found: dict[str, Any] = await base_status.handler({}) if base_status else {}
        return {**found, **await host.status(), "subscribers": hub.subscribers}

    table.register("send", send)
    table.register("ptt", ptt)
    table.register("interrupt", interrupt)
    table.register("permission.answer", answer)
    table.register("subscribe", subscribe, OBSERVE, with_peer=True)
    table.register("ide.context", ide_context)
    table.register("status", status, OBSERVE)


async def start_host_bridge(host: Host, **options: Any) -> BridgeServer:
    """A bridge offering ``host``'s methods, listening, with bridge.json written (on the
    running loop, which must be the one ``host`` calls its listeners on); ``options`` go
    to ``BridgeServer``."""
    table = default_methods()
    hub = EventHub()
    register_host(table, host, hub)
    server = await start_bridge(table, **options)
    server.on_close(host.subscribe(hub.publish))
    return server


def _parse(model: str, params: dict[str, Any]) -> Any:
    """``params`` checked by the pydantic model ``model`` of ``agent.bridge_server.params``,
    imported with the first call: pydantic stays out of an idle tray, whose bridge starts
    at launch."""
    from agent.bridge_server import params as models

    return models.parse(getattr(models, model), params)

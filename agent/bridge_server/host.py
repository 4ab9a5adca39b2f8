"""What a host offers the bridge: the tray app and ``harken daemon`` each implement it.

    Host                   the Protocol: submit, ptt, interrupt, answer_permission,
                           status, subscribe, and the editor context store
    HostError              an RpcError a host raises (busy, unavailable, not found)
    PendingQuestions       permission questions waiting for an answer, by request id
    answer_for(decision)   "allow" | "always" | "deny" -> a PermissionAnswer
    event_payload(event)   an agent event as ``harken ask --json`` prints it, tagged

Every coroutine is awaited on the bridge's event loop, and ``subscribe``'s listener must
be called there too: a host whose agent runs elsewhere (the tray's agent thread, its GUI
thread) crosses over itself (``loop.call_soon_threadsafe``), never blocking either side.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, Protocol

from agent.bridge_server.rpc import RpcError
from agent.events import Event, PermissionAnswer, PermissionRequested
from agent.tools.ide_context import IdeContextStore

EventListener = Callable[[dict[str, Any]], None]


class HostError(RpcError):
    """A host method's refusal, as a JSON-RPC error."""


class Host(Protocol):
    """A running Harken, as the bridge sees it."""

    ide_context: IdeContextStore

    async def submit(self, text: str, cwd: str | None, session_id: str | None) -> str:
        """Take ``text`` as if the user had spoken it; the id of the session it runs in."""
        ...

    async def ptt(self, action: str) -> None:
        """Push-to-talk: ``press``, ``release`` or ``toggle``."""
        ...

    async def interrupt(self, session_id: str | None = None) -> None:
        """Stop what runs now (turns, speech); drop what waits. With ``session_id``,
        only that session's turn (a client stopping the turn it started)."""
        ...

    async def answer_permission(self, request_id: str, decision: str) -> bool:
        """Answer an open question; False when none is open with that id."""
        ...

    async def status(self) -> dict[str, Any]:
        """``state``, ``mode``, ``session``, ``workspace`` (and whatever else it knows)."""
        ...

    def subscribe(self, listener: EventListener) -> Callable[[], None]:
        """Call ``listener`` (on the bridge's loop) with every event's payload."""
        ...


def answer_for(decision: str) -> PermissionAnswer:
    """The answer a bridge client's decision stands for (as a person's: ``asked``)."""
    if decision == "always":
        return PermissionAnswer(True, always=True)
    return PermissionAnswer(decision == "allow")


def event_payload(
    event: Event, session_id: str | None = None, request_id: str | None = None
) -> dict[str, Any]:
    """``event`` as ``harken ask --json`` prints it, with the session it belongs to and,
    for a permission question, the id that ``permission.answer`` takes."""
    data = event.to_dict()
    if session_id is not None:
        data.setdefault("session_id", session_id)
    if request_id is not None:
        data["request_id"] = request_id
    return data


class PendingQuestions:
    """Open permission questions by request id (one thread: the host's own)."""

    def __init__(self) -> None:
        self._open: dict[str, PermissionRequested] = {}

    def add(self, request: PermissionRequested) -> str:
        """Keep ``request``; its new request id."""
        # Answered ones (by a dialog, a timeout, a stopped turn) are forgotten here.
        self._open = {k: r for k, r in self._open.items() if not r.answered}
        request_id = f"q-{secrets.token_hex(6)}"
        self._open[request_id] = request
        return request_id

    def take(self, request_id: str) -> PermissionRequested | None:
        """The open question ``request_id`` (no longer kept), or None when it was answered
        already or never asked."""
        request = self._open.pop(request_id, None)
        if request is None or request.answered:
            return None
        return request

    def id_of(self, request: PermissionRequested) -> str | None:
        return next((k for k, r in self._open.items() if r is request), None)

    def open_ids(self) -> list[str]:
        return [k for k, r in self._open.items() if not r.answered]

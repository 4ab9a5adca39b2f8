"""Events to subscribed clients, without ever waiting for one.

    hub = EventHub()
    hub.publish(payload)        from the host, on the bridge's loop: never blocks
    Outbox(limit)               one client's queue of notification frames
    Peer(connection)            one connection: its send lock and, once subscribed, its
                                outbox and the task that writes it out

Each subscribed client has a bounded outbox. ``publish`` puts the frame in every outbox
that has room; a client that does not read fast enough (its socket buffers full, its
outbox at the limit) misses the events that do not fit, and when there is room again it
first gets one ``events_dropped`` event saying how many it missed. The agent never waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from typing import Any

log = logging.getLogger(__name__)

OUTBOX_LIMIT = 1000  # frames: a turn's text deltas fit many times over


def notification(method: str, params: dict[str, Any]) -> str:
    return json.dumps({"jsonrpc": "2.0", "method": method, "params": params}, ensure_ascii=False)


def dropped_notice(count: int) -> str:
    return notification(
        "event",
        {
            "kind": "events_dropped",
            "count": count,
            "message": f"{count} events were dropped: this client did not keep up",
        },
    )


class Outbox:
    """A bounded queue of frames for one client; ``offer`` never waits."""

    def __init__(self, limit: int = OUTBOX_LIMIT) -> None:
        self.limit = limit
        self._frames: deque[str] = deque()
        self._ready = asyncio.Event()
        self._dropped = 0
        self.dropped_total = 0

    def offer(self, frame: str) -> bool:
        """Queue ``frame``; False (counted, said later) when the outbox is full."""
        if len(self._frames) >= self.limit:
            self._dropped += 1
            self.dropped_total += 1
            return False
        if self._dropped:
            # Where the gap is: after what was queued before it, before what comes after.
            self._frames.append(dropped_notice(self._dropped))
            self._dropped = 0
        self._frames.append(frame)
        self._ready.set()
        return True

    async def next(self) -> str:
        """The next frame, waiting for one."""
        while not self._frames:
            self._ready.clear()
            await self._ready.wait()
        return self._frames.popleft()


class EventHub:
    """The subscribed clients' outboxes; ``publish`` fans a payload out to them."""

    def __init__(self) -> None:
        self._outboxes: set[Outbox] = set()

    def add(self, outbox: Outbox) -> None:
        self._outboxes.add(outbox)

    def remove(self, outbox: Outbox) -> None:
        self._outboxes.discard(outbox)

    @property
    def subscribers(self) -> int:
        return len(self._outboxes)

    def publish(self, payload: dict[str, Any]) -> None:
        """Send ``payload`` as an ``event`` notification to every subscriber."""
        if not self._outboxes:
            return
        frame = notification("event", payload)  # encoded once for everyone
        for outbox in list(self._outboxes):
            outbox.offer(frame)


class Peer:
    """One client connection: replies and notifications share its send lock."""

    def __init__(self, connection: Any, outbox_limit: int = OUTBOX_LIMIT) -> None:
        self.connection = connection
        self._lock = asyncio.Lock()
        self._outbox_limit = outbox_limit
        self._outbox: Outbox | None = None
        self._hub: EventHub | None = None
        self._writer: asyncio.Task[None] | None = None

    async def send(self, frame: str) -> None:
        async with self._lock:
            await self.connection.send(frame)

    def subscribe(self, hub: EventHub) -> bool:
        """Start sending ``hub``'s events here; False when already subscribed."""
        if self._outbox is not None:
            return False
        self._outbox, self._hub = Outbox(self._outbox_limit), hub
        hub.add(self._outbox)
        self._writer = asyncio.get_running_loop().create_task(self._write(self._outbox))
        return True

    async def _write(self, outbox: Outbox) -> None:
        try:
            while True:
                await self.send(await outbox.next())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the connection went away: the reader ends it
            log.debug("bridge: a subscriber's connection failed: %s", type(exc).__name__)
            if self._hub is not None:
                self._hub.remove(outbox)

    async def close(self) -> None:
        """Stop sending events (the connection ended)."""
        if self._hub is not None and self._outbox is not None:
            self._hub.remove(self._outbox)
        if self._writer is not None:
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._writer

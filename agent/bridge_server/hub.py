"""Events to subscribed clients, without ever waiting for one.

    hub = EventHub()
    hub.publish(payload)        from the host, on the bridge's loop: never blocks
    Outbox(limit)               one client's queue of notification frames
    Peer(connection)            one connection: its send lock and, once subscribed, its
                                outbox and the task that writes it out

Each subscribed client has a bounded outbox. ``publish`` puts the frame in every outbox
that has room; a client that does not read fast enough (its socket buffers full, its
outbox at the limit) misses the events that do not fit, and where they would have been
it gets one ``events_dropped`` event saying how many it missed (at its next read, even
if nothing is published after). Events that end or hold up a turn (``turn_finished``,
``error``, ``permission_requested``...: ``KEPT``) are never the ones dropped while there
is room: they have ``KEEP_RESERVE`` frames beyond the limit, and past that the oldest
droppable event gives way. The agent never waits.
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
KEEP_RESERVE = 100  # frames beyond the limit for the events in KEPT
# What a client must see to know where a turn stands; deltas and progress can be missed.
KEPT = frozenset(
    {
        "turn_started",
        "turn_finished",
        "error",
        "permission_requested",
        "tool_started",
        "tool_finished",
        "notice",
        "compacted",
    }
)


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


class _Gap:
    """Where dropped frames would have been: said as one ``events_dropped`` event."""

    def __init__(self) -> None:
        self.count = 0


class Outbox:
    """A bounded queue of frames for one client; ``offer`` never waits."""

    def __init__(self, limit: int = OUTBOX_LIMIT, reserve: int = KEEP_RESERVE) -> None:
        self.limit = limit
        self.reserve = reserve
        # Frames (with whether they may be dropped) and gaps, in order.
        self._entries: deque[tuple[str, bool] | _Gap] = deque()
        self._size = 0  # frames, gaps not counted
        self._ready = asyncio.Event()
        self.dropped_total = 0

    def offer(self, frame: str, keep: bool = False) -> bool:
        """Queue ``frame``; False (counted, said where it was) when there is no room.
        ``keep``: an event that must arrive; an older droppable one gives way if need be."""
        self._ready.set()
        if self._size < self.limit or (keep and self._size < self.limit + self.reserve):
            self._append(frame, keep)
            return True
        if keep and self._evict_oldest_droppable():
            self._append(frame, keep)
            return True
        self._drop_at(len(self._entries))
        return False

    def _append(self, frame: str, keep: bool) -> None:
        self._entries.append((frame, not keep))
        self._size += 1

    def _evict_oldest_droppable(self) -> bool:
        for index, entry in enumerate(self._entries):
            if isinstance(entry, tuple) and entry[1]:
                del self._entries[index]
                self._size -= 1
                self._drop_at(index)
                return True
        return False

    def _drop_at(self, index: int) -> None:
        """Count one dropped frame at ``index``, in a gap there or next to it."""
        self.dropped_total += 1
        entries = self._entries
        for near in (index - 1, index):
            if 0 <= near < len(entries) and isinstance(entries[near], _Gap):
                gap = entries[near]
                break
        else:
            gap = _Gap()
            entries.insert(index, gap)
        assert isinstance(gap, _Gap)
        gap.count += 1

    async def next(self) -> str:
        """The next frame, waiting for one."""
        while not self._entries:
            self._ready.clear()
            await self._ready.wait()
        entry = self._entries.popleft()
        if isinstance(entry, _Gap):
            return dropped_notice(entry.count)
        self._size -= 1
        return entry[0]


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
        keep = payload.get("kind") in KEPT
        for outbox in list(self._outboxes):
            outbox.offer(frame, keep)


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

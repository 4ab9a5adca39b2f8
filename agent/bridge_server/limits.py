"""Failed handshakes: each is logged with the peer and the reason (never the token), and
they are rate limited. Past ``max_failures`` in ``window_s`` seconds, further failures
are answered 429 instead of 401/403 and counted instead of logged one by one; the count
is logged once when the window ends. A valid token always gets in: a flood of bad
attempts must not lock the user's own clients out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

MAX_FAILURES = 10
WINDOW_S = 60.0


class FailureLimiter:
    """Counts refused handshakes per window; says when to answer 429."""

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_s: float = WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._window_start = clock()
        self._count = 0
        self._suppressed = 0

    def refuse(self, peer: str, reason: str) -> bool:
        """Record one refused attempt; True when it is over the limit (answer 429)."""
        self._roll()
        self._count += 1
        if self._count <= self.max_failures:
            log.warning("bridge: refused a connection from %s: %s", peer, reason)
            return False
        self._suppressed += 1
        return True

    def retry_after_s(self) -> int:
        """Seconds until the current window ends (for the Retry-After header)."""
        return max(1, int(self._window_start + self.window_s - self._clock() + 0.999))

    def _roll(self) -> None:
        now = self._clock()
        if now - self._window_start < self.window_s:
            return
        if self._suppressed:
            log.warning(
                "bridge: refused %d more connections in the last %g s (rate limited)",
                self._suppressed,
                self.window_s,
            )
        self._window_start, self._count, self._suppressed = now, 0, 0

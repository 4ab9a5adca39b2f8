"""When to try an API call again: exponential backoff with full jitter, honouring
``retry-after`` when the server sends it (capped, so a bad header cannot hang a turn)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` counts every try, the first one included."""

    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 32.0
    max_retry_after: float = 60.0

    def delay(self, retry_number: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry ``retry_number`` (1 for the first retry)."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        # Full jitter: many clients retrying after one outage spread out instead of
        # hammering the API in lockstep.
        return rng.uniform(ceiling / 2, ceiling)

from __future__ import annotations

import random

from agent.redact import redact
from agent.retry import RetryPolicy


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(1)
    for retry, ceiling in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [policy.delay(retry, None, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jitter spreads clients out


def test_retry_after_is_honoured_but_capped() -> None:
    policy = RetryPolicy(max_retry_after=60)
    rng = random.Random(0)
    assert policy.delay(1, 3.0, rng) == 3.0
    assert policy.delay(1, 3600.0, rng) == 60


def test_api_keys_and_auth_headers_are_masked_in_logs() -> None:
    line = "key sk-ant-api03-abcdefghijklmnop, {'x-api-key': 'secret123'} Authorization: Bearer t0k"
    masked = redact(line)
    assert "abcdefghijklmnop" not in masked and "secret123" not in masked and "t0k" not in masked
    assert "sk-ant-api0" in masked  # enough left to tell which key it was

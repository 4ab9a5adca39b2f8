"""Telemetry tests start from a clean slate: no OTEL_* variable of the machine running
them, and no telemetry left running by an earlier test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from agent import telemetry


@pytest.fixture(autouse=True)
def no_otel_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in [n for n in os.environ if n.startswith("OTEL_")]:
        monkeypatch.delenv(name)
    yield
    telemetry.shutdown(timeout=5)

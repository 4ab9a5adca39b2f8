"""Journal tests: the real ``harken`` command (the ``harken`` fixture) and the files."""

from __future__ import annotations

from tests.e2e.conftest import harken, harken_command  # noqa: F401  (fixture, helper)

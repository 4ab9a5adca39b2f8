"""End-to-end tests: the ``real_display`` marker is known here too (tests/desktop/conftest.py
declares it for the Qt tests), so the e2e folder runs on its own."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_display: needs the X display started by tests/desktop_env.sh"
    )

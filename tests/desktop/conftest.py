"""Qt tests run offscreen, except tests marked ``real_display``.

Qt picks its platform once, when the session's one QApplication starts, so the choice is
made for the whole session after collection: when a collected test is marked
``real_display`` and tests/desktop_env.sh started a virtual screen
(``HARKEN_TEST_DISPLAY=1``), the session uses that screen (xcb), and the offscreen tests
still pass there since they draw into images; otherwise it is ``offscreen`` and the marked
tests are skipped with the reason. An explicit QT_QPA_PLATFORM is left alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
NO_DISPLAY = "needs the virtual screen: run under tests/desktop_env.sh (HARKEN_TEST_DISPLAY=1)"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_display: needs the X display started by tests/desktop_env.sh"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    marked = [item for item in items if item.get_closest_marker("real_display")]
    display = os.environ.get("HARKEN_TEST_DISPLAY") == "1" and bool(os.environ.get("DISPLAY"))
    chosen = os.environ.get("QT_QPA_PLATFORM", "")
    if marked and display and chosen in ("", "xcb"):
        os.environ["QT_QPA_PLATFORM"] = "xcb"
        return
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    reason = NO_DISPLAY if not display else f"QT_QPA_PLATFORM={chosen} asks for another screen"
    for item in marked:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def buddy_artifacts() -> Path:
    """``artifacts/buddy`` at the repository root (gitignored), for screenshots."""
    folder = ARTIFACTS / "buddy"
    folder.mkdir(parents=True, exist_ok=True)
    return folder

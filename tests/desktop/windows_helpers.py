"""Shared bits of the window tests: a realistic turn, permission requests, a keyring in
memory, and where screenshots go."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import keyring.backend
from PySide6.QtWidgets import QApplication, QWidget

from agent.events import (
    Event,
    PermissionRequested,
    TextDelta,
    ThinkingDelta,
    ToolFinished,
    ToolStarted,
    TurnFinished,
    TurnStarted,
)
from agent.usage import Usage
from tests.desktop.conftest import ARTIFACTS

HEARD = "Add a health check endpoint and run the tests"

ANSWER_CHUNKS = [
    "I added a **health check** to `app.py`:\n\n",
    '```python\n@app.get("/health")\ndef health():\n',
    '    return {"ok": True}\n```\n\n',
    "What changed:\n\n- a new route, `/health`\n",
    "- a test for it in `tests/test_app.py`\n\n",
    "The tests pass except one flaky network test.",
]
ANSWER_PLAIN = [
    "I added a health check to app.py:",
    '@app.get("/health")',
    "What changed:",
    "a new route, /health",
    "The tests pass except one flaky network test.",
]


def turn_events() -> list[Event]:
    """A turn as the runtime sends it: thinking, two tools, a failing one, the answer."""
    edit_input = {"file_path": "src/app.py", "old_string": "app = App()", "new_string": "x"}
    return [
        TurnStarted("s1", HEARD),
        ThinkingDelta("The user wants a health endpoint. "),
        ThinkingDelta("I should edit app.py, then run pytest."),
        ToolStarted("t1", "Edit", "Editing src/app.py", edit_input),
        ToolFinished(
            "t1", "Edit", "Editing src/app.py", "Edited src/app.py: 1 occurrence.", False, 12.0
        ),
        ToolStarted("t2", "Bash", "Running `pytest -q`", {"command": "pytest -q"}),
        ToolFinished("t2", "Bash", "Running `pytest -q`", "41 passed, 1 failed", True, 2400.0),
        ToolStarted("t3", "Read", "Reading tests/test_net.py", {"file_path": "tests/test_net.py"}),
        ToolFinished("t3", "Read", "Reading tests/test_net.py", "1\timport socket", False, 3.0),
        *[TextDelta(chunk) for chunk in ANSWER_CHUNKS],
        TurnFinished(
            "s1",
            "end_turn",
            "".join(ANSWER_CHUNKS),
            Usage(1200, 340, 0, 5000),
            Usage(15_200, 1_340, 2_000, 30_000),
            0.0123,
            0.0456,
        ),
    ]


def permission_request(
    name: str,
    data: dict[str, Any],
    *,
    description: str = "",
    reason: str = "writes a file inside the workspace",
    risk: str = "medium",
    always_rule: str | None = None,
) -> PermissionRequested:
    """A question as the runtime asks it, with a future nobody awaits."""
    loop = asyncio.new_event_loop()
    future: asyncio.Future[Any] = loop.create_future()
    return PermissionRequested(
        "call-1", name, description or name, data, reason, risk, always_rule, future
    )


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps passwords in a dict, so tests can see what was stored."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.passwords.pop((service, username), None)


def screenshot(widget: QWidget, name: str) -> Path:
    """Save what ``widget`` shows under ``artifacts/windows/``; returns the file."""
    folder = ARTIFACTS / "windows"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    QApplication.processEvents()  # let pending layout changes land first
    assert widget.grab().save(str(path))
    return path


def assert_floats_without_focus(widget: QWidget) -> None:
    """Frameless, on top, a tool window, translucent, shown without activation, never
    focused: what ``desktop.floating.make_floating`` promises."""
    from PySide6.QtCore import Qt

    flags = widget.windowFlags()
    for flag in (
        Qt.WindowType.Tool,
        Qt.WindowType.FramelessWindowHint,
        Qt.WindowType.WindowStaysOnTopHint,
        Qt.WindowType.WindowDoesNotAcceptFocus,
    ):
        assert flags & flag, flag
    assert widget.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert widget.testAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
    assert widget.focusPolicy() == Qt.FocusPolicy.NoFocus

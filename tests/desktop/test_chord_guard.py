"""The held push-to-talk chord does not press a dialog's focused button; Space does."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from agent.events import PermissionRequested
from desktop.windows.permission import PermissionDialog

CHORD = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier


def test_ctrl_alt_space_leaves_the_permission_dialog_open_and_space_denies(
    qtbot: Any, workspace: Path
) -> None:
    loop = asyncio.new_event_loop()
    request = PermissionRequested(
        "c1", "Bash", "Running `make`", {"command": "make"}, "runs make", "low", None,
        loop.create_future(),
    )  # fmt: skip
    dialog = PermissionDialog(request, workspace)
    qtbot.addWidget(dialog)
    answers: list[Any] = []
    dialog.answered.connect(answers.append)
    dialog.show()
    dialog.deny_button.setFocus()

    for _ in range(3):  # the key held: X11 repeats it
        qtbot.keyClick(dialog.deny_button, Qt.Key.Key_Space, CHORD)
    assert answers == []
    qtbot.keyClick(dialog.deny_button, Qt.Key.Key_Space)
    assert [a.allow for a in answers] == [False]
    loop.close()

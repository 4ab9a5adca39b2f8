from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from agent.events import PermissionAnswer
from desktop.windows.permission import DENIED, PermissionDialog
from tests.desktop.windows_helpers import permission_request, screenshot

APP_PY = "import os\n\napp = App()\napp.run()\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "proj"
    (ws / "src").mkdir(parents=True)
    (ws / "src" / "app.py").write_text(APP_PY)
    return ws


def dialog_for(qtbot: Any, workspace: Path, request: Any, **kwargs: Any) -> PermissionDialog:
    dialog = PermissionDialog(request, workspace, arm_delay_ms=kwargs.pop("arm_delay_ms", 0))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=30_000)  # it takes focus
    return dialog


def bash_request(always_rule: str | None = "Bash(pytest:*)") -> Any:
    return permission_request(
        "Bash",
        {"command": "pytest -q tests/", "timeout": 120000},
        description="Running `pytest -q tests/`",
        reason="runs a program that can change files",
        risk="high",
        always_rule=always_rule,
    )


def diff_lines(dialog: PermissionDialog) -> list[str]:
    assert dialog.diff_view is not None
    return dialog.diff_view.toPlainText().splitlines()


def test_edit_shows_a_diff_with_the_replaced_line(qtbot: Any, workspace: Path) -> None:
    request = permission_request(
        "Edit",
        {
            "file_path": "src/app.py",
            "old_string": "app = App()",
            "new_string": "app = App(debug=True)",
        },
        description="Editing src/app.py",
        always_rule="Edit(src/**)",
    )
    dialog = dialog_for(qtbot, workspace, request)

    lines = diff_lines(dialog)
    assert lines[:2] == ["--- a/src/app.py", "+++ b/src/app.py"]
    assert "-app = App()" in lines and "+app = App(debug=True)" in lines
    assert " app.run()" in lines
    assert [line for line in lines[2:] if line[:1] in "+-"] == [
        "-app = App()",
        "+app = App(debug=True)",
    ]
    assert dialog.tabs is not None and dialog.tabs.tabText(0) == "Changes  +1 −1"
    assert dialog.property("buddy_avoid") is True
    screenshot(dialog, "permission_edit")


def test_edit_with_replace_all_changes_every_occurrence(qtbot: Any, workspace: Path) -> None:
    request = permission_request(
        "Edit",
        {
            "file_path": str(workspace / "src/app.py"),
            "old_string": "app",
            "new_string": "svc",
            "replace_all": True,
        },
    )
    dialog = dialog_for(qtbot, workspace, request)

    changed = [line for line in diff_lines(dialog)[2:] if line[:1] in "+-"]
    assert changed == ["-app = App()", "-app.run()", "+svc = App()", "+svc.run()"]
    assert dialog.preview_note.text() == "Replaces 2 occurrences."


def test_write_over_a_file_diffs_against_the_disk(qtbot: Any, workspace: Path) -> None:
    new = "import os\n\napp = App()\napp.run(port=8080)\n"
    request = permission_request("Write", {"file_path": "src/app.py", "content": new})
    dialog = dialog_for(qtbot, workspace, request)

    changed = [line for line in diff_lines(dialog)[2:] if line[:1] in "+-"]
    assert changed == ["-app.run()", "+app.run(port=8080)"]


def test_write_of_a_new_file_says_so_and_shows_every_line_added(
    qtbot: Any, workspace: Path
) -> None:
    request = permission_request(
        "Write",
        {"file_path": "notes/todo.md", "content": "# Todo\n\n- ship it\n"},
        description="Writing notes/todo.md",
        always_rule=None,
    )
    dialog = dialog_for(qtbot, workspace, request)

    assert dialog.preview_note.text() == "New file."
    assert diff_lines(dialog)[0] == "--- /dev/null"
    assert diff_lines(dialog)[-3:] == ["+# Todo", "+", "+- ship it"]
    screenshot(dialog, "permission_write_new")


@pytest.mark.parametrize(
    ("setup", "data", "note"),
    [
        (
            lambda ws: (ws / "logo.png").write_bytes(b"\x89PNG\0\0\0"),
            {"old_string": "a"},
            "binary file",
        ),
        (lambda ws: None, {"old_string": "a"}, "does not exist"),
        (
            lambda ws: (ws / "logo.png").write_text("x" * 3_000_000),
            {"old_string": "a"},
            "too large",
        ),
        (lambda ws: (ws / "logo.png").write_text("abc"), {"old_string": "zzz"}, "not in the file"),
    ],
)
def test_a_file_that_cannot_be_diffed_gets_a_clear_note(
    qtbot: Any, workspace: Path, setup: Any, data: dict[str, Any], note: str
) -> None:
    setup(workspace)
    request = permission_request("Edit", {"file_path": "logo.png", "new_string": "b", **data})
    dialog = dialog_for(qtbot, workspace, request)

    assert note in dialog.preview_note.text()
    assert dialog.diff_view is None


def test_bash_shows_the_command_the_reason_and_the_risk(qtbot: Any, workspace: Path) -> None:
    dialog = dialog_for(qtbot, workspace, bash_request())

    assert dialog.command.text() == "$ pytest -q tests/"
    assert dialog.summary.text() == "Running `pytest -q tests/`"
    assert dialog.folder.text() == f"in {workspace}"
    assert dialog.why.text() == "runs a program that can change files"
    assert dialog.risk_badge.text() == "HIGH RISK"
    assert "#e0592a" in dialog.risk_badge.styleSheet()
    assert '"timeout": 120000' in dialog.input_view.toPlainText()
    assert dialog.tabs is None
    screenshot(dialog, "permission_bash")


def test_always_allow_names_the_rule_it_adds(qtbot: Any, workspace: Path) -> None:
    dialog = dialog_for(qtbot, workspace, bash_request())

    assert "Bash(pytest:*)" in dialog.always_button.toolTip()
    assert "Bash(pytest:*)" in dialog.rule_note.text()
    assert dialog.always_button.isEnabled()


def test_always_allow_is_disabled_and_explained_without_a_rule(qtbot: Any, workspace: Path) -> None:
    dialog = dialog_for(qtbot, workspace, bash_request(always_rule=None))

    assert not dialog.always_button.isEnabled()
    assert "not offered" in dialog.rule_note.text()
    with qtbot.assertNotEmitted(dialog.answered):
        qtbot.keyClick(dialog, Qt.Key.Key_L)
    screenshot(dialog, "permission_no_rule")


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (Qt.Key.Key_A, PermissionAnswer(True)),
        (Qt.Key.Key_L, PermissionAnswer(True, always=True)),
        (Qt.Key.Key_D, PermissionAnswer(False, message=DENIED)),
        (Qt.Key.Key_Escape, PermissionAnswer(False, message=DENIED)),
    ],
)
def test_each_key_gives_its_answer_once(
    qtbot: Any, workspace: Path, key: Qt.Key, expected: PermissionAnswer
) -> None:
    dialog = dialog_for(qtbot, workspace, bash_request())
    answers: list[PermissionAnswer] = []
    dialog.answered.connect(answers.append)

    qtbot.keyClick(dialog.focusWidget() or dialog, key)

    assert answers == [expected]
    assert not dialog.isVisible()
    dialog.close()
    assert answers == [expected]


def test_the_letter_keys_work_while_the_input_view_has_focus(qtbot: Any, workspace: Path) -> None:
    dialog = dialog_for(qtbot, workspace, bash_request())
    dialog.input_view.setFocus()

    with qtbot.waitSignal(dialog.answered, timeout=30_000) as answer:
        qtbot.keyClick(dialog.input_view, Qt.Key.Key_A)

    assert answer.args == [PermissionAnswer(True)]


def test_closing_the_window_denies(qtbot: Any, workspace: Path) -> None:
    dialog = dialog_for(qtbot, workspace, bash_request())

    with qtbot.waitSignal(dialog.answered, timeout=30_000) as answer:
        dialog.close()

    assert answer.args == [PermissionAnswer(False, message=DENIED)]


def test_buttons_answer_and_nothing_is_sent_to_the_agent(qtbot: Any, workspace: Path) -> None:
    request = bash_request()
    dialog = dialog_for(qtbot, workspace, request)

    with qtbot.waitSignal(dialog.answered, timeout=30_000) as answer:
        qtbot.mouseClick(dialog.always_button, Qt.MouseButton.LeftButton)

    assert answer.args == [PermissionAnswer(True, always=True)]
    assert not request.answered  # the app resolves the request, not the dialog


def test_allowing_waits_until_the_dialog_has_been_seen_but_deny_does_not(
    qtbot: Any, workspace: Path
) -> None:
    dialog = dialog_for(qtbot, workspace, bash_request(), arm_delay_ms=200)
    answers: list[PermissionAnswer] = []
    dialog.answered.connect(answers.append)

    qtbot.keyClick(dialog, Qt.Key.Key_A)  # typed into another window a moment ago
    assert answers == [] and not dialog.allow_button.isEnabled()

    qtbot.waitUntil(lambda: dialog.allow_button.isEnabled(), timeout=30_000)
    qtbot.keyClick(dialog, Qt.Key.Key_A)
    assert answers == [PermissionAnswer(True)]


def test_enter_denies(qtbot: Any, workspace: Path) -> None:
    dialog = dialog_for(qtbot, workspace, bash_request())

    with qtbot.waitSignal(dialog.answered, timeout=30_000) as answer:
        qtbot.keyClick(dialog.deny_button, Qt.Key.Key_Return)

    assert answer.args == [PermissionAnswer(False, message=DENIED)]


def test_the_dialog_comes_to_the_front(qtbot: Any, workspace: Path) -> None:
    dialog = dialog_for(qtbot, workspace, bash_request())

    assert dialog.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert QApplication.activeWindow() is dialog
    assert QApplication.focusWidget() is dialog.deny_button

"""The rules a tray session starts with: a project's own allow rules stay off until trusted,
and the tray says once how to trust them (it cannot ask a question while it starts)."""

from __future__ import annotations

import json
from pathlib import Path

from agent.permissions.settings import load_rules
from desktop.sessions import project_rules


def a_project(workspace: Path) -> Path:
    (workspace / ".harken").mkdir()
    (workspace / ".harken" / "settings.json").write_text(
        json.dumps({"permissions": {"allow": ["Bash(curl:*)"], "deny": ["Read(.env)"]}})
    )
    return workspace


def texts(rules: list) -> list[str]:
    return [rule.text for rule in rules]


def test_the_tray_notes_untrusted_allow_rules_once_and_leaves_them_off(tmp_path: Path) -> None:
    notes: list[str] = []

    rules = project_rules(a_project(tmp_path), notes.append)

    assert texts(rules.allow) == []
    assert texts(rules.deny) == ["Read(.env)"]  # deny rules never wait for trust
    assert len(notes) == 1
    assert "Bash(curl:*)" in notes[0] and "harken permissions trust" in notes[0]


def test_a_yes_to_the_question_trusts_the_rules_now_and_for_this_folder(tmp_path: Path) -> None:
    workspace = a_project(tmp_path)
    asked: list[list[str]] = []
    notes: list[str] = []

    def ask(rules: list) -> bool:
        asked.append(texts(rules))
        return True

    rules = project_rules(workspace, notes.append, ask=ask)

    assert asked == [["Bash(curl:*)"]]
    assert notes == []
    assert texts(rules.allow) == ["Bash(curl:*)"]
    assert load_rules(workspace).untrusted_allow == []  # remembered
    assert texts(project_rules(workspace, notes.append).allow) == ["Bash(curl:*)"]
    assert notes == []


def test_a_no_keeps_them_off_and_asks_again_next_time(tmp_path: Path) -> None:
    workspace = a_project(tmp_path)
    asked: list[int] = []

    def ask(rules: list) -> bool:
        asked.append(len(rules))
        return False

    assert texts(project_rules(workspace, print, ask=ask).allow) == []
    assert texts(project_rules(workspace, print, ask=ask).allow) == []
    assert asked == [1, 1]


def test_problems_in_the_rule_files_go_to_the_warning_callback(tmp_path: Path) -> None:
    (tmp_path / ".harken").mkdir()
    (tmp_path / ".harken" / "settings.json").write_text('{"permissions": {"allow": ["Bash("]}}')
    warnings: list[str] = []

    project_rules(tmp_path, print, warn=warnings.append)

    assert len(warnings) == 1

"""The tray menu and icon, offscreen: contents, rebuilding, Bypass confirmation, icons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.tray import BADGES, TrayIcon, TrayMenu, ask_bypass, state_icon
from tests.desktop.conftest import ARTIFACTS


@dataclass
class Host:
    """The app as the menu sees it; calls are recorded."""

    display: str = "idle"
    mode: str = "standard"
    paused: bool = False
    busy: bool = False
    speak_summaries: bool = True
    coordinator: bool = False
    planning: bool = False
    plan: bool = False
    buddy_visible: bool = True
    session_id: str | None = None
    sessions: list[tuple[str, str]] = field(default_factory=list)
    transcript: str = ""
    answer: str = ""
    calls: list[tuple[str, Any]] = field(default_factory=list)

    def recent_sessions(self) -> list[tuple[str, str]]:
        return self.sessions

    def last_transcript(self) -> str:
        return self.transcript

    def last_answer(self) -> str:
        return self.answer

    def has_plan(self) -> bool:
        return self.plan

    def __getattr__(self, name: str) -> Any:
        # new_session, stop, set_mode, copy_text, quit, ...: recorded, nothing else.
        return lambda *args: self.calls.append((name, args[0] if args else None))


def action(menu: Any, *path: str) -> Any:
    for text in path[:-1]:
        menu = next(a.menu() for a in menu.actions() if a.text() == text)
    return next(a for a in menu.actions() if a.text().startswith(path[-1]))


def test_the_menu_offers_the_session_controls(qtbot: Any) -> None:
    menu = TrayMenu(Host())
    assert menu.labels() == [
        "New session",
        "Resume ▸ ['No saved sessions (disabled)']",
        "Stop the current task (disabled)",
        "---",
        "[ ] Pause listening",
        "Permission mode ▸ ['[ ] Plan: read only', '[x] Standard: ask before changes', "
        "'[ ] Auto: low-risk changes in the folder', '[ ] Bypass: everything except deny rules']",
        "[x] Speak summaries",
        "[ ] Coordinator mode",
        "---",
        "Copy last transcript (disabled)",
        "Copy last answer (disabled)",
        "---",
        "Show conversation",
        "Tasks…",
        "Scheduled tasks…",
        "Plan… (disabled)",
        "Memory…",
        "[x] Show buddy",
        "Settings…",
        "Open log folder",
        "---",
        "Quit Harken",
    ]


def test_the_menu_is_rebuilt_from_the_app_each_time_it_shows(qtbot: Any) -> None:
    host = Host()
    menu = TrayMenu(host)
    host.busy, host.paused, host.mode = True, True, "auto"
    host.sessions = [("20260101-090000-aaaa", "Jan 1 09:00 · fix the tests")]
    host.session_id = "20260101-090000-aaaa"
    host.transcript, host.answer = "run the tests", "All pass."
    menu.aboutToShow.emit()

    labels = menu.labels()
    assert "Stop the current task" in labels
    assert "[x] Pause listening" in labels
    assert labels[1] == "Resume ▸ ['[x] Jan 1 09:00 · fix the tests']"
    assert "[x] Auto: low-risk changes in the folder" in labels[5]
    assert "Copy last transcript" in labels and "Copy last answer" in labels


def test_menu_entries_call_the_app(qtbot: Any) -> None:
    host = Host(sessions=[("s1", "first"), ("s2", "second")], answer="All pass.", busy=True)
    menu = TrayMenu(host)
    action(menu, "Resume", "second").trigger()
    action(menu, "Stop").trigger()
    action(menu, "Pause listening").trigger()
    action(menu, "Speak summaries").trigger()
    action(menu, "Coordinator mode").trigger()
    action(menu, "Tasks").trigger()
    action(menu, "Scheduled tasks").trigger()
    action(menu, "Memory").trigger()
    action(menu, "Copy last answer").trigger()
    action(menu, "Quit").trigger()
    assert host.calls == [
        ("resume_session", "s2"),
        ("stop", None),
        ("set_paused", True),
        ("set_speak_summaries", False),
        ("set_coordinator", True),
        ("show_tasks", None),
        ("show_scheduled_tasks", None),
        ("show_memory", None),
        ("copy_text", "All pass."),
        ("quit", None),
    ]


def test_bypass_asks_first_and_a_refusal_keeps_the_mode(qtbot: Any) -> None:
    host = Host()
    answers = [False, True]
    asked: list[bool] = []

    def confirm(parent: Any) -> bool:
        asked.append(True)
        return answers.pop(0)

    menu = TrayMenu(host, confirm_bypass=confirm)
    action(menu, "Permission mode", "Bypass").trigger()
    assert host.calls == [] and len(asked) == 1
    menu.aboutToShow.emit()
    action(menu, "Permission mode", "Bypass").trigger()
    assert host.calls == [("set_mode", "bypass")]
    menu.aboutToShow.emit()
    action(menu, "Permission mode", "Plan").trigger()  # leaving Bypass needs no question
    assert host.calls[-1] == ("set_mode", "plan") and len(asked) == 2


@pytest.mark.parametrize(("button", "expected"), [("Yes", True), ("Cancel", False)])
def test_the_bypass_question_is_a_warning_dialog(qtbot: Any, button: str, expected: bool) -> None:
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.text())
        box.button(getattr(QMessageBox.StandardButton, button)).click()

    QTimer.singleShot(50, answer)
    assert ask_bypass(None) is expected
    assert "without asking" in seen[0]


def test_each_state_has_its_own_icon_and_the_tray_switches_to_it(qtbot: Any) -> None:
    images = {state: state_icon(state).pixmap(22, 22).toImage() for state in BADGES}
    assert len({img.cacheKey() for img in images.values()}) == len(BADGES)
    for state, image in images.items():
        others = [s for s in BADGES if s != state]
        assert all(image != images[o] for o in others), state

    tray = TrayIcon(TrayMenu(Host()))
    tray.set_state("listening")
    assert tray.icon.icon().pixmap(22, 22).toImage() == images["listening"]
    assert tray.icon.toolTip() == "Harken: listening"
    tray.set_state("waiting", "Harken: allow Write notes.txt?")
    assert tray.icon.toolTip() == "Harken: allow Write notes.txt?"

    # A strip of every state's icon, to look at.
    folder = ARTIFACTS / "tray"
    folder.mkdir(parents=True, exist_ok=True)
    from PySide6.QtGui import QImage, QPainter

    strip = QImage(70 * len(images), 64, QImage.Format.Format_ARGB32)
    strip.fill(0xFFDDDDDD)
    painter = QPainter(strip)
    for i, state in enumerate(images):
        painter.drawPixmap(70 * i + 3, 0, state_icon(state).pixmap(64, 64))
    painter.end()
    strip.save(str(folder / "state-icons.png"))

"""The tray icon and its menu: Harken's face when no window is open.

    state_icon(name)        the Harken icon with a badge for ``name`` (see ``BADGES``)
    TrayMenu(host)          the menu, rebuilt from ``host`` every time it is about to show
    TrayIcon(menu)          the QSystemTrayIcon: set_state(name, tooltip), notify(...)

The menu reads everything it shows from a ``TrayHost`` (the app's controller) and calls
it back; it keeps no state of its own, so what it shows is never stale (as in Vorta, the
menu is rebuilt on ``aboutToShow``). Switching to Bypass asks for confirmation first; the
question is a callable so tests can answer it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QMessageBox, QSystemTrayIcon, QWidget

log = logging.getLogger(__name__)

ICON_FILE = Path(__file__).resolve().parent.parent / "resources" / "icons" / "harken.svg"
SIZES = (16, 22, 24, 32, 48, 64)
MODES = (
    ("plan", "Plan: read only"),
    ("standard", "Standard: ask before changes"),
    ("auto", "Auto: low-risk changes in the folder"),
    ("bypass", "Bypass: everything except deny rules"),
)
BYPASS_WARNING = (
    "In Bypass mode Harken runs every tool without asking: it can change and delete "
    "files and run any command, except what your deny rules and protected paths forbid.\n\n"
    "Switch to Bypass?"
)

# The badge for each state: its colour and the mark drawn on it (None: no badge).
BADGES: dict[str, tuple[str, str] | None] = {
    "idle": None,
    "listening": ("#e5383b", "dot"),
    "transcribing": ("#f59f00", "dots"),
    "working": ("#1c7ed6", "dots"),
    "waiting": ("#f76707", "question"),
    "speaking": ("#2f9e44", "bars"),
    "error": ("#c92a2a", "bang"),
    "paused": ("#868e96", "pause"),
}
TOOLTIPS = {
    "idle": "Harken: hold the hotkey and speak",
    "listening": "Harken: listening",
    "transcribing": "Harken: transcribing",
    "working": "Harken: working",
    "waiting": "Harken: waiting for your permission",
    "speaking": "Harken: speaking",
    "error": "Harken: something went wrong",
    "paused": "Harken: listening paused",
}

_icons: dict[str, QIcon] = {}


def state_icon(state: str) -> QIcon:
    """The Harken icon with the badge for ``state`` (cached)."""
    if state not in _icons:
        base = QIcon(str(ICON_FILE))
        if BADGES.get(state) is None:
            _icons[state] = base  # drawn when the tray asks, at the size it wants
            return base
        icon = QIcon()
        for size in SIZES:
            pixmap = base.pixmap(size, size)
            badge = BADGES.get(state)
            if badge is not None:
                _paint_badge(pixmap, *badge)
            icon.addPixmap(pixmap)
        _icons[state] = icon
    return _icons[state]


def _paint_badge(pixmap: QPixmap, colour: str, mark: str) -> None:
    size = pixmap.width() / pixmap.devicePixelRatio()
    d = size * 0.58  # big enough to read at 16 px
    box = QRectF(size - d, size - d, d, d)
    p = QPainter(pixmap)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(QColor("white"), max(1.0, size / 16)))
    p.setBrush(QColor(colour))
    p.drawEllipse(box.adjusted(0.5, 0.5, -0.5, -0.5))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("white"))
    c, u = box.center(), d / 10
    if mark == "dot":
        p.drawEllipse(c, 2.2 * u, 2.2 * u)
    elif mark == "dots":
        for dx in (-2.6, 0, 2.6):
            p.drawEllipse(QPointF(c.x() + dx * u, c.y()), 1.1 * u, 1.1 * u)
    elif mark == "bars":
        for dx, h in ((-2.6, 2.0), (0, 3.6), (2.6, 2.0)):
            p.drawRect(QRectF(c.x() + (dx - 0.8) * u, c.y() - h * u, 1.6 * u, 2 * h * u))
    elif mark == "pause":
        for dx in (-1.6, 1.6):
            p.drawRect(QRectF(c.x() + (dx - 0.8) * u, c.y() - 3 * u, 1.6 * u, 6 * u))
    elif mark in ("bang", "question"):
        font = p.font()
        font.setBold(True)
        font.setPixelSize(max(6, round(d * 0.8)))
        p.setFont(font)
        p.setPen(QColor("white"))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, "!" if mark == "bang" else "?")
    p.end()


class TrayHost(Protocol):
    """What the menu needs from the app."""

    display: str  # the state's icon name
    mode: str
    paused: bool
    busy: bool
    speak_summaries: bool
    coordinator: bool
    buddy_visible: bool
    planning: bool  # a plan is being made in the background
    session_id: str | None

    def recent_sessions(self) -> Sequence[tuple[str, str]]: ...  # (id, label)
    def last_transcript(self) -> str: ...
    def last_answer(self) -> str: ...
    def new_session(self) -> None: ...
    def resume_session(self, session_id: str) -> None: ...
    def stop(self) -> None: ...
    def set_paused(self, paused: bool) -> None: ...
    def set_mode(self, mode: str) -> None: ...
    def set_speak_summaries(self, on: bool) -> None: ...
    def set_coordinator(self, on: bool) -> None: ...
    def copy_text(self, text: str) -> None: ...
    def undo_last_turn(self) -> None: ...  # preview, then restore (desktop.windows.undo_preview)
    def show_conversation(self) -> None: ...
    def show_tasks(self) -> None: ...
    def show_scheduled_tasks(self) -> None: ...
    def has_plan(self) -> bool: ...
    def show_plan(self) -> None: ...
    def show_memory(self) -> None: ...
    def set_buddy_visible(self, visible: bool) -> None: ...
    def show_settings(self) -> None: ...
    def open_log_folder(self) -> None: ...
    def quit(self) -> None: ...


def ask_bypass(parent: QWidget | None) -> bool:
    answer = QMessageBox.warning(
        parent,
        "Switch to Bypass mode?",
        BYPASS_WARNING,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class TrayMenu(QMenu):
    """The session-control menu, rebuilt from the host on every show."""

    def __init__(
        self,
        host: TrayHost,
        *,
        confirm_bypass: Callable[[QWidget | None], bool] = ask_bypass,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.host = host
        self.confirm_bypass = confirm_bypass
        self._submenus: list[QMenu] = []
        self.aboutToShow.connect(self.rebuild)
        self.rebuild()

    def rebuild(self) -> None:
        self.clear()
        for submenu in self._submenus:  # clear() keeps them alive as children
            submenu.deleteLater()
        self._submenus = []
        host = self.host
        self._add("New session", host.new_session)
        resume = self._submenu("Resume")
        sessions = list(host.recent_sessions())
        for session_id, label in sessions:
            action = resume.addAction(label)
            action.setCheckable(True)
            action.setChecked(session_id == host.session_id)
            action.triggered.connect(lambda _=False, s=session_id: host.resume_session(s))
        if not sessions:
            resume.addAction("No saved sessions").setEnabled(False)
        self._add("Stop the current task", host.stop, enabled=host.busy)
        self.addSeparator()
        pause = self._add("Pause listening", lambda on: host.set_paused(on))
        pause.setCheckable(True)
        pause.setChecked(host.paused)
        modes = self._submenu("Permission mode")
        group = QActionGroup(modes)
        for mode, label in MODES:
            action = modes.addAction(label)
            action.setCheckable(True)
            action.setChecked(mode == host.mode)
            action.setData(mode)
            group.addAction(action)
            action.triggered.connect(lambda _=False, m=mode: self._choose_mode(m))
        speak = self._add("Speak summaries", lambda on: host.set_speak_summaries(on))
        speak.setCheckable(True)
        speak.setChecked(host.speak_summaries)
        if isinstance(talk := getattr(host, "conversation_mode", None), bool):  # desktop.talk
            listen = self._add("Conversation mode", lambda on: host.set_conversation_mode(on))
            listen.setCheckable(True)
            listen.setChecked(talk)
            listen.setToolTip("After a spoken reply, listen for the next request without the key")
        coordinator = self._add("Coordinator mode", lambda on: host.set_coordinator(on))
        coordinator.setCheckable(True)
        coordinator.setChecked(host.coordinator)
        coordinator.setToolTip("Each request runs as a job split over parallel workers")
        self.addSeparator()
        transcript, answer = host.last_transcript(), host.last_answer()
        copy = host.copy_text
        self._add("Copy last transcript", lambda: copy(transcript), enabled=bool(transcript))
        self._add("Copy last answer", lambda: host.copy_text(answer), enabled=bool(answer))
        replies = getattr(host, "replies", None)  # desktop.replies, once the voice is there
        if callable(getattr(replies, "fill_menu", None)):
            replies.fill_menu(self._submenu("Spoken replies"), answer)
        if host.session_id:  # the files the last turn changed, previewed before the restore
            changed = _last_turn_changed_files(host.session_id)
            undo = self._add("Undo last turn's changes…", host.undo_last_turn, enabled=changed)
            if not changed:
                undo.setToolTip("The last turn changed no files: there is nothing to undo")
        self.addSeparator()
        self._add("Show conversation", host.show_conversation)
        self._add("Tasks…", host.show_tasks)
        self._add("Scheduled tasks…", host.show_scheduled_tasks)
        if host.planning:
            self._add("Planning…", host.show_plan, enabled=False)
        else:
            self._add("Plan…", host.show_plan, enabled=host.has_plan())
        self._add("Memory…", host.show_memory)
        buddy = self._add("Show buddy", lambda on: host.set_buddy_visible(on))
        buddy.setCheckable(True)
        buddy.setChecked(host.buddy_visible)
        self._add("Settings…", host.show_settings)
        self._add("Open log folder", host.open_log_folder)
        self.addSeparator()
        self._add("Quit Harken", host.quit)

    def _submenu(self, title: str) -> QMenu:
        submenu = self.addMenu(title)
        self._submenus.append(submenu)
        return submenu

    def _add(self, text: str, slot: Callable[..., None], *, enabled: bool = True) -> QAction:
        action = self.addAction(text)
        action.setEnabled(enabled)
        # Checkable actions pass their new state; the others are called without arguments.
        action.triggered.connect(lambda checked=False: _call(slot, action, checked))
        return action

    def _choose_mode(self, mode: str) -> None:
        if mode == self.host.mode:
            return
        if mode == "bypass" and not self.confirm_bypass(self.parentWidget()):
            return
        self.host.set_mode(mode)

    def labels(self) -> list[str]:
        """The menu's entries as text, submenus as ``Name ▸ [...]`` (for tests and logs)."""
        return _labels(self)


def _last_turn_changed_files(session_id: str) -> bool:
    """Whether undoing the last turn of ``session_id`` would restore anything (its
    checkpoints, as the undo's preview lists them); True when that cannot be read, so
    the preview says what is wrong."""
    try:
        from desktop.windows.undo_preview import preview_lines

        return bool(preview_lines(session_id, 1, None)[1])
    except Exception:  # a damaged or newer checkpoint store: let the preview explain
        log.debug("could not read the checkpoints of %s", session_id, exc_info=True)
        return True


def _call(slot: Callable[..., None], action: QAction, checked: bool) -> None:
    if action.isCheckable():
        slot(checked)
    else:
        slot()


def _labels(menu: QMenu) -> list[str]:
    out: list[str] = []
    for action in menu.actions():
        if action.isSeparator():
            out.append("---")
        elif action.menu() is not None:
            out.append(f"{action.text()} ▸ {_labels(action.menu())}")
        else:
            mark = "[x] " if action.isChecked() else "[ ] " if action.isCheckable() else ""
            off = " (disabled)" if not action.isEnabled() else ""
            out.append(f"{mark}{action.text()}{off}")
    return out


class TrayIcon(QObject):
    """The icon in the system tray; a left click asks for the conversation window.
    The menu may come later (``set_menu``): the icon goes up before the app is built."""

    clicked = Signal()
    message_clicked = Signal()  # a notification was clicked

    def __init__(self, menu: QMenu | None = None) -> None:
        super().__init__()
        self.state = "idle"
        self.icon = QSystemTrayIcon(state_icon("idle"))
        self.icon.setToolTip(TOOLTIPS["idle"])
        if menu is not None:
            self.set_menu(menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self.message_clicked)

    def set_menu(self, menu: QMenu) -> None:
        self.icon.setContextMenu(menu)

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_state(self, state: str, tooltip: str = "") -> None:
        if state != self.state:
            self.state = state
            self.icon.setIcon(state_icon(state))
        self.icon.setToolTip(tooltip or TOOLTIPS.get(state, "Harken"))

    def notify(self, title: str, message: str, *, error: bool = False) -> None:
        kind = QSystemTrayIcon.MessageIcon
        self.icon.showMessage(title, message, kind.Warning if error else kind.Information, 6000)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.clicked.emit()

"""The settings window's "MCP servers" section: what is configured and how each server is.

    McpServersSection(workspace, statuses=None, background=None)
    section.watch(on)        re-read every REFRESH_MS while on (the window is shown)
    section.refresh()        read now (off the GUI thread); ``updated`` follows on it
    section.row_text(name)   what a row says, as a person reads it

Each configured server (``agent.mcp.config``: the user's mcp.json and the workspace's
.mcp.json) is a row: its name, scope, transport, command or URL, status and tool count.
The status comes from ``statuses(workspace)`` (the tray's ``AgentBridge.mcp_statuses``,
which reads it on the agent thread, where the servers live): starting, ready, failed with
its one-line reason. A project's set the user has not trusted is listed as not trusted and
never started from here; "Trust…" records trust as ``harken mcp trust`` does, after a
confirmation that names every command, and the servers start at Harken's next launch.

Both reads happen on a worker (``desktop.background``), never on the GUI thread; the rows
are rebuilt only when what they say changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.background import Background
from desktop.windows.style import Theme, css, text_font, theme

log = logging.getLogger(__name__)

REFRESH_MS = 1000  # how often a shown window re-reads the statuses
LANE = "mcp-status"  # one read at a time, in order
NOT_TRUSTED = "not trusted — run harken mcp trust"
# The connection's words -> the words people see here.
STATUS_WORDS = {"connected": "ready", "stopped": "stopped", "starting": "starting"}

StatusReader = Callable[[Path], "list[Any] | None"]


@dataclass(frozen=True)
class ServerRow:
    """One configured server as the section shows it."""

    name: str
    scope: str
    transport: str
    target: str  # the command line or the URL (never env values or headers)
    status: str  # starting, ready, failed, stopped, not started, not trusted, configured
    tools: int = 0
    reason: str = ""


@dataclass(frozen=True)
class Snapshot:
    """What the section shows: its rows, config problems, and the set awaiting trust."""

    rows: tuple[ServerRow, ...] = ()
    warnings: tuple[str, ...] = ()
    workspace: Path = Path()
    # The project's entries as written, when they wait for trust (what "Trust…" covers).
    untrusted_entries: dict[str, Any] = field(default_factory=dict, compare=False)
    untrusted_lines: tuple[str, ...] = ()  # "name: command", for the confirmation


def read_snapshot(workspace: Path, statuses: StatusReader | None) -> Snapshot:
    """The configured servers of ``workspace`` with their live status (any thread but the
    GUI's: ``statuses`` waits for the agent thread)."""
    from agent.mcp.config import load_servers

    loaded = load_servers(workspace)
    live_list = statuses(workspace) if statuses is not None else None
    live = {s.name: s for s in live_list or []}
    rows: list[ServerRow] = []
    for server in loaded.servers:
        target = server.describe()
        status = live.get(server.name)
        if status is None or status.scope != server.scope:
            # No agent to ask (status unknown), or configured after the servers started.
            word = "configured" if statuses is None else "not started"
            reason = "starts at Harken's next launch" if live_list is not None else ""
            row = ServerRow(server.name, server.scope, server.transport, target, word, 0, reason)
            rows.append(row)
            continue
        word = STATUS_WORDS.get(status.status, status.status)
        rows.append(
            ServerRow(
                server.name,
                server.scope,
                server.transport,
                target,
                word,
                status.tools,
                status.error if word == "failed" else "",
            )
        )
    for server in loaded.untrusted:
        rows.append(
            ServerRow(server.name, server.scope, server.transport, server.describe(), "not trusted")
        )
    return Snapshot(
        tuple(rows),
        tuple(loaded.warnings),
        Path(workspace),
        dict(loaded.project_entries) if loaded.untrusted else {},
        tuple(f"{s.name}: {s.describe()}" for s in loaded.untrusted),
    )


class McpServersSection(QWidget):
    """The list of MCP servers, kept current while the window is shown."""

    updated = Signal()  # after the rows were rebuilt (something they say changed)

    def __init__(
        self,
        workspace: Callable[[], Path],
        statuses: StatusReader | None = None,
        background: Background | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.statuses = statuses
        self.background = background or Background(workers=1)
        if background is None:
            # Ours: destroyed with the window, on the GUI thread, never by a garbage
            # collection that happens to run on some other thread.
            self.background.setParent(self)
            self.destroyed.connect(self.background.shutdown)  # a late read brings nothing back
        self.colours: Theme = theme()
        self.snapshot: Snapshot | None = None
        self._reading = False
        self._rows: dict[str, QWidget] = {}
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)

        self.list = QVBoxLayout()
        self.list.setContentsMargins(0, 0, 0, 0)
        self.list.setSpacing(8)
        self.empty = self._muted("Reading the MCP configuration…")
        self.trust_line = QLabel(f"This folder's .mcp.json: {NOT_TRUSTED}")
        self.trust_line.setWordWrap(True)
        self.trust_line.setStyleSheet(f"color: {css(self.colours.warn)};")
        self.trust_button = QPushButton("Trust…")
        self.trust_button.setToolTip("Trust this folder's servers, as `harken mcp trust` does")
        self.trust_button.clicked.connect(self.ask_trust)
        trust_row = QHBoxLayout()
        trust_row.setContentsMargins(0, 0, 0, 0)
        trust_row.addWidget(self.trust_line, 1)
        trust_row.addWidget(self.trust_button, 0, Qt.AlignmentFlag.AlignTop)
        self.trust_box = QWidget()
        self.trust_box.setLayout(trust_row)
        self.trust_box.hide()
        self.warnings = self._muted("")
        self.warnings.setStyleSheet(f"color: {css(self.colours.error)};")
        self.warnings.hide()
        self.footer = self._muted(
            "From your mcp.json and this workspace's .mcp.json; add one with `harken mcp add`."
        )

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        outer.addWidget(self.empty)
        outer.addLayout(self.list)
        outer.addWidget(self.trust_box)
        outer.addWidget(self.warnings)
        outer.addWidget(self.footer)

    # ---- reading -----------------------------------------------------------------------

    def watch(self, on: bool) -> None:
        """Keep the list current (read now, then every REFRESH_MS), or stop."""
        if on:
            self.refresh()
            self.timer.start()
        else:
            self.timer.stop()

    def refresh(self) -> None:
        """Read the configuration and the statuses off the GUI thread, unless a read is
        under way (a slow agent thread must not pile reads up)."""
        if self._reading:
            return
        self._reading = True
        workspace, statuses = self.workspace(), self.statuses
        self.background.run(
            lambda: read_snapshot(workspace, statuses), self._show, self._failed, lane=LANE
        )

    def _failed(self, exc: BaseException) -> None:
        self._reading = False
        log.debug("reading the MCP servers' statuses failed: %s", exc)  # next tick tries again

    def _show(self, snapshot: Snapshot) -> None:
        self._reading = False
        if snapshot == self.snapshot:
            return
        self.snapshot = snapshot
        for widget in self._rows.values():
            self.list.removeWidget(widget)
            widget.deleteLater()
        self._rows = {}
        for row in snapshot.rows:
            widget = self._row(row)
            self._rows[row.name if row.name not in self._rows else f"{row.name}/{row.scope}"] = (
                widget
            )
            self.list.addWidget(widget)
        self.empty.setText("No MCP servers configured." if not snapshot.rows else "")
        self.empty.setVisible(not snapshot.rows)
        self.trust_box.setVisible(bool(snapshot.untrusted_lines))
        self.warnings.setText("\n".join(snapshot.warnings))
        self.warnings.setVisible(bool(snapshot.warnings))
        self.updated.emit()

    # ---- what people see ---------------------------------------------------------------

    def row_text(self, name: str) -> str:
        """The words of ``name``'s row, as shown ("" when there is no such row)."""
        widget = self._rows.get(name)
        if widget is None:
            return ""
        return " ".join(label.text() for label in widget.findChildren(QLabel) if label.text())

    def _row(self, row: ServerRow) -> QWidget:
        cell = QWidget()
        line = QHBoxLayout(cell)
        line.setContentsMargins(0, 0, 0, 0)
        line.setSpacing(12)
        name = QLabel(row.name)
        name.setFont(text_font(1.0, bold=True))
        name.setFixedWidth(150)
        name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status = QLabel(_status_text(row))
        status.setWordWrap(True)
        status.setTextFormat(Qt.TextFormat.PlainText)
        status.setStyleSheet(f"color: {css(self._status_colour(row.status))};")
        detail = self._muted(f"{row.scope} · {row.transport} · {row.target}")
        detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        words = QVBoxLayout()
        words.setContentsMargins(0, 0, 0, 0)
        words.setSpacing(2)
        words.addWidget(status)
        words.addWidget(detail)
        line.addWidget(name, 0, Qt.AlignmentFlag.AlignTop)
        line.addLayout(words, 1)
        return cell

    def _muted(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setFont(text_font(0.9))
        label.setStyleSheet(f"color: {css(self.colours.muted)};")
        return label

    def _status_colour(self, status: str) -> Any:
        c = self.colours
        return {"ready": c.ok, "failed": c.error, "not trusted": c.warn}.get(status, c.muted)

    # ---- trust -------------------------------------------------------------------------

    def ask_trust(self) -> bool:
        """Ask, naming every command, then trust exactly the set shown (as ``harken mcp
        trust`` does). True when trusted."""
        snapshot = self.snapshot
        if snapshot is None or not snapshot.untrusted_lines:
            return False
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Trust this folder's MCP servers?")
        box.setText(f"{snapshot.workspace}/.mcp.json wants to start these programs:")
        box.setInformativeText(
            "\n".join(snapshot.untrusted_lines)
            + "\n\nThey run with your permissions. Trust them only if you trust this folder."
        )
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if box.exec() != QMessageBox.StandardButton.Yes:
            return False
        from agent.mcp.trust import trust  # pydantic comes with it: only now

        try:
            trust(snapshot.workspace, snapshot.untrusted_entries)
        except OSError as exc:
            self.trust_line.setText(f"Could not record the trust: {exc}")
            return False
        self.refresh()
        return True


def _status_text(row: ServerRow) -> str:
    if row.status == "not trusted":
        return NOT_TRUSTED
    text = row.status
    if row.status == "ready":
        text += f" · {row.tools} tool" + ("" if row.tools == 1 else "s")
    if row.reason:
        text += f" — {row.reason}"
    return text

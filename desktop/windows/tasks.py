"""The tasks window: the subagents and coordinator workers of the running job.

    window = TasksWindow()
    window.on_task(update)          a ``task`` event (``agent.agents.events.TaskUpdate``)
    window.stop_requested(str)      the Stop button of a task was pressed (its task id)
    window.rows()                   what each row shows, as text (tests, logs)

One row per task: description, agent type, status (with its latest step while it runs),
elapsed time, cost and a Stop button. Running rows count their elapsed time on between
updates (a one-second timer, only while something runs and the window is open); a
finished row keeps its last status, and its summary shows as the status's tooltip, until
"Clear finished". The window only shows and asks: stopping is the app's
(``AgentBridge.stop_task``), and the row changes when the task's next event says so.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from agent.agents.events import TaskUpdate

COLUMNS = ("Task", "Agent", "Status", "Elapsed", "Cost", "")
TICK_MS = 1000
RUNNING = "running"


@dataclass(frozen=True)
class TaskRow:
    """One row as people read it."""

    task_id: str
    description: str
    agent_type: str
    status: str
    elapsed: str
    cost: str
    can_stop: bool


@dataclass
class _Task:
    update: TaskUpdate
    seen_at: float  # the clock when ``update`` came: elapsed counts on from there
    stopping: bool = False


class TasksWindow(QWidget):
    """Every subagent and worker of this app run, newest last."""

    stop_requested = Signal(str)

    def __init__(
        self, parent: QWidget | None = None, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Harken tasks")
        self.resize(720, 280)
        self._clock = clock
        self._tasks: dict[str, _Task] = {}
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column in (1, 3, 4, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = QLabel("No subagents or workers yet. They show here while a job runs.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.summary = QLabel("")
        self.clear_button = QPushButton("Clear finished")
        self.clear_button.clicked.connect(self.clear_finished)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._refresh()

    # -- what the app calls ---------------------------------------------------------------

    def on_task(self, update: TaskUpdate) -> None:
        """Show ``update``: a new row for a new task, else its row changes."""
        known = self._tasks.get(update.task_id)
        stopping = known is not None and known.stopping and update.status == RUNNING
        self._tasks[update.task_id] = _Task(update, self._clock(), stopping)
        self._refresh()

    def rows(self) -> list[TaskRow]:
        """Each row's text, in the order shown."""
        now = self._clock()
        return [
            TaskRow(
                task.update.task_id,
                task.update.description,
                task.update.agent_type,
                _status(task),
                elapsed_text(_elapsed(task, now)),
                cost_text(task.update.cost_usd),
                task.update.status == RUNNING and not task.stopping,
            )
            for task in self._tasks.values()
        ]

    def stop_button(self, task_id: str) -> QPushButton:
        """The Stop button of ``task_id``'s row."""
        row = list(self._tasks).index(task_id)
        button = self.table.cellWidget(row, len(COLUMNS) - 1)
        assert isinstance(button, QPushButton)
        return button

    def clear_finished(self) -> None:
        """Forget the rows of tasks that have ended."""
        self._tasks = {k: t for k, t in self._tasks.items() if t.update.status == RUNNING}
        self._refresh()

    # -- drawing --------------------------------------------------------------------------

    def _stop(self, task_id: str) -> None:
        task = self._tasks.get(task_id)
        if task is None or task.update.status != RUNNING or task.stopping:
            return
        task.stopping = True  # until its next event says it has stopped
        self._refresh()
        self.stop_requested.emit(task_id)

    def _refresh(self) -> None:
        rows = self.rows()
        self.table.setRowCount(len(rows))
        for index, row in enumerate(rows):
            update = self._tasks[row.task_id].update
            cells = (row.description, row.agent_type, row.status, row.elapsed, row.cost)
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 2 and update.summary:
                    item.setToolTip(update.summary)
                elif column == 0:
                    item.setToolTip(f"{update.description} ({update.task_id})")
                self.table.setItem(index, column, item)
            button = self.table.cellWidget(index, len(COLUMNS) - 1)
            if not isinstance(button, QPushButton) or button.property("task") != row.task_id:
                button = QPushButton("Stop")
                button.setProperty("task", row.task_id)
                button.clicked.connect(lambda _=False, t=row.task_id: self._stop(t))
                self.table.setCellWidget(index, len(COLUMNS) - 1, button)
            button.setEnabled(row.can_stop)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        running = [r for r in rows if self._tasks[r.task_id].update.status == RUNNING]
        total = sum(t.update.cost_usd for t in self._tasks.values())
        self.summary.setText(f"{len(running)} running · {cost_text(total)} in all")
        self.clear_button.setEnabled(len(running) < len(rows))
        if running and not self._timer.isActive():
            self._timer.start()
        elif not running:
            self._timer.stop()

    def _tick(self) -> None:
        if not self.isVisible():
            return  # nothing to see; the rows are right again when it shows
        now = self._clock()
        for index, task in enumerate(self._tasks.values()):
            if task.update.status == RUNNING:
                item = self.table.item(index, 3)
                if item is not None:
                    item.setText(elapsed_text(_elapsed(task, now)))

    def showEvent(self, event: QShowEvent) -> None:
        self._refresh()
        super().showEvent(event)


def _elapsed(task: _Task, now: float) -> float:
    if task.update.status != RUNNING:
        return task.update.elapsed_s
    return task.update.elapsed_s + max(0.0, now - task.seen_at)


def _status(task: _Task) -> str:
    update = task.update
    if task.stopping:
        return "stopping…"
    if update.status == RUNNING and update.activity:
        return f"running · {update.activity}"
    return update.status


def elapsed_text(seconds: float) -> str:
    """``7s``, ``2m 05s``, ``1h 02m``."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def cost_text(cost: float) -> str:
    """``$0.0123`` (four places: a worker's cost is often under a cent)."""
    return f"${cost:.4f}"

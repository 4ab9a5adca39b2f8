"""The scheduled-tasks window: prompts that run on a schedule, listed, added, run, removed.

    window = ScheduledTasksWindow(run_now=..., who_runs=...)
    window.refresh()          read tasks.json again (also on show and every REFRESH_MS)
    window.rows()             what each row shows, as text (tests, logs)
    window.added(Task)        a task was added here

One row per task: name, schedule (the cron expression and how it reads: "Every weekday
at 9:00"), folder, mode, next run, last run with its status (its last summary and the
prompt as the row's tooltip). Below, a form adds a task: the prompt, the schedule checked
as it is typed (a clear error, and Add stays off, until it is a valid five-field
expression), the folder (typed or picked) and the permission mode. The list is the one
``harken tasks`` and ``harken daemon`` use (``agent.tasks.store``), so a task added from
the shell shows here on refresh. Running and removing go through the app (``run_now``),
which runs the task off the GUI thread. (The "Tasks" window of ``desktop.windows.tasks``
is another one: the subagents of the running request.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.cron_reading import describe
from desktop.windows.style import css, theme

if TYPE_CHECKING:
    from agent.tasks.model import Task

log = logging.getLogger(__name__)

COLUMNS = ("Name", "Schedule", "Folder", "Mode", "Next run", "Last run")
MODES = ("standard", "plan", "auto", "bypass")
REFRESH_MS = 10_000  # while open: tasks added from the shell, runs that ended
CRON_HINT = "five fields: minute hour day-of-month month day-of-week, e.g. 0 9 * * 1-5"


@dataclass(frozen=True)
class ScheduledRow:
    """One row as people read it."""

    task_id: str
    name: str
    schedule: str
    folder: str
    mode: str
    next_run: str
    last_run: str


def when(moment: datetime | str | None) -> str:
    """A time as the window shows it: "Mon 30 Nov 09:00"."""
    if not moment:
        return ""
    if isinstance(moment, str):
        from agent.tasks.model import parse_iso

        moment = parse_iso(moment)
    return moment.astimezone().strftime("%a %d %b %H:%M")


def schedule_text(cron: str) -> str:
    """The cron expression and its plain-English reading: "0 9 * * 1-5 · Every weekday at 9:00"."""
    reading = describe(cron)
    return f"{cron} · {reading}" if reading else cron


def pick_folder(parent: QWidget, start: str) -> str:
    return QFileDialog.getExistingDirectory(parent, "The task's folder", start)


def ask_remove(parent: QWidget, name: str) -> bool:
    answer = QMessageBox.question(parent, "Remove task", f"Remove the scheduled task “{name}”?")
    return answer == QMessageBox.StandardButton.Yes


class ScheduledTasksWindow(QWidget):
    """The user's scheduled tasks, with a form to add one."""

    added = Signal(object)  # the Task added here

    def __init__(
        self,
        *,
        run_now: Callable[[str], None] | None = None,
        who_runs: Callable[[], str] | None = None,
        folder: Path | None = None,
        choose_folder: Callable[[QWidget, str], str] = pick_folder,
        confirm_remove: Callable[[QWidget, str], bool] = ask_remove,
    ) -> None:
        super().__init__()
        self.setWindowTitle("Harken scheduled tasks")
        self.resize(900, 520)
        self._run_now = run_now
        self._who_runs = who_runs
        self._choose_folder = choose_folder
        self._confirm_remove = confirm_remove
        self._tasks: list[Task] = []
        colours = theme()
        self._bad, self._good = css(colours.error), css(colours.muted)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.problem = QLabel()  # the tasks file cannot be read: why
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {self._bad}")
        self.problem.hide()
        self.status = QLabel()  # who runs the tasks when they are due
        self.status.setStyleSheet(f"color: {self._good}")

        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.run_button = QPushButton("Run now")
        self.run_button.clicked.connect(self._run_selected)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self._remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        for button in (self.refresh_button, self.run_button, self.remove_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        layout.addWidget(self._build_form(folder or Path.cwd()))
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._selection_changed()
        self.check_form()

    def _build_form(self, folder: Path) -> QGroupBox:
        box = QGroupBox("New task")
        form = QFormLayout(box)
        self.prompt = QPlainTextEdit()
        self.prompt.setPlaceholderText("What the task asks, e.g. summarise what changed overnight")
        self.prompt.setFixedHeight(56)
        self.prompt.textChanged.connect(self.check_form)
        self.name = QLineEdit()
        self.name.setPlaceholderText("(the prompt's first words)")
        self.cron = QLineEdit()
        self.cron.setPlaceholderText("0 9 * * 1-5")
        self.cron.textChanged.connect(self.check_form)
        self.cron_reading = QLabel(CRON_HINT)  # how it reads, or what is wrong with it
        self.cron_reading.setWordWrap(True)
        self.folder = QLineEdit(str(folder))
        self.folder.textChanged.connect(self.check_form)
        choose = QPushButton("Choose…")
        choose.clicked.connect(self._choose)
        where = QHBoxLayout()
        where.addWidget(self.folder, 1)
        where.addWidget(choose)
        self.mode = QComboBox()
        self.mode.addItems(list(MODES))
        self.add_button = QPushButton("Add task")
        self.add_button.clicked.connect(self.add)
        self.form_error = QLabel()
        self.form_error.setWordWrap(True)
        self.form_error.setStyleSheet(f"color: {self._bad}")
        form.addRow("Prompt", self.prompt)
        form.addRow("Name", self.name)
        form.addRow("Schedule (cron)", self.cron)
        form.addRow("", self.cron_reading)
        form.addRow("Folder", where)
        form.addRow("Mode", self.mode)
        form.addRow(self.form_error, self.add_button)
        return box

    # -- the list -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the task list again (the CLI or the daemon may have changed it)."""
        from agent.tasks.model import TaskError
        from agent.tasks.model import now as local_now
        from agent.tasks.schedule import next_run
        from agent.tasks.store import TaskStore

        selected = self.selected_id()
        try:
            # A task that cannot be read is named; the others are listed all the same.
            self._tasks, problems = TaskStore().load_valid()
        except TaskError as exc:
            self._tasks, problems = [], [str(exc)]
        self.problem.setText("\n".join(problems))
        self.problem.setVisible(bool(problems))
        moment = local_now()
        self.table.setRowCount(len(self._tasks))
        for row, task in enumerate(self._tasks):
            try:
                upcoming = when(next_run(task, moment))
            except (ValueError, TaskError) as exc:  # a hand-edited cron expression
                upcoming = f"never ({exc})"
            last = when(task.last_run) or "never"
            if task.last_status:
                last += f" · {task.last_status}"
            cells = (task.name, schedule_text(task.cron), task.cwd, task.mode, upcoming, last)
            tip = task.prompt + (f"\n\nLast run: {task.last_summary}" if task.last_summary else "")
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(tip)
                item.setData(Qt.ItemDataRole.UserRole, task.id)
                self.table.setItem(row, column, item)
            if task.id == selected:
                self.table.selectRow(row)
        self.status.setText(self._who_runs() if self._who_runs is not None else "")
        self._selection_changed()

    def rows(self) -> list[ScheduledRow]:
        """What the table shows, row by row."""
        found = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, c).text() for c in range(len(COLUMNS))]
            task_id = self.table.item(row, 0).data(Qt.ItemDataRole.UserRole)
            found.append(ScheduledRow(task_id, *cells))
        return found

    def selected_id(self) -> str | None:
        items = self.table.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def select(self, task_id: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) == task_id:
                self.table.selectRow(row)

    def _selection_changed(self) -> None:
        chosen = self.selected_id() is not None
        self.run_button.setEnabled(chosen and self._run_now is not None)
        self.remove_button.setEnabled(chosen)

    def _run_selected(self) -> None:
        task_id = self.selected_id()
        if task_id is not None and self._run_now is not None:
            self._run_now(task_id)
            QTimer.singleShot(500, self.refresh)  # its "running" status shows soon

    def _remove_selected(self) -> None:
        from agent.tasks.model import TaskError
        from agent.tasks.store import TaskStore

        task_id = self.selected_id()
        task = next((t for t in self._tasks if t.id == task_id), None)
        if task is None or not self._confirm_remove(self, task.name):
            return
        try:
            TaskStore().remove(task.id)
        except TaskError as exc:
            self.problem.setText(str(exc))
            self.problem.show()
        self.refresh()

    # -- the form -------------------------------------------------------------------------

    def check_form(self) -> bool:
        """Check the schedule as it is typed; Add is on only for a complete, valid form."""
        from agent.tasks.model import TaskError
        from agent.tasks.schedule import check_cron

        cron = self.cron.text().strip()
        valid = False
        if not cron:
            self._say_cron(CRON_HINT, error=False)
        else:
            try:
                normal = check_cron(cron)
            except TaskError as exc:
                self._say_cron(str(exc), error=True)
            else:
                valid = True
                self._say_cron(describe(normal) or "A valid cron expression", error=False)
        ready = valid and bool(self.prompt.toPlainText().strip()) and bool(self.folder.text())
        self.add_button.setEnabled(ready)
        return ready

    def _say_cron(self, text: str, *, error: bool) -> None:
        self.cron_reading.setText(text)
        self.cron_reading.setStyleSheet(f"color: {self._bad if error else self._good}")
        self.cron_reading.setProperty("error", error)

    def add(self) -> Task | None:
        """Store the task the form describes; on a problem, say it and store nothing."""
        from agent.tasks.model import TaskError
        from desktop.scheduled import add_task

        try:
            task = add_task(
                self.prompt.toPlainText(),
                self.cron.text(),
                self.folder.text().strip(),
                self.mode.currentText(),
                name=self.name.text(),
            )
        except TaskError as exc:
            self.form_error.setText(str(exc))
            return None
        self.form_error.setText("")
        self.prompt.clear()
        self.name.clear()
        self.cron.clear()
        self.refresh()
        self.select(task.id)
        self.added.emit(task)
        return task

    def _choose(self) -> None:
        chosen = self._choose_folder(self, self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    # -- visibility -----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh()
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:
        self._timer.stop()
        super().hideEvent(event)

"""The Memory window: what Harken remembers, by scope; search, view, edit, delete, dream.

    show_memory_window(workspace, background, run_dream=None)   open (or raise) the window

``workspace`` picks the workspace memory (the user scope is shared); ``background`` is
the app's ``desktop.background.Background``: listing the folders, reading and saving a
note, deleting one and the dream all run on its workers, never on the GUI thread.
``run_dream(workspace)`` runs one dream and returns its ``DreamReport`` (it blocks; it
is called on a worker; ``desktop.auto_dream.dream_runner`` makes one); without it
"Dream now" is off.

Edits are saved through ``agent.memory.store.MemoryStore`` (confined to the memory
folders, written to a temporary file and renamed), and only when the file on disk is
still what the window showed. A file that is not UTF-8 text is listed as skipped, shown
read-only and never rewritten (it may still be deleted). The list of notes, by scope and
searchable, is ``desktop.windows.memory_list``.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.memory_files import (
    EDIT_MAX_BYTES,
    Entry,
    Opened,
    delete_entry,
    load_entries,
    open_entry,
    save_entry,
)
from desktop.windows.memory_list import ENTRY_ROLE, SCOPE_TITLES, MemoryList
from desktop.windows.style import mono_font

if TYPE_CHECKING:
    from desktop.background import Background

DreamRunner = Callable[[Path], Any]  # (workspace) -> DreamReport; blocking, on a worker


# -- the window -------------------------------------------------------------------------


class MemoryWindow(QWidget):
    """The notes of both scopes on the left, the open note on the right."""

    def __init__(
        self,
        workspace: Path,
        background: Background,
        *,
        run_dream: DreamRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Harken — Memory")
        self.resize(900, 600)
        self.workspace = workspace
        self.background = background
        self.run_dream = run_dream
        self.entries: list[Entry] = []
        self.opened: Opened | None = None
        self._read_token = 0  # a read that finishes after another was asked for is dropped
        self._list_token = 0
        self.dreaming = False

        self.search = QLineEdit(placeholderText="Search notes (names, descriptions, text)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.tree = MemoryList()
        self.tree.currentItemChanged.connect(self._selected)
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.editor = QPlainTextEdit()
        self.editor.setFont(mono_font())
        self.editor.setReadOnly(True)
        self.editor.modificationChanged.connect(self._update_buttons)
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(self.ask_delete)
        self.dream_button = QPushButton("Dream now")
        self.dream_button.setToolTip(
            "Ask the model to tidy memory: merge duplicates, fix dates, drop what later "
            "sessions contradicted. Every change is logged."
        )
        self.dream_button.clicked.connect(self.dream_now)
        self.dream_button.setEnabled(run_dream is not None)
        self.reload_button = QPushButton("Reload")
        self.reload_button.clicked.connect(self.reload)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confirmation: QMessageBox | None = None

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.editor, 1)
        edit_row = QHBoxLayout()
        edit_row.addStretch(1)
        edit_row.addWidget(self.delete_button)
        edit_row.addWidget(self.save_button)
        right_layout.addLayout(edit_row)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.tree, 1)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([380, 520])
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.reload_button)
        bottom.addWidget(self.dream_button)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(bottom)
        self._update_buttons()
        self.reload()

    # -- listing ------------------------------------------------------------------------

    def reload(self, message: str = "") -> None:
        """List the memory folders again (off the GUI thread); ``message`` then shows in
        the status line instead of the counts."""
        self._list_token += 1
        token = self._list_token
        if not message:
            self.status.setText("Reading memory…")
        self.background.run(
            lambda: load_entries(self.workspace),
            lambda found: self._listed(token, *found, message),
            lambda exc: self._listed_failed(token, exc),
        )

    def _listed(
        self, token: int, entries: list[Entry], folders: dict[str, Path], message: str
    ) -> None:
        if token != self._list_token:
            return
        self.entries = entries
        current = self.opened.entry.path if self.opened else None
        dim = self.palette().placeholderText()
        selected = self.tree.fill(entries, folders, self.workspace.name, current, dim)
        self._filter()
        counts = [sum(e.scope == s for e in entries) for s in SCOPE_TITLES]
        counted = f"{counts[0]} file(s) about you, {counts[1]} about this workspace."
        self.status.setText(message or counted)
        if selected is not None:
            # Unsaved edits stay: the note is reopened only when nothing was typed.
            keep = self.editor.document().isModified()
            self.tree.blockSignals(keep)
            self.tree.setCurrentItem(selected)
            self.tree.blockSignals(False)
        elif current is not None:
            self._show(None)  # the open file is gone

    def _listed_failed(self, token: int, exc: BaseException) -> None:
        if token == self._list_token:
            self.status.setText(f"Cannot read memory: {exc}")

    def _filter(self, *_: Any) -> None:
        self.tree.apply_search(self.search.text().strip())

    def visible_entries(self) -> list[Entry]:
        """The files the list shows now (search applied), top to bottom."""
        return self.tree.shown_entries()

    def select(self, entry: Entry) -> None:
        """Make ``entry`` the current item (it opens in the editor)."""
        self.tree.select_entry(entry)

    # -- the open note ------------------------------------------------------------------

    def _selected(self, item: QTreeWidgetItem | None, _previous: Any = None) -> None:
        entry = item.data(0, ENTRY_ROLE) if item is not None else None
        if entry is None:
            return
        self._read_token += 1
        token = self._read_token
        self.background.run(
            lambda: open_entry(entry),
            lambda opened: self._opened(token, opened),
            lambda exc: self._open_failed(token, entry, exc),
        )

    def _opened(self, token: int, opened: Opened) -> None:
        if token == self._read_token:
            self._show(opened)

    def _open_failed(self, token: int, entry: Entry, exc: BaseException) -> None:
        if token == self._read_token:
            self._show(None)
            self.status.setText(f"Cannot read {entry.relative}: {_reason(exc)}")

    def _show(self, opened: Opened | None) -> None:
        self.opened = opened
        if opened is None:
            self.title.setText("")
            self.editor.setPlainText("")
        else:
            entry = opened.entry
            where = f"{SCOPE_TITLES[entry.scope]} · {entry.relative}"
            self.title.setText(where + (f" — {opened.why}" if opened.why else ""))
            shown = opened.text
            if shown is None:
                shown = opened.raw[:EDIT_MAX_BYTES].decode("utf-8", errors="replace")
            self.editor.setPlainText(shown)
        self.editor.setReadOnly(opened is None or opened.text is None)
        self.editor.document().setModified(False)
        self._update_buttons()

    def _update_buttons(self, *_: Any) -> None:
        editable = self.opened is not None and self.opened.text is not None
        self.save_button.setEnabled(editable and self.editor.document().isModified())
        self.delete_button.setEnabled(self.opened is not None)

    def save(self) -> None:
        """Save the editor's text over the open note (off the GUI thread)."""
        opened = self.opened
        if opened is None or opened.text is None:
            return
        text = self.editor.toPlainText()
        self.save_button.setEnabled(False)
        self.background.run(
            lambda: save_entry(self.workspace, opened, text),
            lambda _none: self._saved(opened),
            lambda exc: self._failed(f"Not saved: {_reason(exc)}"),
        )

    def _saved(self, opened: Opened) -> None:
        self.editor.document().setModified(False)
        self.reload(f"Saved {opened.entry.relative}.")

    def ask_delete(self) -> None:
        """Ask before deleting the open note; ``confirmation`` is the question."""
        if self.opened is None:
            return
        entry = self.opened.entry
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Delete this memory?",
            f"Delete {entry.relative} from {SCOPE_TITLES[entry.scope].lower()}?\n\n"
            "Harken will no longer remember what it says. The file is removed from disk.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda result: self._delete_answered(box, entry, result))
        self.confirmation = box
        box.open()  # not exec(): no nested event loop

    def _delete_answered(self, box: QMessageBox, entry: Entry, result: int) -> None:
        self.confirmation = None
        box.deleteLater()
        if result != QMessageBox.StandardButton.Yes:
            return
        self.background.run(
            lambda: delete_entry(self.workspace, entry),
            lambda _none: self._deleted(entry),
            lambda exc: self._failed(f"Not deleted: {_reason(exc)}"),
        )

    def _deleted(self, entry: Entry) -> None:
        if self.opened is not None and self.opened.entry.path == entry.path:
            self._show(None)
        self.reload(f"Deleted {entry.relative}.")

    def _failed(self, message: str) -> None:
        self.status.setText(message)
        self._update_buttons()

    # -- dreaming -----------------------------------------------------------------------

    def dream_now(self) -> None:
        """Run a dream (off the GUI thread); its summary or error shows when it ends."""
        runner = self.run_dream
        if runner is None:
            return
        workspace = self.workspace
        self.dreaming = True
        self.dream_button.setEnabled(False)
        self.status.setText("Dreaming: the model is tidying memory…")
        self.background.run(lambda: runner(workspace), self._dreamed, self._dream_failed)

    def _dreamed(self, report: Any) -> None:
        self.dreaming = False
        self.dream_button.setEnabled(self.run_dream is not None)
        self.reload(report.summary() if hasattr(report, "summary") else str(report))

    def _dream_failed(self, exc: BaseException) -> None:
        self.dreaming = False
        self.dream_button.setEnabled(self.run_dream is not None)
        self.status.setText(f"The dream did not run to the end: {_reason(exc)}")

    def set_workspace(self, workspace: Path) -> None:
        """Show ``workspace``'s memory (the user scope stays)."""
        if os.path.realpath(workspace) != os.path.realpath(self.workspace):
            self.workspace = workspace
            self._show(None)
            self.reload()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc) or type(exc).__name__


_window: MemoryWindow | None = None


def show_memory_window(
    workspace: Path,
    background: Background,
    *,
    run_dream: DreamRunner | None = None,
    parent: QWidget | None = None,
) -> MemoryWindow:
    """Open the Memory window for ``workspace`` (GUI thread); an open one is raised,
    switched to ``workspace`` and listed again. The window is kept for the next call."""
    global _window
    if _window is None or _window.background is not background:
        _window = MemoryWindow(workspace, background, run_dream=run_dream, parent=parent)
    else:
        _window.run_dream = run_dream
        _window.dream_button.setEnabled(run_dream is not None and not _window.dreaming)
        if os.path.realpath(workspace) != os.path.realpath(_window.workspace):
            _window.set_workspace(workspace)
        else:
            _window.reload()
    _window.show()
    _window.raise_()
    _window.activateWindow()
    return _window

"""The Memory window's list: the notes of both scopes in a tree, searchable.

``MemoryList`` is a ``QTreeWidget`` with one top row per scope (``SCOPE_TITLES``: the
user's, shared by every folder, then this workspace's) and under it one row per note
(name, type, when it was last updated; a skipped file is dimmed). Each note's row keeps
its ``Entry`` (``ENTRY_ROLE``). ``fill`` lists the notes anew and returns the row of the
note that was open, if it is still there; ``apply_search`` hides the rows a search does
not match (``desktop.memory_files.matches``); ``shown_entries`` and ``select_entry`` read
and pick rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from desktop.memory_files import Entry, matches

SCOPE_TITLES = {"user": "You (every folder)", "workspace": "This workspace"}
EMPTY = "Nothing remembered here yet."
ENTRY_ROLE = Qt.ItemDataRole.UserRole


def _when(mtime: float) -> str:
    return datetime.fromtimestamp(mtime).strftime("%Y-%m-%d %H:%M") if mtime else ""


class MemoryList(QTreeWidget):
    """The notes by scope: a top row per scope, a row per note under it."""

    def __init__(self) -> None:
        super().__init__()
        self.setHeaderLabels(["Note", "Type", "Updated"])
        self.setColumnWidth(0, 200)
        self.setColumnWidth(1, 70)

    def fill(
        self,
        entries: list[Entry],
        folders: dict[str, Path],
        workspace_name: str,
        current: Path | None,
        dim: QBrush,
    ) -> QTreeWidgetItem | None:
        """List ``entries`` anew (no signals while it does); skipped files in ``dim``.
        Returns the row of the note at ``current``, or None when it is gone."""
        self.blockSignals(True)
        self.clear()
        selected: QTreeWidgetItem | None = None
        for scope, title in SCOPE_TITLES.items():
            if scope == "workspace" and workspace_name:
                title = f"{title} ({workspace_name})"
            top = QTreeWidgetItem([title])
            top.setToolTip(0, str(folders.get(scope, "")))
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.addTopLevelItem(top)
            mine = [e for e in entries if e.scope == scope]
            for entry in mine:
                item = QTreeWidgetItem([entry.name, entry.type, _when(entry.mtime)])
                item.setData(0, ENTRY_ROLE, entry)
                item.setToolTip(0, str(entry.path))
                if entry.skipped:
                    item.setForeground(0, dim)
                top.addChild(item)
                if entry.path == current:
                    selected = item
            if not mine:
                empty = QTreeWidgetItem([EMPTY])
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
                top.addChild(empty)
            top.setExpanded(True)
        self.blockSignals(False)
        return selected

    def _rows(self) -> Iterator[QTreeWidgetItem]:
        for top in (self.topLevelItem(i) for i in range(self.topLevelItemCount())):
            yield from (top.child(j) for j in range(top.childCount()))

    def apply_search(self, query: str) -> None:
        """Hide the notes ``query`` does not match (and the "nothing here" rows)."""
        for child in self._rows():
            entry = child.data(0, ENTRY_ROLE)
            if entry is None:
                child.setHidden(bool(query))
            else:
                child.setHidden(bool(query) and not matches(entry, query))

    def shown_entries(self) -> list[Entry]:
        """The files the list shows now (search applied), top to bottom."""
        shown = []
        for child in self._rows():
            entry = child.data(0, ENTRY_ROLE)
            if entry is not None and not child.isHidden():
                shown.append(entry)
        return shown

    def select_entry(self, entry: Entry) -> None:
        """Make ``entry``'s row the current one."""
        for child in self._rows():
            if child.data(0, ENTRY_ROLE) == entry:
                self.setCurrentItem(child)
                return

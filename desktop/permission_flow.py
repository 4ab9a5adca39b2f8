"""Permission questions on screen: one dialog per pending tool call, answered exactly once.

    flow = PermissionFlow(parent, workspace=..., timeout_seconds=..., notify=...,
                          asked=..., answered=...)
    flow.ask(request)     show the dialog; ``asked()`` runs once it is pending
    flow.waiting()        the first question still open (the tray's tooltip names it)
    flow.close_all()      the turn ended or was stopped: close every open dialog

A question is answered by the user, or as "no" once ``timeout_seconds()`` pass (0: never);
either way ``request.answer`` is called once and then ``answered()``. A dialog the window
manager keeps behind other windows is announced with ``notify``. Closing a dialog answers
"deny", which a stopped turn ignores.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

if TYPE_CHECKING:
    from agent.events import PermissionAnswer, PermissionRequested
    from desktop.windows.permission import PermissionDialog

log = logging.getLogger(__name__)

NOTIFY_HIDDEN_MS = 700  # a permission dialog not in front by then is announced


class PermissionFlow(QObject):
    """The open permission dialogs, keyed by tool call; GUI thread only."""

    def __init__(
        self,
        parent: QObject,
        *,
        workspace: Callable[[], Path],
        timeout_seconds: Callable[[], int],
        notify: Callable[[str, str], None],
        asked: Callable[[], None],
        answered: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._workspace = workspace
        self._timeout_seconds = timeout_seconds
        self._notify = notify  # (message, title)
        self._asked = asked
        self._answered = answered
        self._dialogs: dict[str, PermissionDialog] = {}

    def ask(self, request: PermissionRequested) -> None:
        """Put ``request`` on screen as a dialog (unless it was answered meanwhile)."""
        if request.answered:
            return  # the turn was stopped before the question reached the screen
        from desktop.windows.permission import PermissionDialog

        dialog = PermissionDialog(request, self._workspace())
        self._dialogs[request.call_id] = dialog
        dialog.answered.connect(lambda answer: self._on_answer(request, answer))
        self._asked()  # after the dialog is known: the new state's tooltip names it
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        log.info("asking permission: %s %s", request.name, request.description)
        QTimer.singleShot(NOTIFY_HIDDEN_MS, lambda: self._notify_if_hidden(request, dialog))
        limit = self._timeout_seconds()
        if limit > 0:
            QTimer.singleShot(limit * 1000, dialog, lambda: self._time_out(request, limit))

    def waiting(self) -> PermissionRequested | None:
        """The first question still waiting for an answer, if any."""
        return next((dialog.request for dialog in self._dialogs.values()), None)

    def dialog(self) -> PermissionDialog | None:
        """The first dialog still waiting (a spoken answer goes to it: ``desktop.talk``)."""
        return next(iter(self._dialogs.values()), None)

    def close_all(self) -> None:
        """Close every open dialog (the turn ended or was stopped)."""
        dialogs, self._dialogs = self._dialogs, {}
        for dialog in dialogs.values():
            dialog.close()  # answers "deny", which the stopped turn ignores
            dialog.deleteLater()

    def _notify_if_hidden(self, request: PermissionRequested, dialog: PermissionDialog) -> None:
        # The window manager may keep the dialog behind (focus stealing prevention).
        if self._dialogs.get(request.call_id) is dialog and not dialog.isActiveWindow():
            self._notify(f"Allow {request.name}? {request.description}", "Harken asks")

    def _time_out(self, request: PermissionRequested, limit: int) -> None:
        dialog = self._dialogs.get(request.call_id)
        if dialog is None:
            return
        from agent.events import PermissionAnswer

        log.info("permission timed out: %s", request.name)
        self._on_answer(
            request,
            PermissionAnswer(False, message=f"no answer within {limit} s", asked=False),
        )
        dialog.hide()  # the answer is given; hiding does not answer again

    def _on_answer(self, request: PermissionRequested, answer: PermissionAnswer) -> None:
        dialog = self._dialogs.pop(request.call_id, None)
        if dialog is None:
            return  # answered already (timed out, or the turn was stopped)
        request.answer(answer)
        dialog.deleteLater()
        log.info("permission %s: %s", "allowed" if answer.allow else "denied", request.name)
        self._answered()

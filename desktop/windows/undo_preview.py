"""Undo from the desktop: a preview of the files, and the restore on the agent thread.

    is_undo_request(text)            a plain spoken "undo that" (no model call needed)
    offer_spoken_undo(host, text)    handle one: the last turn's files restored at once
    offer_undo(host, count=, since_turn=, ask=)
                                     the tray's "Undo last turn's changes" and the
                                     conversation's "Restore files to here": the preview
                                     dialog, then the restore
    restore_to_turn(host, prompt, ordinal)
                                     the turn a conversation entry stands for, then offer
    UndoPreview(title, lines)        the dialog: each file and what happens to it

The restore runs in the live session on the agent thread (``agent.checkpoints
.undo_in_session``): a file the user edited since is asked about with the permission
dialog (its diff in the reason), the conversation records the restore so the model knows,
and a notice tells the user what was restored. ``host`` is the controller.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

# What people say for "take back the last change"; anything longer goes to the model
# (which has the Undo tool for "undo everything since I asked about the tests").
UNDO_PHRASES = frozenset(
    {
        "undo",
        "undo that",
        "undo it",
        "undo this",
        "undo the last change",
        "undo the last changes",
        "undo last change",
        "undo your last change",
        "undo your changes",
        "undo the changes",
        "undo the last turn",
        "take that back",
    }
)
Ask = Callable[[QWidget | None, str, list[str]], bool]


def is_undo_request(text: str) -> bool:
    """Whether ``text`` is a plain "undo that" (case, punctuation and "please" aside)."""
    words = re.sub(r"[^\w' ]+", " ", text.lower()).split()
    words = [w for w in words if w not in ("please", "harken", "hey", "ok", "okay")]
    return " ".join(words) in UNDO_PHRASES


class UndoPreview(QDialog):
    """Which files a restore brings back, and how; Restore files or Cancel."""

    def __init__(self, title: str, lines: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Harken — Undo changes")
        self.resize(560, 320)
        layout = QVBoxLayout(self)
        heading = QLabel(title)
        heading.setWordWrap(True)
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(heading)
        self.files = QListWidget()
        self.files.addItems(lines)
        layout.addWidget(self.files)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton(
            "Restore files", QDialogButtonBox.ButtonRole.AcceptRole
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def ask_with_dialog(parent: QWidget | None, title: str, lines: list[str]) -> bool:
    """Show the preview and wait for the person's choice."""
    return UndoPreview(title, lines, parent).exec() == QDialog.DialogCode.Accepted


def preview_lines(
    session_id: str, count: int | None, since_turn: int | None
) -> tuple[str, list[str]]:
    """The dialog's heading and one line per file (empty: nothing to take back)."""
    from agent import paths
    from agent.checkpoints import CheckpointStore, checkpoints_root
    from agent.checkpoints.history import step_label, turn_prompts
    from agent.checkpoints.restore import plan, select

    sessions = paths.sessions_dir()
    store = CheckpointStore(checkpoints_root(sessions), session_id)
    manifest = store.load()
    chosen = select(manifest.steps(), count, since_turn)
    todo = plan(store, chosen)
    prompts = turn_prompts(sessions / f"{session_id}.jsonl")
    labels = ", ".join(step_label(s, prompts) for s in chosen)
    lines = [f"{_what(f)}: {f.path}" for f in todo.files]
    lines += [f"(skipped) {p}" for p in manifest.problems + manifest.warnings]
    return f"This takes back {labels}:", lines


def _what(item: Any) -> str:
    if item.action == "skip":
        return f"Cannot restore ({item.problem})"
    if item.action == "same":
        return "Already as it was"
    if item.gone:
        return "Restore it (it no longer exists: deleted after the agent's change)"
    what = "Remove (it was new)" if item.action == "remove" else "Restore its earlier content"
    return f"{what}, but {item.why}: asks first" if item.edited else what


class _Relay(QObject):
    """Brings an undo's result from the agent thread to the GUI thread."""

    done = Signal(object)


_relays: set[_Relay] = set()  # alive until their result arrives


def run_undo(
    host: Any, count: int | None, since_turn: int | None, done: Callable[[Any], None]
) -> bool:
    """Start the undo in the live session; ``done(result or None)`` on the GUI thread.
    False when there is no live session to undo in."""
    from agent.checkpoints import undo_in_session

    bridge = host.parts.bridge if host.parts is not None else None
    # The bridge offers no public "run this in the session" yet; its loop and lock keep the
    # undo from running beside a turn.
    loop = getattr(bridge, "_loop", None)
    if loop is None or getattr(bridge, "_session", None) is None:
        return False
    relay = _Relay()
    _relays.add(relay)

    def deliver(result: Any) -> None:
        _relays.discard(relay)
        done(result)

    relay.done.connect(deliver, Qt.ConnectionType.QueuedConnection)

    async def work() -> Any:
        async with bridge._lock:
            return await undo_in_session(bridge._session, count, since_turn)

    def finished(future: Any) -> None:
        try:
            relay.done.emit(future.result())
        except Exception:
            log.exception("undo failed")
            relay.done.emit(None)

    asyncio.run_coroutine_threadsafe(work(), loop).add_done_callback(finished)
    return True


def offer_undo(
    host: Any, count: int | None = 1, since_turn: int | None = None, ask: Ask = ask_with_dialog
) -> None:
    """Preview what taking back the last ``count`` steps (or those from ``since_turn``
    on) restores; restore if the person agrees."""
    session_id = host.session_id
    if not session_id:
        host.notify("No session yet: there are no changes to undo.")
        return
    title, lines = preview_lines(session_id, count, since_turn)
    if not lines:
        since = " since that request" if since_turn is not None else ""
        host.notify(f"There are no file changes to undo{since} in this session.")
        return
    if not ask(None, title, lines):
        return
    if not run_undo(host, count, since_turn, lambda result: None):
        host.notify(f"This session is not open here; run `harken rewind --session {session_id}`.")


def offer_spoken_undo(host: Any, text: str) -> bool:
    """A plain spoken "undo that": restore the last step's files now, without a model
    call, and say what was done. False when ``text`` is not such a request."""
    if not is_undo_request(text):
        return False

    def done(result: Any) -> None:
        conversation = host.parts.conversation if host.parts is not None else None
        if conversation is not None:
            conversation.set_busy(False)
        said = spoken_result(result)
        host.feed(host.machine.turn_finished, said if host.config.speak_summaries else "", "")

    if not run_undo(host, 1, None, done):
        done(None)
    return True


def spoken_result(result: Any) -> str:
    """What to say after an undo."""
    if result is None or not result.plan.steps:
        return "There is nothing to undo."
    restored = len(result.result.done)
    kept = len(result.result.kept)
    your = f"Kept your edits to {kept} file{'' if kept == 1 else 's'}." if kept else ""
    if not restored:
        return your or "Nothing was restored."
    return f"Restored {restored} file{'' if restored == 1 else 's'}. {your}".strip()


def restore_to_turn(host: Any, prompt: str, ordinal: int, ask: Ask = ask_with_dialog) -> None:
    """The conversation's "Restore files to here" on the ``ordinal``-th request shown,
    which said ``prompt``: the files go back to how they were before that turn."""
    from agent import paths
    from agent.checkpoints.history import turn_prompts

    if not host.session_id:
        return
    prompts = turn_prompts(paths.sessions_dir() / f"{host.session_id}.jsonl")
    same = [turn for turn, said in prompts.items() if said.strip() == prompt.strip()]
    turn = min(same, key=lambda t: abs(t - ordinal)) if same else ordinal
    offer_undo(host, None, turn, ask)


def add_restore_action(entry: QWidget, window: Any) -> None:
    """Give a request shown in the conversation a "Restore files to here" context menu
    entry; it emits ``window.restore_requested(prompt, ordinal)``."""
    from PySide6.QtGui import QAction

    action = QAction("Restore files to here", entry)

    def trigger() -> None:
        heard = [e for e in window.entries if type(e) is type(entry)]
        ordinal = heard.index(entry) + 1 if entry in heard else len(heard)
        window.restore_requested.emit(entry.plain_text(), ordinal)

    action.triggered.connect(trigger)
    entry.addAction(action)
    entry.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

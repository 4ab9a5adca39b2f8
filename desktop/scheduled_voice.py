"""A schedule said aloud: read back, asked about, stored only when confirmed.

    offer_schedule(controller, heard)     "Every weekday at 9:00: summarise the repo.
                                          Schedule it?" said (when summaries are spoken)
                                          and shown with Schedule it, Edit…, Cancel
    answer_by_voice(controller, text)     a spoken "yes" / "schedule it" / "no" while that
                                          question is open answers it; False: not an answer

``desktop.agent_side`` hands a spoken request here when ``desktop.spoken_schedule`` finds a
schedule in it; the request is not sent to the agent. Schedule it stores the task in
Harken's folder in ``SCHEDULED_MODE`` (``desktop.scheduled.add_task``, as ``harken tasks
add``), Edit… opens the scheduled-tasks window filled in, Cancel stores nothing. The words
of a spoken answer are judged by ``audio.answer_words`` (as for permission questions).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.scheduled import add_task, show_window

if TYPE_CHECKING:
    from desktop.spoken_schedule import SpokenSchedule

log = logging.getLogger(__name__)

SCHEDULED_MODE = "standard"  # a spoken task's mode: it asks (by notification) before changes
SCHEDULED_SAID = "Scheduled."
NOT_SCHEDULED_SAID = "Not scheduled."


def offer_schedule(controller: Any, heard: SpokenSchedule) -> None:
    """A spoken request that named a schedule ("every weekday at nine, summarise ...") is
    read back (aloud when summaries are spoken) and asked about instead of sent."""
    log.info("heard a schedule: %s -> %r", heard.cron, heard.prompt)
    parts = controller.parts
    if parts is not None and parts.conversation is not None:
        parts.conversation.set_busy(False)
    said = heard.readback() if controller.config.speak_summaries else ""
    controller.feed(controller.machine.turn_finished, said, "")
    workspace = parts.workspace if parts is not None else Path.cwd()
    controller.schedule_question = ask_to_schedule(controller, heard, workspace)


def ask_to_schedule(controller: Any, heard: SpokenSchedule, workspace: Path) -> Any:
    """The read-back as a small dialog: Schedule it, Edit… (the Tasks window, filled in),
    Cancel. Not modal: Harken goes on listening meanwhile."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QMessageBox

    from desktop.windows.chord_guard import guard

    box = QMessageBox(QMessageBox.Icon.Question, "Schedule this task?", heard.readback())
    box.setInformativeText(
        f"It runs in {workspace} in {SCHEDULED_MODE} mode; what it asks while you are away "
        "comes as a notification with Allow and Deny."
    )
    schedule = box.addButton("Schedule it", QMessageBox.ButtonRole.AcceptRole)
    edit = box.addButton("Edit…", QMessageBox.ButtonRole.ActionRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(schedule)
    box.spoken_buttons = {"yes": schedule, "no": cancel}  # type: ignore[attr-defined]
    guard(box)  # the held hotkey's Space must not press Schedule it (answering by voice)
    box.setWindowModality(Qt.WindowModality.NonModal)

    def answered(button: Any) -> None:
        # Let go of the box only once its click is handled: the last reference to a
        # parentless widget deletes it, and Qt is still inside its key or click handler.
        QTimer.singleShot(0, lambda: setattr(controller, "schedule_question", None))
        if button is schedule:
            _schedule(controller, heard, workspace)
        elif button is edit:
            window = show_window(controller)
            window.prompt.setPlainText(heard.prompt)
            window.cron.setText(heard.cron)
            window.folder.setText(str(workspace))

    box.buttonClicked.connect(answered)
    box.show()
    box.raise_()
    box.activateWindow()
    return box


def _schedule(controller: Any, heard: SpokenSchedule, workspace: Path) -> None:
    from agent.tasks.model import TaskError

    try:
        task = add_task(heard.prompt, heard.cron, workspace, SCHEDULED_MODE)
    except TaskError as exc:
        controller.notify(f"Not scheduled: {exc}", title="Harken: scheduled tasks")
        return
    log.info("scheduled %s (%s): %r", task.id, task.cron, task.prompt)
    controller.notify(f"Scheduled: {heard.when}: {task.prompt} ({task.id})", title="Harken")
    if controller.scheduled_window is not None:
        controller.scheduled_window.refresh()


def answer_by_voice(controller: Any, text: str) -> bool:
    """A spoken reply to an open "Schedule it?": yes (or "schedule it") schedules, no
    cancels, and the reply is not sent to the agent; False when no question is open or
    the words answer nothing (then the request goes on as usual)."""
    from audio.answer_words import permission_answer, words

    box = controller.schedule_question
    if box is None or not box.isVisible():
        return False
    said = words(text)
    meaning = permission_answer(text)
    if meaning is None and said[:1] == ["schedule"] and len(said) <= 3:
        meaning = "allow"  # "Schedule it."
    if meaning is None:
        return False
    yes = meaning in ("allow", "always")
    log.info("spoken answer to the schedule question: %r -> %s", text, "yes" if yes else "no")
    parts = controller.parts
    if parts is not None and parts.conversation is not None:
        parts.conversation.set_busy(False)
    spoken = controller.config.speak_summaries
    controller.feed(
        controller.machine.turn_finished,
        (SCHEDULED_SAID if yes else NOT_SCHEDULED_SAID) if spoken else "",
        "",
    )
    box.spoken_buttons["yes" if yes else "no"].click()
    return True

"""The agent's side of the running app: requests go to it, its events and outcomes come back.

``AgentSide`` is a part of ``desktop.controller.Controller``: ``_submit`` hands a request
(spoken or typed) to the agent bridge; ``on_agent_event`` passes each event of the turn to
the conversation window and the pet and acts on the few that concern the interaction
(permission questions, the turn starting, long steps, notices, subagents' ``task``
updates for the tasks window); ``on_turn_done`` ends the turn in the state machine with
what to say, or the error to show. With the ``coordinator`` setting on, a request runs as
a coordinator job (workers in parallel), and what is said at its end is the first
sentence of the job's final answer. A spoken request that starts "plan how to" starts deep
planning in the background instead (``AgentBridge.make_plan``); a notification says when
the plan is ready, and the plan window (``desktop.windows.plan``) approves, refines or
rejects it. A spoken request that names a schedule ("every weekday at nine, ...") is read
back and becomes a scheduled task once confirmed (``desktop.scheduled``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from desktop import state as st
from desktop.spoken_schedule import parse_spoken

if TYPE_CHECKING:
    from agent.agents.events import TaskUpdate
    from agent.agents.planning import Plan
    from agent.config import Config
    from agent.events import (
        ErrorOccurred,
        Event,
        Notice,
        PermissionRequested,
        ToolFinished,
        ToolStarted,
        TurnStarted,
    )
    from desktop.bridge import Outcome
    from desktop.parts import Parts
    from desktop.permission_flow import PermissionFlow
    from desktop.spoken_progress import SpokenProgress
    from desktop.windows.plan import PlanWindow

log = logging.getLogger(__name__)

PLAN_PREFIX = "plan how to"
PLANNING_SAID = "I'll plan that in the background and tell you when the plan is ready."


class AgentSide:
    """Mixed into ``Controller``, which sets the attributes below."""

    config: Config
    machine: st.Machine
    parts: Parts | None
    session_id: str | None
    permissions: PermissionFlow
    progress: SpokenProgress
    _last_transcript: str
    _last_answer: str
    _job_running: bool
    plan_window: PlanWindow | None
    _plan: Plan | None  # the latest plan, until approved or rejected
    planning: bool  # a planning round runs in the background
    _plan_unseen: bool  # a plan is ready and its window was not opened yet

    if TYPE_CHECKING:  # the controller's own methods and the menu host's, used here

        def feed(self, step: Callable[..., list[st.Effect]], *args: Any) -> None: ...
        def notify(self, message: str, *, title: str = "Harken") -> None: ...
        def show_settings(self, message: str = "") -> None: ...
        def refresh_sessions(self) -> None: ...
        def tasks_view(self) -> Any: ...
        def change_settings(self, changes: dict[str, Any]) -> None: ...
        def user_active(self) -> None: ...

    def _submit(self, text: str, spoken: bool) -> None:
        self.user_active()
        p = self.parts
        if p is None or p.bridge is None:
            self.feed(self.machine.turn_finished, "", "Harken is still starting; try again.")
            return
        if p.conversation is not None:
            p.conversation.add_heard(text)
            p.conversation.set_busy(True)
        if spoken:
            self._last_transcript = text
        if spoken and is_plan_request(text):
            self.start_plan(text)
            if p.conversation is not None:
                p.conversation.set_busy(False)
            said = PLANNING_SAID if self.config.speak_summaries else ""
            self.feed(self.machine.turn_finished, said, "")
            return
        if spoken and getattr(self, "schedule_question", None) is not None:
            from desktop.scheduled_voice import answer_by_voice

            if answer_by_voice(self, text):  # "yes" or "no" to "Schedule it?"
                return
        if spoken and (heard := parse_spoken(text)) is not None:
            from desktop.scheduled_voice import offer_schedule

            offer_schedule(self, heard)  # read back; scheduled once confirmed
            return
        if spoken:  # a plain "undo that": the last turn's files restored, no model call
            from desktop.windows.undo_preview import offer_spoken_undo

            if offer_spoken_undo(self, text):
                return
        coordinator = bool(self.config.coordinator)
        how = "spoken" if spoken else "typed"
        log.info("submitting %s %s: %r", how, "job" if coordinator else "request", text)
        if coordinator:
            self._job_running = True
            p.bridge.submit_job(text)
        else:
            p.bridge.submit(text)

    def on_agent_event(self, event: Event) -> None:
        """An event of the running turn (``AgentBridge.event``, on the GUI thread)."""
        p = self.parts
        if p is not None:
            for window in (p.conversation, p.buddy):
                if window is not None:
                    try:
                        window.on_event(event)
                    except Exception:
                        log.exception("%s failed on %s", type(window).__name__, event.kind)
        kind = event.kind
        # Dispatched on ``kind``, the classes serving only as types: importing agent.events
        # here would load asyncio with the controller, before the tray is on screen.
        if kind == "permission_requested":
            self.permissions.ask(cast("PermissionRequested", event))
        elif kind == "turn_started":
            self.user_active()  # also turns started elsewhere (the bridge, a task)
            if not self._job_running:  # a job's coordinator is not the session to resume
                self.session_id = cast("TurnStarted", event).session_id
            self.feed(self.machine.turn_started)
        elif kind == "task":
            self.tasks_view().on_task(cast("TaskUpdate", event))
        elif kind == "tool_started":
            if self.config.progress_updates:
                started = cast("ToolStarted", event)
                self.progress.watch(started.call_id, started.description)
        elif kind == "tool_finished":
            self.progress.finished(cast("ToolFinished", event).call_id)
        elif kind == "error":
            log.warning("agent error: %s", cast("ErrorOccurred", event).message)
        elif kind == "notice":
            self.notify(cast("Notice", event).message)

    def on_turn_done(self, outcome: Outcome) -> None:
        """The submitted turn ended (``AgentBridge.turn_done``): say or show how."""
        p = self.parts
        if p is not None and p.conversation is not None:
            p.conversation.set_busy(False)
        self.permissions.close_all()
        self.progress.stop_all()
        self._job_running = False
        if outcome.text:
            self._last_answer = outcome.text
        speech = ""
        if self.config.speak_summaries and outcome.stop_reason in ("end_turn", "stop_sequence"):
            from audio.spoken import spoken_summary

            # A job's last answer sums up the whole job; its first sentence says it.
            text = outcome.text
            speech = spoken_summary(text, max_sentences=1) if outcome.job else spoken_summary(text)
        error = outcome.error if outcome.stop_reason == "error" else ""
        log.info("turn ended: %s%s", outcome.stop_reason, f" ({error})" if error else "")
        self.feed(self.machine.turn_finished, speech, error)
        if error and "API key" in error:
            self.show_settings(f"{error}\nPaste your Anthropic API key below.")
        self.refresh_sessions()

    # -- deep planning --------------------------------------------------------------------

    def start_plan(self, prompt: str) -> None:
        """Plan ``prompt`` in the background (read-only, up to 30 minutes)."""
        bridge = self.parts.bridge if self.parts else None
        if bridge is None:
            self.notify("Harken is still starting; try again in a moment.")
            return
        self.planning = True
        log.info("planning in the background: %r", prompt)
        bridge.make_plan(prompt)

    def on_plan_done(self, result: Plan | str) -> None:
        """A planning round ended (``AgentBridge.plan_done``): its plan, or why not."""
        self.planning = False
        if isinstance(result, str):
            self.notify(f"Planning failed: {result}")
            if self.plan_window is not None:
                self.plan_window.set_planning(False)
            return
        self._plan = result
        if self.plan_window is not None and self.plan_window.isVisible():
            self.plan_window.show_plan(result)
            return
        self._plan_unseen = True
        self.notify(f"The plan is ready ({result.status}): {result.prompt}. Click to open it.")

    def show_plan(self) -> None:
        """The plan window for the latest plan."""
        if self._plan is None:
            self.notify("No plan yet: say “plan how to …”.")
            return
        from desktop.windows.plan import PlanWindow

        self._plan_unseen = False
        if self.plan_window is None:
            window = PlanWindow(self._plan, mode=str(self.config.mode))
            window.approved.connect(self._approve_plan)
            window.refine_requested.connect(self._refine_plan)
            window.rejected.connect(self._reject_plan)
            self.plan_window = window
        elif self.plan_window.plan is not self._plan:
            self.plan_window.show_plan(self._plan)
        self.plan_window.show()
        self.plan_window.raise_()
        self.plan_window.activateWindow()

    def message_clicked(self) -> None:
        """A notification was clicked: the plan it announced opens."""
        if self._plan_unseen:
            self.show_plan()

    def _approve_plan(self, text: str, mode: str) -> None:
        from desktop.windows.plan import run_request

        self._plan = None
        self.change_settings({"mode": mode})  # the run's mode, as picked in the window
        self.feed(self.machine.typed, run_request(text))

    def _refine_plan(self, feedback: str) -> None:
        from desktop.windows.plan import refine_prompt

        if self._plan is None or self.plan_window is None:
            return
        self.start_plan(refine_prompt(self._plan, self.plan_window.text(), feedback))

    def _reject_plan(self) -> None:
        self._plan = None

    def undo_last_turn(self) -> None:
        """The tray's "Undo last turn's changes": a preview of the files, then the restore."""
        from desktop.windows.undo_preview import offer_undo

        offer_undo(self)

    def restore_to_turn(self, prompt: str, ordinal: int) -> None:
        """The conversation's "Restore files to here" on a request it shows."""
        from desktop.windows.undo_preview import restore_to_turn

        restore_to_turn(self, prompt, ordinal)

    def on_session_changed(self, change: tuple[str | None, list[dict[str, Any]]]) -> None:
        """A new or resumed session (``AgentBridge.session_changed``): its history shows."""
        session_id, messages = change
        self.session_id = session_id
        conversation = self.parts.conversation if self.parts else None
        if conversation is not None:
            if messages:
                conversation.load_history(messages)
            else:
                conversation.clear()

    def _say_progress(self, line: str) -> None:
        # Only while the turn still runs: its step may outlast it, or the user stopped it.
        if self.machine.busy and self.parts and self.parts.voice:
            self.parts.voice.speak(line)


def is_plan_request(text: str) -> bool:
    """Whether a spoken request asks for a plan ("Plan how to add dark mode.")."""
    words = " ".join(text.lower().replace(",", " ").split())
    return words.startswith(PLAN_PREFIX + " ")

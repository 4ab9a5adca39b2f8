"""The app's switchboard: inputs go into the state machine, its effects come out here.

Every way in ends in ``Controller.feed(...)``: the hotkey and ``harken ptt`` (through the
instance socket), the tray menu, the mini window's Talk button, the overlay and the
conversation window, the voice pipeline's results and the agent bridge's signals. ``feed``
runs one input of ``desktop.state.Machine`` and carries out the effects it returns, then
shows the new state on the tray icon. Nothing else changes the interaction's state.

    controller.py       inputs, effects, the voice pipeline's results, quitting
    showing.py          what the tray icon, the overlay, the pet and the sound cues show
    agent_side.py       requests to the agent; its events and how its turns end
    menu_host.py        the tray menu's host (``TrayHost``) and settings taking effect
    permission_flow.py  permission dialogs: shown, answered once, timed out, closed
    spoken_progress.py  "Still running pytest." for a step that runs long
    talk.py             the hotkey during a turn (follow-ups, "stop", spoken answers),
                        questions said aloud, conversation mode
    parts.py            ``Parts``: the agent bridge, voice pipeline and windows

The controller imports nothing heavy (Qt, the machine); ``attach(parts)`` adds the agent,
the voice pipeline and the windows, which ``desktop.app`` builds after the tray icon is on
screen, before any input source starts. An effect that fails is logged and turned into the
machine's ``error_occurred``, so a failure shows (tray icon, notification) and never leaves
the interaction stuck.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QEvent, QObject, Qt, QTimer

from desktop import state as st
from desktop.agent_side import AgentSide
from desktop.conversation_mode import ConversationSwitch
from desktop.menu_host import MenuHost
from desktop.parts import Parts
from desktop.permission_flow import PermissionFlow
from desktop.showing import Showing
from desktop.spoken_progress import SpokenProgress
from desktop.talk import Talk

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent

    from agent.agents.planning import Plan
    from agent.config import Config
    from desktop.auto_dream import AutoDream, DreamRunner
    from desktop.hotkey_service import HotkeyService
    from desktop.scheduled import ScheduledHost
    from desktop.scheduled_ticks import TrayTicks
    from desktop.tray import TrayIcon
    from desktop.windows.mini import MiniWindow
    from desktop.windows.plan import PlanWindow
    from desktop.windows.scheduled_tasks import ScheduledTasksWindow
    from desktop.windows.settings import SettingsWindow
    from desktop.windows.tasks import TasksWindow

__all__ = ["Controller", "Parts"]

log = logging.getLogger(__name__)

LEVEL_MS = 50  # the overlay's meter is refreshed this often while recording


class Controller(QObject, AgentSide, MenuHost, ConversationSwitch, Showing):
    """Runs the state machine and everything it drives; the tray menu's host."""

    def __init__(self, config: Config, *, quit_app: Callable[[], None]) -> None:
        super().__init__()
        self.config = config
        self.machine = st.Machine(
            mode=config.hotkey_mode, grace_seconds=float(config.transcript_grace_seconds)
        )
        self._quit_app = quit_app
        self.parts: Parts | None = None
        self.tray: TrayIcon | None = None  # when the desktop has a tray
        self.mini: MiniWindow | None = None  # when it has none
        self.settings_window: SettingsWindow | None = None
        self.make_settings_window: Callable[[], SettingsWindow] | None = None
        self.tasks_window: TasksWindow | None = None  # made at the first task or "Tasks…"
        self.scheduled: ScheduledHost | None = None  # runs due scheduled tasks (desktop.scheduled)
        self.scheduled_window: ScheduledTasksWindow | None = None
        self.ticks: TrayTicks | None = None  # proactive ticks (desktop.scheduled_ticks)
        self.schedule_question: Any = None  # "Schedule it?" after a spoken schedule
        self.hotkey: HotkeyService | None = None
        self.hotkey_status: tuple[str, str] | None = None  # backend name, detail
        self.auto_dream: AutoDream | None = None  # memory's idle consolidation
        self.dream_runner: DreamRunner | None = None  # "Dream now" in the Memory window
        self._waiting_for = {"speech model", "microphone", "hotkey"}
        self.session_id: str | None = None
        self._sessions: list[tuple[str, str]] = []
        self._last_transcript = ""
        self._notices: dict[int, str] = {}  # take -> what is missing from its transcript
        self._last_answer = ""
        self._job_running = False  # a coordinator job runs (not a turn of the session)
        self.plan_window: PlanWindow | None = None
        self._plan: Plan | None = None
        self.planning = False
        self._plan_unseen = False
        self._quitting = False
        self._grabbing = False
        self._level = QTimer(self)
        self._level.setInterval(LEVEL_MS)
        self._level.timeout.connect(self._show_level)
        self.permissions = PermissionFlow(
            self,
            workspace=lambda: self.parts.workspace if self.parts else Path.cwd(),
            timeout_seconds=lambda: int(self.config.permission_timeout_seconds),
            notify=lambda message, title: self.notify(message, title=title),
            asked=lambda: self.feed(self.machine.permission_asked),
            answered=lambda: self.feed(self.machine.permission_answered),
        )
        self.progress = SpokenProgress(self, self._say_progress)
        self.talk = Talk(self)  # the hotkey during a turn, spoken questions, conversation mode

    # -- building -------------------------------------------------------------------------

    def attach(self, parts: Parts) -> None:
        """Wire the agent, voice and windows in (called once, on the GUI thread)."""
        self.parts = parts
        parts.background.failed.connect(self.notify)
        if parts.bridge is not None:
            parts.bridge.event.connect(self.on_agent_event)
            parts.bridge.turn_done.connect(self.on_turn_done)
            parts.bridge.session_changed.connect(self.on_session_changed)
            parts.bridge.failed.connect(self.notify)
            parts.bridge.plan_done.connect(self.on_plan_done)
        if self.tray is not None:
            self.tray.message_clicked.connect(self.message_clicked)
        if parts.voice is not None:
            v, m = parts.voice, self.machine
            v.transcript_ready.connect(
                lambda take, text: (
                    self.talk.heard(take, text)
                    or self.feed(m.transcript_ready, take, text, self._notices.pop(take, ""))
                )
            )
            v.transcript_empty.connect(self._transcript_empty)
            v.take_warning.connect(self._take_warning)
            v.failed.connect(lambda message: self.feed(m.error_occurred, message))
            v.speech_done.connect(self._speech_done)
        if parts.conversation is not None:
            parts.conversation.submitted.connect(lambda text: self.feed(self.machine.typed, text))
            parts.conversation.stop_requested.connect(self.stop)
            parts.conversation.restore_requested.connect(self.restore_to_turn)
        if parts.overlay is not None:
            parts.overlay.confirmed.connect(lambda text: self.feed(self.machine.confirm, text))
            parts.overlay.cancelled.connect(self.stop)
            parts.overlay.edit_requested.connect(self.edit_transcript)
            parts.overlay.installEventFilter(self)
        self.talk.attach(parts)
        self.refresh_sessions()

    # -- the one way in -------------------------------------------------------------------

    def feed(self, step: Callable[..., list[st.Effect]], *args: Any) -> None:
        """Run one input of the machine and carry out its effects (GUI thread only)."""
        if self._quitting:
            return
        before = self.machine.state
        effects = step(*args)
        if self.machine.state is not before or effects:
            log.info("%s%s: %s -> %s %s", step.__name__, args, before, self.machine.state, effects)
        failure = ""
        for effect in effects:
            try:
                self._do(effect)
            except Exception as exc:  # one failing effect must not leave the others undone
                log.exception("carrying out %s failed", effect)
                failure = failure or str(exc) or type(exc).__name__
        self._show_state()
        if self.ticks is not None:  # proactive ticks wait while the user talks or a turn runs
            self.ticks.user_busy(self.machine.state is not st.State.IDLE)
        if failure and step != self.machine.error_occurred:
            self.feed(self.machine.error_occurred, failure)

    def press(self) -> None:
        self.user_active()
        if not self.talk.press():  # during a turn: a follow-up or a spoken answer (talk.py)
            self.feed(self.machine.press)

    def release(self) -> None:
        if not self.talk.release():
            self.feed(self.machine.release)

    def toggle(self) -> None:
        self.user_active()
        if not self.talk.toggle():
            self.feed(self.machine.toggle)

    def user_active(self) -> None:
        """The user pressed the hotkey or a turn starts: an idle dream gives way."""
        if self.auto_dream is not None:
            self.auto_dream.activity()

    def stop(self) -> None:
        """Stop the current task, whatever it is (tray, Esc, overlay's Cancel)."""
        self.feed(self.machine.cancel)

    def _do(self, effect: st.Effect) -> None:
        p = self.parts
        match effect:
            case st.StartRecording(take):
                self._require(p and p.voice).start_take(take)
                self._cue("start")
                self._overlay("show_recording")
                self._level.start()
                self._buddy("set_listening", True)
            case st.StopRecording(take):
                self._require(p and p.voice).finish_take(take)
                self._cue("stop")
                self._level.stop()
                self._overlay("show_transcribing")
                self._buddy("set_listening", False)
            case st.CancelRecording(take):
                if p and p.voice:
                    p.voice.cancel_take(take)
                self._level.stop()
                self._buddy("set_listening", False)
            case st.ShowTranscript(text, grace, notice):
                self._last_transcript = text
                self._overlay("show_transcript", text, grace, notice)
                if grace > 0 and p and p.overlay:
                    # The overlay never takes focus; Esc and E reach it through a grab
                    # that lasts only while the grace period counts down.
                    p.overlay.grabKeyboard()
                    self._grabbing = True
            case st.HideOverlay():
                self._overlay("hide_overlay")
            case st.Submit(text, spoken):
                self._submit(text, spoken)
            case st.Interrupt():
                if p and p.bridge:
                    p.bridge.interrupt()
                self.permissions.close_all()
                self.talk.cancel()
            case st.Speak(text):
                self._require(p and p.voice).speak(text)
                self._buddy("set_speaking", True)
            case st.StopSpeech():
                if p and p.voice:
                    p.voice.stop_speech()
                self._buddy("set_speaking", False)
            case st.Notify(message):
                self.notify(message)
            case st.OpenMic():
                if p and p.voice:
                    p.voice.open_mic()
            case st.CloseMic():
                if p and p.voice:
                    p.voice.close_mic()

    @staticmethod
    def _require(part: Any) -> Any:
        """``part``, which an effect cannot do without (missing while the app starts)."""
        if not part:
            raise RuntimeError("Harken is still starting; try again in a moment.")
        return part

    # -- voice ----------------------------------------------------------------------------

    def _take_warning(self, take: int, message: str) -> None:
        """Part of a take is lost (``Voice.take_warning``): shown at once while recording,
        and with its transcript once that comes."""
        if take != self.machine.take:
            return
        if self.machine.state is st.State.RECORDING:
            self._overlay("show_warning", message)
        else:
            self._notices[take] = message

    def _transcript_empty(self, take: int, why: str) -> None:
        if self.talk.hands_free.held_empty(take, why):  # speech may go on after its pause
            return
        notice = self._notices.pop(take, "")
        reason = f"{why}. {notice.rstrip('.')}" if notice else why
        self.feed(self.machine.transcript_empty, take, reason)

    def _speech_done(self) -> None:
        self._buddy("set_speaking", False)
        self.feed(self.machine.speech_done)

    # -- showing --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc and E during the grace period (keys grabbed for the overlay)."""
        overlay = self.parts.overlay if self.parts else None
        if overlay is not None and watched is overlay and event.type() == QEvent.Type.KeyPress:
            key = cast("QKeyEvent", event).key()
            if key == Qt.Key.Key_Escape:
                overlay.cancel()
            elif key == Qt.Key.Key_E:
                overlay.edit()
            return True  # the grab is for these two keys only
        return False

    def edit_transcript(self, text: str) -> None:
        """Edit what was heard in the conversation window; Enter sends it."""
        self.feed(self.machine.cancel)
        conversation = self.parts.conversation if self.parts else None
        if conversation is None:
            return
        self.show_conversation()
        conversation.prompt.setPlainText(text)
        conversation.prompt.setFocus()

    def notify(self, message: str, *, title: str = "Harken") -> None:
        """A notification from the tray icon (the mini window's tooltip without a tray)."""
        log.info("notice: %s", message)
        if self.tray is not None:
            self.tray.notify(title, message, error=self.machine.display == "error")
        elif self.mini is not None:
            self.mini.setToolTip(message)

    @property
    def offers_scheduled_tasks(self) -> bool:
        """The tray menu offers "Scheduled tasks…" once the scheduler is set up."""
        return self.scheduled is not None

    def show_scheduled_tasks(self) -> None:
        """The scheduled-tasks window (``desktop.scheduled``)."""
        from desktop.scheduled import show_window

        show_window(self)

    def mark_ready(self, part: str) -> None:
        """``part`` of push-to-talk works; the log says when all of them do."""
        if part in self._waiting_for:
            self._waiting_for.discard(part)
            log.info("%s ready", part)
            if not self._waiting_for:
                log.info("ready to listen")

    # -- quitting -------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop speech, interrupt the turn, close the session and the devices."""
        if self._quitting:
            return
        self.feed(self.machine.cancel)
        log.info("quitting")
        self._quitting = True
        # Before the workers are shut down: a dream must not hold up quitting.
        if self.auto_dream is not None:
            self.auto_dream.stop()
        if self.dream_runner is not None:
            self.dream_runner.cancel()
        if self.scheduled is not None:
            self.scheduled.stop()  # a running task is interrupted, its session saved
        self._level.stop()
        self.talk.close()
        p = self.parts
        if self.hotkey is not None:
            self.hotkey.stop(quitting=True)
        if p is None:
            return
        if p.voice is not None:
            p.voice.stop_speech()
        if p.bridge is not None:
            p.bridge.close()
        self.permissions.close_all()
        for window in (self.tasks_window, self.plan_window, self.scheduled_window):
            if window is not None:
                window.close()
        if p.buddy is not None:
            p.buddy.hide_pet()  # its animation stops with it
        if p.overlay is not None:
            p.overlay.hide_overlay()
        p.background.shutdown(wait=True)
        if p.voice is not None:
            p.voice.close()
        if p.cues is not None:
            p.cues.close()

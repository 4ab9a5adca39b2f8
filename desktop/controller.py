"""The app's switchboard: inputs go into the state machine, its effects come out here.

Every way in ends in ``Controller.feed(...)``: the hotkey and ``harken ptt`` (through the
instance socket), the tray menu, the mini window's Talk button, the overlay and the
conversation window, the voice pipeline's results and the agent bridge's signals. ``feed``
runs one input of ``desktop.state.Machine`` and carries out the effects it returns, then
shows the new state on the tray icon. Nothing else changes the interaction's state.

The controller is also the tray menu's ``TrayHost``. It imports nothing heavy (Qt, the
machine); ``attach(parts)`` adds the agent, the voice pipeline and the windows, which
``desktop.app`` builds after the tray icon is on screen, before any input source starts.
An effect that fails is logged and turned into the machine's ``error_occurred``, so a
failure shows (tray icon, notification) and never leaves the interaction stuck.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from desktop import state as st

log = logging.getLogger(__name__)

LEVEL_MS = 50  # the overlay's meter is refreshed this often while recording
PROGRESS_AFTER_MS = 12_000  # a step running this long earns a spoken progress line
RECENT_SESSIONS = 10
NOTIFY_HIDDEN_MS = 700  # a permission dialog not in front by then is announced


@dataclass
class Parts:
    """What ``desktop.app`` builds after the tray is up; any may be missing in tests."""

    background: Any
    bridge: Any = None
    voice: Any = None
    cues: Any = None
    conversation: Any = None
    overlay: Any = None
    buddy: Any = None
    workspace: Path = field(default_factory=Path.cwd)


class Controller(QObject):
    """Runs the state machine and everything it drives; the tray menu's host."""

    def __init__(self, config: Any, *, quit_app: Callable[[], None]) -> None:
        super().__init__()
        self.config = config
        self.machine = st.Machine(
            mode=config.hotkey_mode, grace_seconds=float(config.transcript_grace_seconds)
        )
        self._quit_app = quit_app
        self.parts: Parts | None = None
        self.tray: Any = None  # TrayIcon, when the desktop has a tray
        self.mini: Any = None  # MiniWindow, when it has none
        self.settings_window: Any = None
        self.make_settings_window: Callable[[], Any] | None = None
        self.hotkey: Any = None
        self.hotkey_status: tuple[str, str] | None = None  # backend name, detail
        self._waiting_for = {"speech model", "microphone", "hotkey"}
        self.session_id: str | None = None
        self._sessions: list[tuple[str, str]] = []
        self._dialogs: dict[str, Any] = {}
        self._last_transcript = ""
        self._notices: dict[int, str] = {}  # take -> what is missing from its transcript
        self._last_answer = ""
        self._progress: dict[str, QTimer] = {}
        self._quitting = False
        self._grabbing = False
        self._level = QTimer(self)
        self._level.setInterval(LEVEL_MS)
        self._level.timeout.connect(self._show_level)

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
        if parts.voice is not None:
            v, m = parts.voice, self.machine
            v.transcript_ready.connect(
                lambda take, text: self.feed(
                    m.transcript_ready, take, text, self._notices.pop(take, "")
                )
            )
            v.transcript_empty.connect(self._transcript_empty)
            v.take_warning.connect(self._take_warning)
            v.failed.connect(lambda message: self.feed(m.error_occurred, message))
            v.speech_done.connect(self._speech_done)
        if parts.conversation is not None:
            parts.conversation.submitted.connect(lambda text: self.feed(self.machine.typed, text))
            parts.conversation.stop_requested.connect(self.stop)
        if parts.overlay is not None:
            parts.overlay.confirmed.connect(lambda text: self.feed(self.machine.confirm, text))
            parts.overlay.cancelled.connect(self.stop)
            parts.overlay.edit_requested.connect(self.edit_transcript)
            parts.overlay.installEventFilter(self)
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
        if failure and step != self.machine.error_occurred:
            self.feed(self.machine.error_occurred, failure)

    def press(self) -> None:
        self.feed(self.machine.press)

    def release(self) -> None:
        self.feed(self.machine.release)

    def toggle(self) -> None:
        self.feed(self.machine.toggle)

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
                self._close_dialogs()
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
        if not part:
            raise RuntimeError("Harken is still starting; try again in a moment.")
        return part

    # -- agent ----------------------------------------------------------------------------

    def _submit(self, text: str, spoken: bool) -> None:
        p = self.parts
        if p is None or p.bridge is None:
            self.feed(self.machine.turn_finished, "", "Harken is still starting; try again.")
            return
        if p.conversation is not None:
            p.conversation.add_heard(text)
            p.conversation.set_busy(True)
        if spoken:
            self._last_transcript = text
        log.info("submitting %s request: %r", "spoken" if spoken else "typed", text)
        p.bridge.submit(text)

    def on_agent_event(self, event: Any) -> None:
        p = self.parts
        if p is not None:
            for window in (p.conversation, p.buddy):
                if window is not None:
                    try:
                        window.on_event(event)
                    except Exception:
                        log.exception("%s failed on %s", type(window).__name__, event.kind)
        kind = event.kind
        if kind == "permission_requested":
            self._ask_permission(event)
        elif kind == "turn_started":
            self.session_id = event.session_id
            self.feed(self.machine.turn_started)
        elif kind == "tool_started":
            self._watch_progress(event)
        elif kind == "tool_finished":
            timer = self._progress.pop(event.call_id, None)
            if timer is not None:
                timer.stop()
        elif kind == "error":
            log.warning("agent error: %s", event.message)
        elif kind == "notice":
            self.notify(event.message)

    def on_turn_done(self, outcome: Any) -> None:
        p = self.parts
        if p is not None and p.conversation is not None:
            p.conversation.set_busy(False)
        self._close_dialogs()
        for timer in self._progress.values():
            timer.stop()
        self._progress.clear()
        if outcome.text:
            self._last_answer = outcome.text
        speech = ""
        if self.config.speak_summaries and outcome.stop_reason in ("end_turn", "stop_sequence"):
            from audio.spoken import spoken_summary

            speech = spoken_summary(outcome.text)
        error = outcome.error if outcome.stop_reason == "error" else ""
        log.info("turn ended: %s%s", outcome.stop_reason, f" ({error})" if error else "")
        self.feed(self.machine.turn_finished, speech, error)
        if error and "API key" in error:
            self.show_settings(f"{error}\nPaste your Anthropic API key below.")
        self.refresh_sessions()

    def on_session_changed(self, change: tuple[str | None, list[Any]]) -> None:
        session_id, messages = change
        self.session_id = session_id
        conversation = self.parts.conversation if self.parts else None
        if conversation is not None:
            if messages:
                conversation.load_history(messages)
            else:
                conversation.clear()

    def _ask_permission(self, request: Any) -> None:
        if request.answered:
            return  # the turn was stopped before the question reached the screen
        from desktop.windows.permission import PermissionDialog

        dialog = PermissionDialog(request, self.parts.workspace if self.parts else Path.cwd())
        self._dialogs[request.call_id] = dialog
        dialog.answered.connect(lambda answer: self._permission_answered(request, answer))
        self.feed(self.machine.permission_asked)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        log.info("asking permission: %s %s", request.name, request.description)
        QTimer.singleShot(NOTIFY_HIDDEN_MS, lambda: self._notify_if_hidden(request, dialog))
        limit = int(self.config.permission_timeout_seconds)
        if limit > 0:
            QTimer.singleShot(limit * 1000, dialog, lambda: self._time_out(request, limit))

    def _notify_if_hidden(self, request: Any, dialog: Any) -> None:
        # The window manager may keep the dialog behind (focus stealing prevention).
        if self._dialogs.get(request.call_id) is dialog and not dialog.isActiveWindow():
            self.notify(f"Allow {request.name}? {request.description}", title="Harken asks")

    def _time_out(self, request: Any, limit: int) -> None:
        dialog = self._dialogs.get(request.call_id)
        if dialog is None:
            return
        from agent.events import PermissionAnswer

        log.info("permission timed out: %s", request.name)
        self._permission_answered(
            request, PermissionAnswer(False, message=f"no answer within {limit} s: not allowed")
        )
        dialog.hide()  # the answer is given; hiding does not answer again

    def _permission_answered(self, request: Any, answer: Any) -> None:
        dialog = self._dialogs.pop(request.call_id, None)
        if dialog is None:
            return  # answered already (timed out, or the turn was stopped)
        request.answer(answer)
        dialog.deleteLater()
        log.info("permission %s: %s", "allowed" if answer.allow else "denied", request.name)
        self.feed(self.machine.permission_answered)

    def _close_dialogs(self) -> None:
        dialogs, self._dialogs = self._dialogs, {}
        for dialog in dialogs.values():
            dialog.close()  # answers "deny", which the stopped turn ignores
            dialog.deleteLater()

    def _watch_progress(self, event: Any) -> None:
        if not self.config.progress_updates:
            return
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._say_progress(event.description))
        timer.start(PROGRESS_AFTER_MS)
        self._progress[event.call_id] = timer

    def _say_progress(self, description: str) -> None:
        from audio.spoken import for_the_ear

        said = for_the_ear(description)  # "Running pytest." -> "Still running pytest."
        if said and self.machine.busy and self.parts and self.parts.voice:
            self.parts.voice.speak(f"Still {said[0].lower()}{said[1:]}")

    def _speech_done(self) -> None:
        self._buddy("set_speaking", False)
        self.feed(self.machine.speech_done)

    # -- showing --------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc and E during the grace period (keys grabbed for the overlay)."""
        overlay = self.parts.overlay if self.parts else None
        if watched is overlay and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
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

    def _show_state(self) -> None:
        if self._grabbing and self.machine.state is not st.State.CONFIRMING:
            self._grabbing = False
            if self.parts and self.parts.overlay:
                self.parts.overlay.releaseKeyboard()
        display = self.machine.display
        tooltip = ""
        if display == "error":
            tooltip = f"Harken: {self.machine.error}"
        elif display == "waiting" and self._dialogs:
            request = next(iter(self._dialogs.values())).request
            tooltip = f"Harken: allow {request.name}? {request.description}"
        if self.tray is not None:
            self.tray.set_state(display, tooltip)
        if self.mini is not None:
            from desktop.tray import TOOLTIPS

            self.mini.set_state(display, tooltip or TOOLTIPS.get(display, "Harken"))

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
        notice = self._notices.pop(take, "")
        reason = f"{why}. {notice.rstrip('.')}" if notice else why
        self.feed(self.machine.transcript_empty, take, reason)

    def _show_level(self) -> None:
        p = self.parts
        if p is not None and p.voice is not None:
            self._overlay("set_level", p.voice.level())

    def _overlay(self, method: str, *args: Any) -> None:
        overlay = self.parts.overlay if self.parts else None
        if overlay is not None:
            getattr(overlay, method)(*args)

    def _buddy(self, method: str, *args: Any) -> None:
        buddy = self.parts.buddy if self.parts else None
        if buddy is not None:
            getattr(buddy, method)(*args)

    def _cue(self, name: str) -> None:
        cues = self.parts.cues if self.parts else None
        if cues is not None:
            cues.play(name)

    def notify(self, message: str, *, title: str = "Harken") -> None:
        log.info("notice: %s", message)
        if self.tray is not None:
            self.tray.notify(title, message, error=self.machine.display == "error")
        elif self.mini is not None:
            self.mini.setToolTip(message)

    def mark_ready(self, part: str) -> None:
        """``part`` of push-to-talk works; the log says when all of them do."""
        if part in self._waiting_for:
            self._waiting_for.discard(part)
            log.info("%s ready", part)
            if not self._waiting_for:
                log.info("ready to listen")

    # -- the tray menu's host -------------------------------------------------------------

    @property
    def display(self) -> str:
        return self.machine.display

    @property
    def mode(self) -> str:
        return str(self.config.mode)

    @property
    def paused(self) -> bool:
        return self.machine.paused

    @property
    def busy(self) -> bool:
        return self.machine.state is not st.State.IDLE

    @property
    def speak_summaries(self) -> bool:
        return bool(self.config.speak_summaries)

    @property
    def buddy_visible(self) -> bool:
        buddy = self.parts.buddy if self.parts else None
        return buddy is not None and buddy.isVisible()

    def recent_sessions(self) -> Sequence[tuple[str, str]]:
        return self._sessions

    def refresh_sessions(self) -> None:
        """Read the saved sessions in the background for the Resume menu."""
        if self.parts is None:
            return

        def read() -> list[tuple[str, str]]:
            from agent import paths, transcript

            found = transcript.list_sessions(paths.sessions_dir())[:RECENT_SESSIONS]
            return [(s.id, session_label(s)) for s in found if not s.problem]

        def keep(sessions: list[tuple[str, str]]) -> None:
            self._sessions = sessions

        self.parts.background.run(read, keep, lambda exc: log.warning("sessions: %s", exc))

    def last_transcript(self) -> str:
        conversation = self.parts.conversation if self.parts else None
        return (conversation and conversation.last_transcript()) or self._last_transcript

    def last_answer(self) -> str:
        conversation = self.parts.conversation if self.parts else None
        return (conversation and conversation.last_answer()) or self._last_answer

    def new_session(self) -> None:
        self.stop()
        if self.parts and self.parts.bridge:
            self.parts.bridge.new_session()

    def resume_session(self, session_id: str) -> None:
        self.stop()
        if self.parts and self.parts.bridge:
            self.parts.bridge.resume(session_id)

    def set_paused(self, paused: bool) -> None:
        self.feed(self.machine.pause if paused else self.machine.resume)

    def set_mode(self, mode: str) -> None:
        self.change_settings({"mode": mode})

    def set_speak_summaries(self, on: bool) -> None:
        if not on and self.machine.state is st.State.SPEAKING:
            self.feed(self.machine.cancel)  # off means quiet now, too
        self.change_settings({"speak_summaries": on})

    def copy_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    def show_conversation(self) -> None:
        conversation = self.parts.conversation if self.parts else None
        if conversation is None:
            self.notify("Harken is still starting; the window opens in a moment.")
            return
        conversation.show()
        conversation.raise_()
        conversation.activateWindow()

    def buddy_shown(self, shown: bool) -> None:
        """The pet was shown or hidden (also from its own menu): remembered for next time."""
        if not self._quitting and shown != self.config.buddy_visible:
            self.change_settings({"buddy_visible": shown})

    def set_buddy_visible(self, visible: bool) -> None:
        buddy = self.parts.buddy if self.parts else None
        if buddy is not None:
            buddy.show_pet() if visible else buddy.hide_pet()
        self.change_settings({"buddy_visible": visible})

    def _mute_hotkey(self, recording: bool) -> None:
        if self.hotkey is not None:
            self.hotkey.muted = recording

    def show_settings(self, message: str = "") -> None:
        if self.settings_window is None and self.make_settings_window is not None:
            self.settings_window = self.make_settings_window()
            # The window saves config.toml itself; what it saved applies here at once.
            self.settings_window.settings_changed.connect(self.settings_saved)
            self.settings_window.api_key_stored.connect(self._key_stored)
            self.settings_window.recording_changed.connect(self._mute_hotkey)
        window = self.settings_window
        if window is None:
            self.notify("Harken is still starting; Settings opens in a moment.")
            return
        if message:
            window.show_message(message)
        window.show()
        window.raise_()
        window.activateWindow()

    def open_log_folder(self) -> None:
        from agent import paths

        folder = paths.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def quit(self) -> None:
        self._quit_app()

    # -- settings -------------------------------------------------------------------------

    def change_settings(self, changes: dict[str, Any]) -> None:
        """Save ``changes`` to config.toml and apply them now."""
        from agent.config_file import save_settings
        from agent.errors import ConfigError

        changes = {k: v for k, v in changes.items() if self.config.values.get(k) != v}
        if not changes:
            return
        try:
            save_settings(changes)
        except ConfigError as exc:
            self.notify(f"Settings not saved: {exc}")
        try:
            self.apply_settings(self.config.override(**changes), set(changes))
        except ValueError as exc:
            self.notify(str(exc))

    def settings_saved(self, changes: dict[str, Any]) -> None:
        """The settings window saved ``changes``: apply them."""
        try:
            self.apply_settings(self.config.override(**changes), set(changes))
        except ValueError as exc:
            self.notify(str(exc))

    def _key_stored(self) -> None:
        if self.parts is not None and self.parts.bridge is not None:
            self.parts.bridge.refresh_key()
        if self.machine.error:
            self.machine.error = ""
            self._show_state()

    def apply_settings(self, config: Any, changed: set[str]) -> None:
        """Make ``config`` the app's settings; what ``changed`` names takes effect at once."""
        self.config = config
        log.info("settings changed: %s", ", ".join(sorted(changed)))
        self.machine.mode = config.hotkey_mode
        self.machine.grace_seconds = float(config.transcript_grace_seconds)
        p = self.parts
        if p is None:
            return
        if p.bridge is not None:
            p.bridge.set_config(config)
        if p.voice is not None:
            p.voice.apply(config, changed)
        if p.cues is not None:
            p.cues.enabled = config.sound_cues
            p.cues.device = config.output_device or None
        if "workspace" in changed:
            p.workspace = Path(config.workspace).expanduser() if config.workspace else Path.cwd()
            self.notify("The new folder applies from the next session (New session).")
        if p.buddy is not None and "buddy_name" in changed and config.buddy_name:
            p.buddy.set_name(config.buddy_name)
        if changed & {"hotkey", "hotkey_backend"} and self.hotkey is not None:
            self.hotkey.restart(config)

    # -- quitting -------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop speech, interrupt the turn, close the session and the devices."""
        if self._quitting:
            return
        self.feed(self.machine.cancel)
        log.info("quitting")
        self._quitting = True
        self._level.stop()
        p = self.parts
        if self.hotkey is not None:
            self.hotkey.stop(quitting=True)
        if p is None:
            return
        if p.voice is not None:
            p.voice.stop_speech()
        if p.bridge is not None:
            p.bridge.close()
        self._close_dialogs()
        if p.buddy is not None:
            p.buddy.hide_pet()  # its animation stops with it
        if p.overlay is not None:
            p.overlay.hide_overlay()
        p.background.shutdown(wait=True)
        if p.voice is not None:
            p.voice.close()
        if p.cues is not None:
            p.cues.close()


def session_label(summary: Any) -> str:
    """``Jan 05 14:03 · first prompt`` for the Resume menu."""
    started = summary.started.replace("T", " ")[5:16]
    prompt = " ".join(summary.first_prompt.split()) or "(no prompt)"
    prompt = prompt if len(prompt) <= 40 else prompt[:39] + "…"
    return f"{started} · {prompt}"

"""What the tray menu, the mini window and the settings window ask of the running app.

``MenuHost`` is the controller's ``TrayHost`` side (``desktop.tray``): the state the menu
shows (mode, paused, recent sessions, the last transcript and answer) and what its entries
do (pause, switch mode, coordinator mode, resume a session, open windows: conversation,
tasks, memory, settings; quit), plus settings changed from the menu or saved by the
settings window, which take effect at once. It is a part of
``desktop.controller.Controller``, which holds the state used here and runs the machine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication

from desktop import state as st

if TYPE_CHECKING:
    from agent.agents.planning import Plan
    from agent.config import Config
    from agent.transcript import SessionSummary
    from desktop.auto_dream import DreamRunner
    from desktop.background import Background
    from desktop.hotkey_service import HotkeyService
    from desktop.parts import Parts
    from desktop.windows.settings import SettingsWindow
    from desktop.windows.tasks import TasksWindow

log = logging.getLogger(__name__)

RECENT_SESSIONS = 10


class MenuHost:
    """The tray menu's host; mixed into ``Controller``, which sets the attributes below."""

    config: Config
    machine: st.Machine
    parts: Parts | None
    hotkey: HotkeyService | None
    settings_window: SettingsWindow | None
    tasks_window: TasksWindow | None
    make_settings_window: Callable[[], SettingsWindow] | None
    _quit_app: Callable[[], None]
    _quitting: bool
    _sessions: list[tuple[str, str]]
    _last_transcript: str
    _last_answer: str
    _plan: Plan | None
    dream_runner: DreamRunner | None

    if TYPE_CHECKING:  # the controller's methods (_show_state from its Showing part), used here

        def feed(self, step: Callable[..., list[st.Effect]], *args: Any) -> None: ...
        def stop(self) -> None: ...
        def notify(self, message: str, *, title: str = "Harken") -> None: ...
        def _show_state(self) -> None: ...

    # -- what the menu shows --------------------------------------------------------------

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
    def coordinator(self) -> bool:
        return bool(self.config.coordinator)

    @property
    def buddy_visible(self) -> bool:
        buddy = self.parts.buddy if self.parts else None
        return buddy is not None and buddy.isVisible()

    def has_plan(self) -> bool:
        return self._plan is not None

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

    # -- what its entries do --------------------------------------------------------------

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

    def set_coordinator(self, on: bool) -> None:
        """Coordinator mode: from the next request on, each runs as a coordinator job."""
        self.change_settings({"coordinator": on})

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

    def tasks_view(self) -> TasksWindow:
        """The tasks window (made hidden at first use: it follows tasks while closed)."""
        if self.tasks_window is None:
            from desktop.windows.tasks import TasksWindow

            self.tasks_window = TasksWindow()
            self.tasks_window.stop_requested.connect(self.stop_task)
        return self.tasks_window

    def show_tasks(self) -> None:
        window = self.tasks_view()
        window.show()
        window.raise_()
        window.activateWindow()

    def stop_task(self, task_id: str) -> None:
        """Stop one subagent or worker (the tasks window's Stop)."""
        if self.parts is not None and self.parts.bridge is not None:
            self.parts.bridge.stop_task(task_id)

    def show_memory(self) -> None:
        """The Memory window for the app's folder (listing and dreams run off the GUI
        thread, on the app's background workers)."""
        if self.parts is None:
            self.notify("Harken is still starting; Memory opens in a moment.")
            return
        from agent import paths
        from desktop.auto_dream import dream_runner
        from desktop.windows.memory import show_memory_window

        if self.dream_runner is None:
            sessions = paths.sessions_dir()
            self.dream_runner = dream_runner(lambda: self.config, sessions_dir=sessions)
        workspace, background = self.parts.workspace, self.parts.background
        show_memory_window(workspace, background, run_dream=self.dream_runner)

    def buddy_shown(self, shown: bool) -> None:
        """The pet was shown or hidden (also from its own menu): remembered for next time."""
        if not self._quitting and shown != self.config.buddy_visible:
            self.change_settings({"buddy_visible": shown})

    def set_buddy_visible(self, visible: bool) -> None:
        buddy = self.parts.buddy if self.parts else None
        if buddy is not None:
            buddy.show_pet() if visible else buddy.hide_pet()
        self.change_settings({"buddy_visible": visible})

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

    def _mute_hotkey(self, recording: bool) -> None:
        if self.hotkey is not None:
            self.hotkey.muted = recording

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

    def apply_settings(self, config: Config, changed: set[str]) -> None:
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
        if changed & {"dictation_hotkey", "hotkey_backend"}:
            self._restart_dictation_hotkey(config, p.background)

    def _restart_dictation_hotkey(self, config: Config, background: Background) -> None:
        """The dictation hotkey follows its setting: restarted on the new chord, stopped
        when emptied, started when set where none was (``desktop.dictation``)."""
        dictation = getattr(self, "dictation", None)  # set by the app once it is started
        if dictation is None:
            return
        service = dictation.hotkey
        if not config.dictation_hotkey:
            if service is not None:
                service.stop()
            return
        from agent.config import Config as Values

        chord = Values({**config.values, "hotkey": config.dictation_hotkey}, [])
        if service is None:
            from PySide6.QtCore import QCoreApplication

            from desktop.hotkey_service import HotkeyService

            def on_status(name: str, detail: str, ok: bool) -> None:
                log.info("dictation hotkey: %s (%s)", name, detail)

            service = HotkeyService(background, dictation.press, dictation.release, on_status)
            dictation.hotkey = service
            app = QCoreApplication.instance()
            if app is not None:
                app.aboutToQuit.connect(lambda: service.stop(quitting=True))
            service.start(chord)
            return
        service.restart(chord)


def session_label(summary: SessionSummary) -> str:
    """``Jan 05 14:03 · first prompt`` for the Resume menu."""
    started = summary.started.replace("T", " ")[5:16]
    prompt = " ".join(summary.first_prompt.split()) or "(no prompt)"
    prompt = prompt if len(prompt) <= 40 else prompt[:39] + "…"
    return f"{started} · {prompt}"

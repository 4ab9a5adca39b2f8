"""``harken`` with no arguments: the tray app.

Start-up, in the order that puts the tray icon on screen first:

1. one instance per user (``desktop.instance``): when Harken already runs, it is told to
   open its window and this process exits 0;
2. Qt, the state machine (``desktop.controller``) and the tray icon (or, on a desktop
   without a tray, the small always-available window): nothing heavy is imported yet;
3. on the first turn of the event loop: the log, the settings, the agent thread
   (``desktop.bridge``), the microphone and Whisper (``desktop.voice``), the windows, the
   hotkey and the instance socket;
4. without an API key the settings window opens and says what is needed.

The agent's heavy part (``anthropic``, pydantic, the tools: about 70 MB resident) is not
loaded while Harken only waits: ``FirstRequest`` loads it, reads the key and builds the
HTTP client off the GUI thread as soon as the key goes down, so it is ready by the
release and the first take of a session is no slower than the others.

``run_app(args)`` returns the exit status; ``args.debug`` also logs to stderr. Signals
SIGINT and SIGTERM quit cleanly: speech stops, the turn is interrupted, the session is
closed (its transcript synced). Test hook: with ``HARKEN_SPEECH_OUT=DIR`` in the
environment, every spoken text is written to ``DIR/speech-NNN.wav`` instead of played.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.app_windows import build_buddy as build_buddy  # public here too
from desktop.app_windows import build_windows
from desktop.app_windows import make_settings_window as make_settings_window

log = logging.getLogger("harken.app")

EXIT_OK, EXIT_FAILED = 0, 1
SPEECH_OUT_ENV = "HARKEN_SPEECH_OUT"
NO_DISPLAY = (
    "harken: no graphical session (DISPLAY and WAYLAND_DISPLAY are unset), so the tray app "
    "cannot start. Use `harken chat` for a conversation in the terminal."
)


def run_app(args: argparse.Namespace) -> int:
    """Run the tray app until it quits; returns the exit status."""
    if sys.platform.startswith("linux") and not _has_display():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_FAILED
    import signal

    # Until Qt's loop runs (which then quits cleanly on them), a signal just ends the start.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop_starting)
    from desktop import instance

    try:
        server = instance.claim()
    except instance.InstanceError as exc:
        print(f"harken: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if server is None:
        return _hand_over(instance)
    try:
        return _run(args, server)
    finally:
        server.close()


def _stop_starting(*_: Any) -> None:
    raise SystemExit(EXIT_OK)


def _has_display() -> bool:
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    return bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY") or platform == "offscreen"
    )


def _hand_over(instance: Any) -> int:
    """Another Harken runs: ask it to show its window."""
    try:
        reply = instance.send("show")
    except instance.InstanceError as exc:
        print(f"harken: Harken seems to be running but does not answer: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if reply != "ok":
        print(f"harken: the running Harken said: {reply}", file=sys.stderr)
        return EXIT_FAILED
    print("Harken is already running; its window is open.", file=sys.stderr)
    return EXIT_OK


def _run(args: argparse.Namespace, server: Any) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QSystemTrayIcon

    from desktop.tray import ICON_FILE, TrayIcon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Harken")
    app.setDesktopFileName("io.github.harken.Harken")
    app.setWindowIcon(QIcon(str(ICON_FILE)))
    app.setQuitOnLastWindowClosed(False)  # a tray app lives on without windows
    # The icon first; its menu, the settings and everything else follow in a moment.
    has_tray = QSystemTrayIcon.isSystemTrayAvailable()
    tray = TrayIcon() if has_tray else None
    if tray is not None:
        tray.show()
    shown_after = seconds_since_process_start()
    built: list[Any] = []  # the controller, once later() made it

    def later() -> None:
        from agent.config import load_config
        from desktop import logs
        from desktop.controller import Controller
        from desktop.tray import TrayMenu

        path = logs.setup(args.debug)
        log.info("Harken starting; log: %s", path)
        where = "tray icon shown" if has_tray else "no system tray: started"
        log.info("%s %.3f s after the process started", where, shown_after)
        config = load_config()
        for problem in config.problems:
            log.warning("%s", problem)
        controller = Controller(config, quit_app=app.quit)
        built.append(controller)
        menu = TrayMenu(controller)
        if tray is not None:
            tray.set_menu(menu)
            tray.clicked.connect(controller.show_conversation)
            controller.tray = tray
        start_parts(controller, server, has_tray, menu)

    QTimer.singleShot(0, later)
    _quit_on_signals(app)
    status = app.exec()
    # Here, not on aboutToQuit: a quit asked for while later() still ran (SIGTERM at start)
    # must still find everything later() started.
    for controller in built:
        controller.shutdown()
    log.info("Harken stopped")
    logging.shutdown()
    return EXIT_OK if status == 0 else EXIT_FAILED


def start_parts(controller: Any, server: Any, has_tray: bool, menu: Any) -> None:
    """Everything after the tray icon: agent, voice, windows, hotkey, instance socket."""
    from agent import credentials
    from desktop import first_run
    from desktop.background import Background
    from desktop.bridge import AgentBridge
    from desktop.bridge_host import TrayBridgeHost
    from desktop.controller import Parts
    from desktop.hotkey_service import HotkeyService
    from desktop.scheduled import start_scheduled
    from desktop.sessions import open_session, project_rules
    from desktop.sounds import CuePlayer
    from desktop.voice import Voice

    config = controller.config
    workspace = workspace_of(config)
    background = Background()
    first = FirstRequest(background, lambda: controller.config)

    def factory(resume: Any) -> Any:
        # Read at each new session, so changed settings and a newly stored key apply.
        config = controller.config
        where = workspace_of(config)
        if resume is not None and resume.meta.get("cwd"):
            where = Path(resume.meta["cwd"])
        rules = project_rules(where, lambda note: background.on_main(controller.notify, note))
        key = credentials.api_key()
        session = open_session(config, where, key, resume=resume, rules=rules)
        client = first.client_for(config, key)
        if client is not None:  # the one built while the key was held (no call made yet)
            session.client = client
        return session

    # Nothing to warm at start: FirstRequest loads the agent when the key first goes down.
    remote = TrayBridgeHost(controller)  # the bridge: other programs drive this Harken
    bridge = AgentBridge(remote.sessions(factory), warm_up=lambda: None)
    bridge.start()
    bridge.set_mode(config.mode)
    from agent.mcp.config import project_file, user_file

    if user_file().is_file() or project_file(workspace).is_file():
        bridge.start_mcp(workspace)  # their tools are there by the first turn
    speech_out = Path(os.environ[SPEECH_OUT_ENV]) if os.environ.get(SPEECH_OUT_ENV) else None
    voice = Voice(background, config, workspace, speech_out=speech_out)
    voice.model_ready.connect(lambda _seconds: controller.mark_ready("speech model"))
    voice.mic_ready.connect(lambda _name: controller.mark_ready("microphone"))
    voice.take_started.connect(first.prepare)
    voice.start()
    cues = CuePlayer(enabled=config.sound_cues, device=config.output_device or None)
    windows = build_windows(controller, config, menu, has_tray)
    if windows.get("buddy") is not None:
        windows["buddy"].visibility_changed.connect(controller.buddy_shown)
    controller.attach(
        Parts(
            background,
            bridge,
            voice,
            cues,
            windows.get("conversation"),
            windows.get("overlay"),
            windows.get("buddy"),
            workspace,
        )
    )

    start_auto_dream(controller, background)
    remote.start(bridge)  # serves until the app quits, then removes bridge.json

    def on_status(name: str, detail: str, ok: bool) -> None:
        if controller.settings_window is not None:
            controller.settings_window.set_hotkey_backend(name, detail)
        controller.hotkey_status = (name, detail)
        if not ok:
            controller.notify(f"No global hotkey: {detail}")
        controller.mark_ready("hotkey")

    controller.hotkey = HotkeyService(background, controller.press, controller.release, on_status)
    controller.hotkey.start(config)
    from desktop.dictation import start_dictation

    controller.dictation = start_dictation(controller, background, voice)
    from desktop.replies import start_replies

    start_replies(controller, background, voice)  # the tray's "Spoken replies"
    controller.scheduled = start_scheduled(controller, background)  # or the daemon's, if it runs
    server.serve(lambda message: on_instance_message(controller, background, message))
    first_run.check_api_key(controller, background)
    if not has_tray:
        first_run.explain_missing_tray(controller)


class FirstRequest:
    """What the first request of a session needs, made ready off the GUI thread when the
    key goes down: the agent's modules (``desktop.bridge.warm_up_agent``), the API key,
    and the SDK client with its HTTP connection pool. ``client_for`` hands the client to
    the session the bridge opens for that request; the next press prepares again."""

    def __init__(self, background: Any, config: Callable[[], Any]) -> None:
        self._background = background
        self._config = config
        self._lock = threading.Lock()
        self._busy = False  # preparing, or prepared and not used yet
        self._ready: tuple[tuple[Any, ...], Any] | None = None  # (what it was made for, client)

    def prepare(self, *_: Any) -> None:
        """Start preparing, unless that is done or under way (GUI thread)."""
        if self._busy:
            return
        self._busy = True
        self._background.run(self._prepare, None, self._failed)

    def _prepare(self) -> None:
        from agent import credentials
        from desktop.bridge import warm_up_agent
        from desktop.sessions import new_client

        warm_up_agent()
        config = self._config()
        key = credentials.api_key()
        if not key:
            self._busy = False  # the turn will say that a key is needed
            return
        client = new_client(config, key)
        _ = client.client  # the SDK client and its HTTP pool (an SSL context): built now
        with self._lock:
            self._ready = (_made_for(config, key), client)
        log.info("the first request is prepared")

    def _failed(self, exc: BaseException) -> None:
        self._busy = False  # the request builds what it needs itself, and says what fails
        log.warning("preparing the first request failed: %s", exc)

    def client_for(self, config: Any, key: str | None) -> Any:
        """The prepared client when it was made for this ``config`` and ``key``; else None
        (any thread; the one returned is not handed out again)."""
        with self._lock:
            ready, self._ready = self._ready, None
        if ready is None:
            return None
        self._busy = False
        made_for, client = ready
        return client if made_for == _made_for(config, key) else None


def _made_for(config: Any, key: str | None) -> tuple[Any, ...]:
    return (key, config.base_url, config.max_retries)


def workspace_of(config: Any) -> Path:
    """The folder the agent works in: the setting, or where Harken was started."""
    return Path(config.workspace).expanduser() if config.workspace else Path.cwd()


def start_auto_dream(controller: Any, background: Any) -> None:
    """Memory's consolidation when Harken idles (``desktop.auto_dream``): polled by a
    timer on the GUI thread; its checks and the dream itself run on the workers."""
    from PySide6.QtCore import QTimer

    from desktop import state as st
    from desktop.auto_dream import POLL_SECONDS, AutoDream

    def workspace() -> Path:
        return controller.parts.workspace if controller.parts is not None else Path.cwd()

    auto = AutoDream(background.run, controller.notify, workspace, lambda: controller.config)
    controller.auto_dream = auto
    timer = QTimer(controller)
    timer.setInterval(POLL_SECONDS * 1000)
    timer.timeout.connect(lambda: auto.poll(idle=controller.machine.state is st.State.IDLE))
    timer.start()


def on_instance_message(controller: Any, background: Any, message: str) -> str:
    """A message from ``harken ptt`` or a second ``harken`` (on the socket's thread)."""
    actions = {
        "show": controller.show_conversation,
        "ptt press": controller.press,
        "ptt release": controller.release,
        "ptt toggle": controller.toggle,
        "ptt press --dictate": lambda: controller.dictation.press(),
        "ptt release --dictate": lambda: controller.dictation.release(),
        "ptt toggle --dictate": lambda: controller.dictation.toggle(),
        "quit": controller.quit,
    }
    action = actions.get(message)
    if action is None:
        return f"error unknown message {message!r}"
    background.on_main(action)
    return "ok"


def _quit_on_signals(app: Any) -> None:
    """SIGINT and SIGTERM quit through Qt's loop (Python runs handlers only between
    bytecodes, so a wake-up pipe tells Qt to let it)."""
    import signal
    import socket

    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda: reader.recv(64))
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    app._harken_signal_pipe = (reader, writer, notifier)  # keep them alive with the app


def seconds_since_process_start() -> float:
    """Seconds since this process was started (Linux: from /proc; elsewhere since import)."""
    try:
        stat = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started_ticks = int(stat[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - started_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.monotonic() - _IMPORTED


_IMPORTED = time.monotonic()

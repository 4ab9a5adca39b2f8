"""Dictation: what is said is typed into the focused window, not sent to the agent.

    dictation = Dictation(voice, background, config)
    dictation.press() / release() / toggle()     the dictation hotkey, ``harken ptt --dictate``

A dictation take is an ordinary take of ``desktop.voice.Voice`` with a number of its own
(from ``FIRST_TAKE`` on, so the interaction's state machine ignores its text): the same
microphone, Whisper and workspace words (``audio.hotwords``). Its text gets spoken
punctuation and the user's replacement list (``audio.spoken_punctuation``) and is typed:

- X11: ``xdotool type --clearmodifiers`` (the hotkey's own modifiers may still be down);
- Wayland: ``wtype``, else ``ydotool type``; where neither is installed, the clipboard
  plus a paste keystroke, the clipboard restored after.

Takes in a row in the same focused window continue one text: where what was typed last
there did not end in whitespace and the new take does not start with punctuation or
whitespace, a space goes first ("...today." + "Please..." -> "...today. Please...");
a spoken "new line" at the start of a take already types its own line break. The focused
window is X11's active window (``xdotool getactivewindow``); where it cannot be asked
(Wayland), takes are joined as if typed into the same field.

A take with no speech types nothing, silently. A take dropped for any other reason (heard
but not understood, a recording problem) types nothing either, and says why in a
notification, as the tray shows it; part of a take lost (the recording bound reached) is
said in a notification at once and with what was typed. Nothing here needs an API key or
the network.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)

FIRST_TAKE = 1_000_000  # dictation takes are numbered apart from the agent's
LANE = "dictation"  # typing runs here, in order, off the GUI thread
RESTORE_MS = 500  # how long the pasted text stays on the clipboard before it is restored


class Dictation(QObject):
    """Dictation takes: recorded by ``voice``, typed by ``type_text``."""

    typed = Signal(str)  # the text typed (for the log and tests)

    def __init__(
        self,
        voice: Any,
        background: Any,
        config: Callable[[], Any],
        notify: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.voice = voice
        self.background = background
        self.config = config
        self.notify = notify or (lambda message: log.info("notice: %s", message))
        self._take = FIRST_TAKE
        # (focused window, text) of the last take typed: the next one continues it there.
        # Used on the typing lane only.
        self._last: tuple[str | None, str] = (None, "")
        self.recording = False
        self.hotkey: Any = None  # the dictation hotkey's HotkeyService, when one is set
        voice.transcript_ready.connect(self._heard)
        voice.transcript_empty.connect(self._empty)
        voice.take_warning.connect(self._warned)

    def press(self) -> None:
        """The dictation key went down (in toggle mode: start or stop)."""
        if self.config().hotkey_mode == "toggle":
            self.toggle()
        elif not self.recording:
            self._start()

    def release(self) -> None:
        """The dictation key came up (ignored in toggle mode)."""
        if self.config().hotkey_mode != "toggle" and self.recording:
            self._stop()

    def toggle(self) -> None:
        """Start dictating, or stop and type what was said."""
        if self.recording:
            self._stop()
        else:
            self._start()

    def _start(self) -> None:
        self._take += 1
        self.recording = True
        log.info("dictation take %d: recording", self._take)
        self.voice.start_take(self._take)

    def _stop(self) -> None:
        self.recording = False
        log.info("dictation take %d: released", self._take)
        self.voice.finish_take(self._take)

    def _mine(self, take: int) -> bool:
        return take == self._take and take > FIRST_TAKE

    def _heard(self, take: int, text: str) -> None:
        if not self._mine(take):
            return
        from audio.spoken_punctuation import dictated, parse_replacements

        typed = dictated(text, parse_replacements(self.config().dictation_replacements))
        log.info("dictation take %d: typing %r", take, typed)
        if not typed.strip():
            return
        self.background.run(lambda: self._type(typed), self._typed, self._failed, lane=LANE)

    def _type(self, text: str) -> str:
        """Type ``text`` after the last take's when the same window has the focus
        (typing lane); returns what was typed."""
        window = focused_window()
        last_window, last_text = self._last
        if window == last_window:
            text = continued(last_text, text)
        self._last = (window, text)
        type_text(text)
        return text

    def _typed(self, text: str) -> None:
        log.info("dictation typed %d characters", len(text))
        self.typed.emit(text)

    def _warned(self, take: int, message: str) -> None:
        """Part of a dictation take is lost (``Voice.take_warning``: the recording bound,
        the microphone gone quiet, sound dropped): said at once while the key is held, and
        again, with the last words kept, when what was heard is typed. The agent's takes
        are shown in the overlay (``Controller``); a dictation take has none."""
        if self._mine(take):
            log.warning("dictation take %d: %s", take, message)
            self.notify(f"Dictation: {message}")

    def _empty(self, take: int, why: str) -> None:
        if not self._mine(take):
            return
        log.info("dictation take %d: nothing typed (%s)", take, why)
        if not why.startswith(NO_SPEECH):  # a tap with nothing said needs no message
            self.notify(f"Dictation typed nothing: {why}.")

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, NoTyping):
            self.background.on_main(paste_with_clipboard, str(exc.text))
            return
        log.warning("dictation: %s", exc)


NO_SPEECH = "no speech"  # how audio.lost's reason for a take without speech starts
_NO_SPACE_BEFORE = ".,;:!?)]}%'\"…"


def continued(previous: str, text: str) -> str:
    """``text`` as typed after ``previous`` in the same field: a space between them where
    ``previous`` does not end in whitespace and ``text`` starts with a word."""
    if not previous or not text or previous[-1].isspace() or text[0].isspace():
        return text
    return text if text[0] in _NO_SPACE_BEFORE else " " + text


def focused_window() -> str | None:
    """The focused window's id where X11 can say (xdotool), else None."""
    if os.environ.get("WAYLAND_DISPLAY") or not os.environ.get("DISPLAY"):
        return None
    if not shutil.which("xdotool"):
        return None
    try:
        done = subprocess.run(
            ["xdotool", "getactivewindow"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None


class NoTyping(RuntimeError):
    """No way to synthesise keys here: the text goes through the clipboard instead."""

    def __init__(self, text: str) -> None:
        super().__init__("no key-typing tool (xdotool, wtype, ydotool)")
        self.text = text


def typing_command(text: str, env: dict[str, str] | None = None) -> list[str] | None:
    """The command that types ``text`` into the focused window here, or None."""
    env = dict(os.environ) if env is None else env
    wayland = bool(env.get("WAYLAND_DISPLAY"))
    if wayland and shutil.which("wtype"):
        return ["wtype", "--", text]
    if wayland and shutil.which("ydotool"):
        return ["ydotool", "type", "--", text]
    if env.get("DISPLAY") and shutil.which("xdotool"):
        return ["xdotool", "type", "--clearmodifiers", "--delay", "4", "--", text]
    return None


def type_text(text: str) -> None:
    """Type ``text`` into the focused window (background thread); ``NoTyping`` when no
    tool can, so the caller pastes it instead."""
    command = typing_command(text)
    if command is None:
        raise NoTyping(text)
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def paste_with_clipboard(text: str) -> None:
    """Put ``text`` on the clipboard, send the paste keystroke, and restore what the
    clipboard held (GUI thread: Qt's clipboard lives there)."""
    from PySide6.QtGui import QGuiApplication

    clipboard = QGuiApplication.clipboard()
    before = clipboard.text()
    clipboard.setText(text)
    keys = (
        ["wtype", "-M", "ctrl", "v", "-m", "ctrl"]
        if os.environ.get("WAYLAND_DISPLAY") and shutil.which("wtype")
        else ["xdotool", "key", "--clearmodifiers", "ctrl+v"]
        if shutil.which("xdotool")
        else None
    )
    if keys is None:
        log.warning("dictation: text left on the clipboard (no way to send the paste keystroke)")
        return
    subprocess.run(keys, check=False, capture_output=True, timeout=10)
    QTimer.singleShot(RESTORE_MS, lambda: clipboard.setText(before))


def start_dictation(controller: Any, background: Any, voice: Any) -> Dictation:
    """Dictation for the running app: the object, and its own hotkey when one is set."""
    from PySide6.QtCore import QCoreApplication

    from agent.config import Config
    from desktop.hotkey_service import HotkeyService

    dictation = Dictation(voice, background, lambda: controller.config, controller.notify)
    config = controller.config
    if config.dictation_hotkey:
        hotkey_config = Config({**config.values, "hotkey": config.dictation_hotkey}, [])

        def on_status(name: str, detail: str, ok: bool) -> None:
            log.info("dictation hotkey: %s (%s)", name, detail)

        service = HotkeyService(background, dictation.press, dictation.release, on_status)
        service.start(hotkey_config)
        dictation.hotkey = service
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(lambda: service.stop(quitting=True))
    return dictation

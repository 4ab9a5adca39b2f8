"""The controller wires the state machine to the app's parts: offscreen, with the real
overlay, conversation window and permission dialog, and recording stand-ins for the voice
pipeline and the agent bridge (their own tests run them for real)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from agent.config import load_config
from agent.events import PermissionAnswer, PermissionRequested, TurnStarted
from desktop.background import Background
from desktop.bridge import Outcome
from desktop.controller import Controller, Parts
from desktop.state import State
from desktop.windows.conversation import ConversationWindow
from desktop.windows.overlay import RecordingOverlay
from desktop.windows.permission import PermissionDialog


class Calls:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def named(self, name: str) -> list[tuple[Any, ...]]:
        return [c[1:] for c in self.calls if c[0] == name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args: self.calls.append((name, *args))


class FakeVoice(QObject, Calls):
    transcript_ready = Signal(int, str)
    transcript_empty = Signal(int, str)
    take_warning = Signal(int, str)
    failed = Signal(str)
    speech_done = Signal()

    def __init__(self) -> None:
        QObject.__init__(self)
        Calls.__init__(self)

    def level(self) -> float:
        return 0.5


class FakeBridge(QObject, Calls):
    event = Signal(object)
    turn_done = Signal(object)
    session_changed = Signal(object)
    failed = Signal(str)
    plan_done = Signal(object)

    def __init__(self) -> None:
        QObject.__init__(self)
        Calls.__init__(self)


class Quit:
    asked = False

    def __call__(self) -> None:
        self.asked = True


@pytest.fixture
def app(qtbot: Any, workspace: Path) -> Any:
    voice, bridge = FakeVoice(), FakeBridge()
    conversation, overlay = ConversationWindow(), RecordingOverlay()
    qtbot.addWidget(conversation)
    qtbot.addWidget(overlay)
    controller = Controller(load_config(), quit_app=Quit())
    parts = Parts(Background(immediate=True), bridge, voice, None, conversation, overlay, None)
    parts.workspace = workspace
    controller.attach(parts)
    yield controller
    controller.shutdown()
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, PermissionDialog):
            widget.close()


def speak(controller: Controller, words: str) -> None:
    controller.press()
    controller.release()
    take = controller.machine.take
    controller.parts.voice.transcript_ready.emit(take, words)  # type: ignore[union-attr]


def test_a_spoken_request_goes_from_the_key_to_the_agent(qtbot: Any, app: Controller) -> None:
    voice, bridge = app.parts.voice, app.parts.bridge  # type: ignore[union-attr]
    app.press()
    assert voice.named("start_take") == [(1,)]
    assert app.parts.overlay.mode == "recording"  # type: ignore[union-attr]
    assert app.display == "listening"
    app.release()
    assert voice.named("finish_take") == [(1,)]
    assert app.display == "transcribing"

    voice.transcript_ready.emit(1, "list the files")
    assert bridge.named("submit") == [("list the files",)]
    assert app.machine.state is State.THINKING
    assert app.last_transcript() == "list the files"
    assert "list the files" in app.parts.conversation.plain_text()  # type: ignore[union-attr]


def test_the_answer_is_summarised_aloud_and_a_press_cuts_it_off(
    qtbot: Any, app: Controller
) -> None:
    voice, bridge = app.parts.voice, app.parts.bridge  # type: ignore[union-attr]
    speak(app, "run the tests")
    answer = "I ran the tests.\n\n```\n12 passed\n```\nAll twelve pass. Nothing else changed."
    bridge.turn_done.emit(Outcome("end_turn", answer))
    assert voice.named("speak") == [("I ran the tests. All twelve pass.",)]
    assert app.display == "speaking"

    app.press()  # barge-in
    assert voice.named("stop_speech") == [()]
    assert voice.named("start_take")[-1] == (2,)
    voice.speech_done.emit()  # the stopped speech ends late: still recording
    assert app.display == "listening"


def test_with_summaries_off_nothing_is_said(qtbot: Any, app: Controller) -> None:
    app.apply_settings(app.config.override(speak_summaries=False), {"speak_summaries"})
    speak(app, "run the tests")
    app.parts.bridge.turn_done.emit(Outcome("end_turn", "Done."))  # type: ignore[union-attr]
    assert app.parts.voice.named("speak") == []  # type: ignore[union-attr]
    assert app.machine.state is State.IDLE


def test_a_permission_dialog_answer_reaches_the_request(qtbot: Any, app: Controller) -> None:
    loop = asyncio.new_event_loop()
    future = loop.create_future()
    request = PermissionRequested(
        "c1", "Write", "Writing notes.txt", {"file_path": "notes.txt", "content": "x"},
        "writes a file", "low", "Write(notes.txt)", future,
    )  # fmt: skip
    speak(app, "write notes")
    app.on_agent_event(TurnStarted("s1", "write notes"))
    app.on_agent_event(request)
    assert app.display == "waiting"
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PermissionDialog))
    qtbot.waitUntil(lambda: dialog.armed, timeout=30_000)  # only a hang takes this long
    dialog.allow_always()
    loop.run_until_complete(asyncio.sleep(0))
    assert future.result() == PermissionAnswer(True, always=True)
    assert app.display == "working"
    loop.close()


def test_stop_interrupts_the_turn_and_closes_its_question(qtbot: Any, app: Controller) -> None:
    loop = asyncio.new_event_loop()
    request = PermissionRequested(
        "c2", "Bash", "Run rm -rf build", {"command": "rm -rf build"}, "deletes", "high", None,
        loop.create_future(),
    )  # fmt: skip
    speak(app, "clean up")
    app.on_agent_event(request)
    app.stop()
    assert app.parts.bridge.named("interrupt") == [()]  # type: ignore[union-attr]
    assert app.machine.state is State.IDLE
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, PermissionDialog)
                and w.isVisible()]  # fmt: skip
    # The interrupted turn ends later: nothing is said, the state stays idle.
    app.parts.bridge.turn_done.emit(Outcome("interrupted"))  # type: ignore[union-attr]
    assert app.machine.state is State.IDLE
    loop.close()


def test_a_failed_turn_shows_the_error(qtbot: Any, app: Controller) -> None:
    notes: list[str] = []
    app.notify = lambda message, **_: notes.append(message)  # type: ignore[method-assign]
    app.make_settings_window = None
    app.parts.conversation.submitted.emit("hello")  # type: ignore[union-attr]
    app.parts.bridge.turn_done.emit(  # type: ignore[union-attr]
        Outcome("error", error="Cannot reach the API at http://127.0.0.1:9.")
    )
    assert app.display == "error"
    assert notes[-1] == "Cannot reach the API at http://127.0.0.1:9."
    app.press()
    assert app.display == "listening"


def test_mode_from_the_tray_is_saved_and_applied(
    qtbot: Any, app: Controller, isolated_env: Path
) -> None:
    app.set_mode("auto")
    config = isolated_env / "xdg_config_home" / "harken" / "config.toml"
    assert 'mode = "auto"' in config.read_text()
    assert app.mode == "auto"
    (applied,) = app.parts.bridge.named("set_config")  # type: ignore[union-attr]
    assert applied[0].mode == "auto"


def test_settings_saved_in_the_window_apply_at_once(qtbot: Any, app: Controller) -> None:
    app.settings_saved({"hotkey_mode": "toggle", "transcript_grace_seconds": 2})
    assert app.machine.mode == "toggle" and app.machine.grace_seconds == 2
    app.press()
    app.release()
    assert app.machine.state is State.RECORDING  # press-once: the release does nothing
    app.press()
    app.parts.voice.transcript_ready.emit(1, "delete the build folder")  # type: ignore[union-attr]
    assert app.machine.state is State.CONFIRMING
    assert app.parts.bridge.named("submit") == []  # type: ignore[union-attr]
    app.parts.overlay.confirmed.emit("delete the build folder")  # type: ignore[union-attr]
    assert app.parts.bridge.named("submit") == [("delete the build folder",)]  # type: ignore[union-attr]


def test_editing_the_heard_text_puts_it_in_the_conversation_box(
    qtbot: Any, app: Controller
) -> None:
    app.settings_saved({"transcript_grace_seconds": 5})
    speak(app, "delete the build folder")
    app.parts.overlay.edit()  # type: ignore[union-attr]
    conversation = app.parts.conversation
    assert conversation.prompt.toPlainText() == "delete the build folder"  # type: ignore[union-attr]
    assert app.machine.state is State.IDLE
    assert app.parts.bridge.named("submit") == []  # type: ignore[union-attr]


def test_pause_listening_closes_the_microphone_and_refuses_presses(
    qtbot: Any, app: Controller
) -> None:
    app.set_paused(True)
    app.press()
    assert app.parts.voice.named("close_mic") == [()]  # type: ignore[union-attr]
    assert app.parts.voice.named("start_take") == []  # type: ignore[union-attr]
    assert app.display == "paused"
    app.set_paused(False)
    assert app.parts.voice.named("open_mic") == [()]  # type: ignore[union-attr]


def test_quitting_stops_speech_and_closes_the_session(qtbot: Any, app: Controller) -> None:
    speak(app, "hello")
    app.shutdown()
    assert app.parts.bridge.named("interrupt") == [()]  # type: ignore[union-attr]
    assert app.parts.bridge.named("close") == [()]  # type: ignore[union-attr]
    assert app.parts.voice.named("close") == [()]  # type: ignore[union-attr]
    app.press()  # after quitting nothing starts any more
    assert app.parts.voice.named("start_take") == [(1,)]  # type: ignore[union-attr]


def test_an_effect_that_fails_ends_as_an_error_not_a_stuck_state(
    qtbot: Any, app: Controller
) -> None:
    def broken(take: int) -> None:
        raise RuntimeError("The microphone is gone.")

    app.parts.voice.start_take = broken  # type: ignore[union-attr]
    app.press()
    assert app.machine.state is State.IDLE
    assert app.display == "error" and app.machine.error == "The microphone is gone."


def test_a_long_step_earns_a_spoken_progress_line(
    qtbot: Any, app: Controller, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agent.events import ToolFinished, ToolStarted
    from desktop import spoken_progress

    monkeypatch.setattr(spoken_progress, "PROGRESS_AFTER_MS", 50)
    app.apply_settings(app.config.override(progress_updates=True), {"progress_updates"})
    app.parts.conversation.submitted.emit("run the tests")  # type: ignore[union-attr]
    app.on_agent_event(ToolStarted("t1", "Bash", "Running `pytest -q`", {}))
    app.on_agent_event(ToolStarted("t2", "Bash", "Running `ls`", {}))
    app.on_agent_event(ToolFinished("t2", "Bash", "Running `ls`", "", False, 3.0))
    qtbot.waitUntil(lambda: bool(app.parts.voice.named("speak")), timeout=30_000)  # type: ignore[union-attr]
    # The finished step stays silent: known once a step started after it has had its own
    # line, since their timers are equally long.
    app.on_agent_event(ToolStarted("t3", "Bash", "Running `make`", {}))
    qtbot.waitUntil(lambda: len(app.parts.voice.named("speak")) >= 2, timeout=30_000)  # type: ignore[union-attr]
    assert app.parts.voice.named("speak") == [  # type: ignore[union-attr]
        ("Still running pytest -q.",),
        ("Still running make.",),
    ]
    assert app.machine.state is State.THINKING


def test_a_question_nobody_answers_counts_as_no(qtbot: Any, app: Controller) -> None:
    app.apply_settings(app.config.override(permission_timeout_seconds=1), set())
    loop = asyncio.new_event_loop()
    future = loop.create_future()
    request = PermissionRequested(
        "c3", "Bash", "Run make", {"command": "make"}, "runs a program", "medium", None, future
    )
    app.parts.conversation.submitted.emit("build it")  # type: ignore[union-attr]
    app.on_agent_event(request)
    qtbot.waitUntil(lambda: app.display == "working", timeout=30_000)  # only a hang takes this long
    loop.run_until_complete(asyncio.sleep(0))
    answer = future.result()
    assert not answer.allow and "no answer within 1 s" in answer.message
    loop.close()


def test_while_a_question_waits_the_window_says_which(qtbot: Any, app: Controller) -> None:
    from desktop.windows.mini import MiniWindow

    mini = MiniWindow()
    qtbot.addWidget(mini)
    app.mini = mini
    loop = asyncio.new_event_loop()
    request = PermissionRequested(
        "c4", "Bash", "Run make", {"command": "make"}, "runs a program", "medium", None,
        loop.create_future(),
    )  # fmt: skip
    app.parts.conversation.submitted.emit("build it")  # type: ignore[union-attr]
    app.on_agent_event(request)
    assert mini.toolTip() == "Harken: allow Bash? Run make"
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PermissionDialog))
    qtbot.waitUntil(lambda: dialog.armed, timeout=30_000)  # only a hang takes this long
    dialog.deny()
    assert app.display == "working"
    assert "allow" not in mini.toolTip()
    loop.close()

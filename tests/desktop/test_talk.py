"""Talking with Harken while it works: the hotkey during a turn records a follow-up, a
"stop", or a spoken answer to the open permission or question dialog; questions are said
aloud; conversation mode listens again after a reply. Offscreen, with the real dialogs and
the recording stand-ins of ``test_controller`` for the voice pipeline and the bridge."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from agent.config import load_config
from agent.events import PermissionAnswer, PermissionRequested, TurnStarted
from agent.questions import Option, Question, QuestionAnswer, QuestionAsked
from desktop.background import Background
from desktop.bridge import Outcome
from desktop.controller import Controller, Parts
from desktop.state import BUSY_HINT, State
from desktop.windows.conversation import ConversationWindow
from desktop.windows.overlay import RecordingOverlay
from desktop.windows.permission import PermissionDialog
from desktop.windows.question import QuestionDialog
from tests.desktop.test_controller import FakeBridge, FakeVoice, Quit, speak


@pytest.fixture
def app(qtbot: Any, workspace: Any) -> Iterator[Controller]:
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
        if isinstance(widget, PermissionDialog | QuestionDialog):
            widget.close()


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def working(app: Controller, words: str = "clean up the build") -> None:
    speak(app, words)
    app.parts.bridge.event.emit(TurnStarted("s1", words))  # type: ignore[union-attr]
    assert app.machine.state is State.THINKING


def say_during_turn(app: Controller, words: str) -> int:
    """Hold the key during the turn, let go, and let the side take's text come."""
    voice = app.parts.voice
    before = len(voice.named("start_take"))  # type: ignore[union-attr]
    app.press()
    app.release()
    started = voice.named("start_take")  # type: ignore[union-attr]
    assert len(started) == before + 1, "no take was recorded during the turn"
    take = started[-1][0]
    assert voice.named("finish_take")[-1] == (take,)  # type: ignore[union-attr]
    voice.transcript_ready.emit(take, words)  # type: ignore[union-attr]
    return take


def spoken(app: Controller) -> list[str]:
    return [c[0] for c in app.parts.voice.named("speak")]  # type: ignore[union-attr]


def notices(app: Controller) -> list[str]:
    return [c[0] for c in app.parts.voice.named("notify")]  # type: ignore[union-attr]


def test_the_hotkey_during_a_turn_records_a_follow_up_for_it(qtbot: Any, app: Controller) -> None:
    working(app)
    notified: list[str] = []
    app.notify = lambda message, title="Harken": notified.append(message)  # type: ignore[method-assign]
    take = say_during_turn(app, "Also remove the dist folder.")
    bridge = app.parts.bridge
    assert bridge.named("follow_up") == [("Also remove the dist folder.",)]  # type: ignore[union-attr]
    assert bridge.named("submit") == [("clean up the build",)]  # type: ignore[union-attr]
    assert app.machine.state is State.THINKING  # the turn goes on
    assert take != app.machine.take
    assert BUSY_HINT not in notified
    assert any("Also remove the dist folder." in n for n in notified)


def test_saying_stop_during_a_turn_interrupts_it(qtbot: Any, app: Controller) -> None:
    working(app)
    say_during_turn(app, "Stop, that's the wrong folder.")
    assert app.parts.bridge.named("interrupt") == [()]  # type: ignore[union-attr]
    assert app.parts.bridge.named("follow_up") == []  # type: ignore[union-attr]
    assert app.machine.state is State.IDLE


def test_a_follow_up_heard_after_the_turn_ended_becomes_the_next_request(
    qtbot: Any, app: Controller
) -> None:
    app.config = app.config.override(speak_summaries=False)
    working(app)
    app.press()
    app.release()
    take = app.parts.voice.named("start_take")[-1][0]  # type: ignore[union-attr]
    app.parts.bridge.turn_done.emit(Outcome("end_turn", "Done."))  # type: ignore[union-attr]
    app.parts.voice.transcript_ready.emit(take, "Now run the tests.")  # type: ignore[union-attr]
    assert app.parts.bridge.named("submit")[-1] == ("Now run the tests.",)  # type: ignore[union-attr]
    assert app.machine.state is State.THINKING


def ask_permission(app: Controller, loop: asyncio.AbstractEventLoop, rule: str | None) -> Any:
    future = loop.create_future()
    request = PermissionRequested(
        "c1", "Bash", "Running `rm -rf build`", {"command": "rm -rf build"}, "deletes files",
        "high", rule, future,
    )  # fmt: skip
    working(app)
    app.parts.bridge.event.emit(request)  # type: ignore[union-attr]
    dialog = app.permissions.dialog()
    assert dialog is not None and dialog.request is request
    return future, dialog


@pytest.mark.parametrize(
    ("said", "answer"),
    [
        ("Yes.", PermissionAnswer(True)),
        ("Allow.", PermissionAnswer(True)),
        ("Always.", PermissionAnswer(True, always=True)),
    ],
)
def test_a_spoken_yes_answers_the_permission_question(
    qtbot: Any, app: Controller, loop: asyncio.AbstractEventLoop, said: str, answer: Any
) -> None:
    future, dialog = ask_permission(app, loop, "Bash(rm -rf build)")
    assert spoken(app) == ["Harken wants to delete the build folder. Allow?"]
    qtbot.waitUntil(lambda: dialog.armed, timeout=30_000)
    say_during_turn(app, said)
    loop.run_until_complete(asyncio.sleep(0))
    assert future.result() == answer
    assert app.machine.state is State.THINKING
    if answer.always:
        assert spoken(app)[-1] == "Always allowed: Bash, rm -rf build."


def test_a_spoken_no_denies_at_once_and_unclear_words_leave_the_dialog_open(
    qtbot: Any, app: Controller, loop: asyncio.AbstractEventLoop
) -> None:
    future, dialog = ask_permission(app, loop, None)
    say_during_turn(app, "Hmm, let me think.")
    assert not future.done() and dialog.isVisible()
    assert spoken(app)[-1] == "Say yes, no or always."
    say_during_turn(app, "No.")  # even before Allow is armed
    loop.run_until_complete(asyncio.sleep(0))
    assert future.result().allow is False
    assert app.parts.bridge.named("follow_up") == []  # type: ignore[union-attr]


QUESTION = Question(
    "Which database should I use?",
    "Database",
    (Option("Postgres", "A server"), Option("SQLite", "A file")),
)


def ask_question(app: Controller, loop: asyncio.AbstractEventLoop, question: Question) -> Any:
    future: asyncio.Future[QuestionAnswer] = loop.create_future()
    working(app, "set up storage")
    app.parts.bridge.event.emit(QuestionAsked((question,), future))  # type: ignore[union-attr]
    dialog = next(iter(app.talk.questions.values()))
    assert dialog.isVisible()
    return future, dialog


def test_a_question_is_said_and_answered_by_voice(
    qtbot: Any, app: Controller, loop: asyncio.AbstractEventLoop
) -> None:
    future, dialog = ask_question(app, loop, QUESTION)
    assert spoken(app) == ["Which database should I use? Postgres, or SQLite?"]
    say_during_turn(app, "Something else entirely.")  # no option named: still open
    assert dialog.isVisible() and not future.done()
    say_during_turn(app, "The second one.")
    loop.run_until_complete(asyncio.sleep(0))
    assert future.result() == QuestionAnswer({"Which database should I use?": "SQLite"})
    assert not dialog.isVisible()


def test_a_question_is_answered_by_click_and_a_free_one_by_typing(
    qtbot: Any, app: Controller, loop: asyncio.AbstractEventLoop
) -> None:
    future, dialog = ask_question(app, loop, QUESTION)
    dialog.send_button.click()  # nothing chosen yet: nothing sent
    assert not future.done()
    dialog.boxes[0].buttons[0].click()
    dialog.send_button.click()
    loop.run_until_complete(asyncio.sleep(0))
    assert future.result().answers == {"Which database should I use?": "Postgres"}

    free = Question("What should the project be called?")
    future, dialog = ask_question(app, loop, free)
    qtbot.keyClicks(dialog.boxes[0].own, "Harken")
    dialog.send_button.click()
    loop.run_until_complete(asyncio.sleep(0))
    assert future.result().answers == {"What should the project be called?": "Harken"}


def test_a_question_left_open_when_the_turn_ends_is_declined(
    qtbot: Any, app: Controller, loop: asyncio.AbstractEventLoop
) -> None:
    future, dialog = ask_question(app, loop, QUESTION)
    app.parts.bridge.turn_done.emit(Outcome("interrupted"))  # type: ignore[union-attr]
    loop.run_until_complete(asyncio.sleep(0))
    assert future.result().declined
    assert not dialog.isVisible()


def test_conversation_mode_listens_after_the_reply_and_that_s_all_ends_it(
    qtbot: Any, app: Controller
) -> None:
    app.config = app.config.override(conversation_mode=True)
    assert app.conversation_mode
    speak(app, "what time is it")
    first = app.machine.take
    app.parts.bridge.turn_done.emit(Outcome("end_turn", "It is noon."))  # type: ignore[union-attr]
    assert app.machine.state is State.SPEAKING
    assert app.machine.take == first  # nothing listens while Harken speaks
    app.parts.voice.speech_done.emit()  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: app.machine.state is State.RECORDING, timeout=30_000)
    take = app.machine.take
    assert take == first + 1
    assert app.parts.voice.named("start_take")[-1] == (take,)  # type: ignore[union-attr]
    assert app.parts.overlay.mode == "recording"  # type: ignore[union-attr]

    app.release()  # as the detector would end it
    app.parts.voice.transcript_ready.emit(take, "Thanks, that's all.")  # type: ignore[union-attr]
    assert app.machine.state is State.IDLE
    assert app.parts.bridge.named("submit") == [("what time is it",)]  # type: ignore[union-attr]


def test_without_conversation_mode_the_microphone_stays_closed_after_a_reply(
    qtbot: Any, app: Controller
) -> None:
    app.config = app.config.override(conversation_mode=False)
    speak(app, "what time is it")
    app.parts.bridge.turn_done.emit(Outcome("end_turn", "It is noon."))  # type: ignore[union-attr]
    app.parts.voice.speech_done.emit()  # type: ignore[union-attr]
    # Conversation mode would arm its timer right here, as the reply ends: nothing armed
    # means no take will start, without waiting out the timer.
    assert not app.talk.hands_free.listening
    assert app.machine.state is State.IDLE
    assert len(app.parts.voice.named("start_take")) == 1  # type: ignore[union-attr]

"""Questions the model asks the user (the ``AskUserQuestion`` tool), and the way to a host.

    Option(label, description)          one choice
    Question(question, header, options, multi_select)   options empty: a free question
    QuestionAsked                       the event a host answers (``answer`` / ``decline``)
    Questions(emit)                     a session's channel: ``serve()`` says a host answers
                                        questions; ``ask(questions)`` waits for its answer,
                                        or returns None at once when no host serves
    talk_channels(ctx, emit)            a session's ``FollowUps`` and ``Questions``

A host (the tray app, ``harken ask`` on a terminal) calls ``serve()`` when it starts
listening and answers each ``question_asked`` event from any thread, like a permission
question. Without a host nobody could answer: the tool then tells the model so at once
instead of waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from agent.events import Event
from agent.follow_ups import FollowUps


@dataclass(frozen=True)
class Option:
    label: str
    description: str = ""


@dataclass(frozen=True)
class Question:
    question: str
    header: str = ""
    options: tuple[Option, ...] = ()
    multi_select: bool = False


@dataclass(frozen=True)
class QuestionAnswer:
    """The user's answers (question text -> answer text), or ``declined`` with why."""

    answers: dict[str, str] = field(default_factory=dict)
    declined: str = ""


@dataclass(frozen=True)
class QuestionAsked(Event):
    """The model asks the user; resolve with ``answer(...)`` or ``decline(...)`` from any
    thread (later calls are ignored)."""

    kind: ClassVar[str] = "question_asked"
    questions: tuple[Question, ...]
    _future: asyncio.Future[QuestionAnswer] = field(
        repr=False, compare=False, metadata={"json": False}
    )

    def answer(self, answers: dict[str, str]) -> None:
        """The user answered: question text -> the chosen label(s) or their own words."""
        self._resolve(QuestionAnswer(dict(answers)))

    def decline(self, why: str) -> None:
        """No answer (the dialog was closed, the turn stopped): ``why`` goes to the model."""
        self._resolve(QuestionAnswer(declined=why or "The user did not answer."))

    @property
    def answered(self) -> bool:
        return self._future.done()

    def _resolve(self, answer: QuestionAnswer) -> None:
        loop = self._future.get_loop()

        def resolve() -> None:
            if not self._future.done():
                self._future.set_result(answer)

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            resolve()
        else:
            loop.call_soon_threadsafe(resolve)


class Questions:
    """A session's way to ask its user; hosts that can answer say so with ``serve``."""

    def __init__(self, emit: Callable[[Event], None]) -> None:
        self._emit = emit
        self._hosts = 0

    def serve(self) -> Callable[[], None]:
        """A host answers ``question_asked`` events from now on; returns its goodbye."""
        self._hosts += 1
        done = False

        def leave() -> None:
            nonlocal done
            if not done:
                done = True
                self._hosts -= 1

        return leave

    @property
    def served(self) -> bool:
        return self._hosts > 0

    async def ask(self, questions: tuple[Question, ...]) -> QuestionAnswer | None:
        """Ask and wait for the answer; None when no host could ask anybody."""
        if not self.served:
            return None
        future: asyncio.Future[QuestionAnswer] = asyncio.get_running_loop().create_future()
        event = QuestionAsked(questions, future)
        self._emit(event)
        try:
            return await asyncio.shield(future)
        finally:
            if not future.done():  # interrupted: a late answer is ignored
                future.cancel()


def talk_channels(ctx: Any, emit: Callable[[Event], None]) -> tuple[FollowUps, Questions]:
    """A session's follow-up queue and question channel; the channel is also put on the
    tool context, where ``AskUserQuestion`` finds it."""
    questions = Questions(emit)
    ctx.questions = questions
    return FollowUps(), questions

"""AskUserQuestion: the model asks the user a multiple-choice or free question.

The input has Claude Code's shape: ``questions``, each with ``question``, ``header`` (a
short tag), ``options`` (``label`` and ``description``) and ``multiSelect``. The question
goes to the session's host (``agent.questions``): the tray app speaks and shows it, a
terminal prints it. The result gives each answer; without a host (no one to ask) or when
the user gives none, it is an error result that says so, and the model goes on.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from agent.questions import Option, Question
from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext

DESCRIPTION = """\
Asks the user one to four questions and waits for the answers. Use it when you need the \
user's choice or a fact only they know (which of several approaches, a name, a preference) \
and guessing would waste work; do not use it to ask for permission to use a tool. The \
user hears the question and answers by voice or by clicking, so keep each question to \
one short sentence and each option's label to a few words people can say aloud.
- header: a very short tag for the question (at most 12 characters), e.g. "Database".
- options: two to four choices, each a label and a one-line description; leave it out \
for a free question, answered in the user's own words. The user can always answer in \
their own words instead of picking.
- multiSelect: true when several options may be chosen."""

NOBODY = (
    "Nobody can answer questions here: Harken runs without a person to ask (no tray app "
    "or terminal). Go on with your best judgement and say what you assumed."
)


class OptionInput(BaseModel):
    """One choice."""

    label: str = Field(min_length=1, description="What the user says or clicks (1-5 words)")
    description: str = Field(default="", description="What choosing it means")


class QuestionInput(BaseModel):
    """One question."""

    model_config = ConfigDict(populate_by_name=True)

    question: str = Field(min_length=1, description="The question, one short sentence")
    header: str = Field(default="", max_length=40, description="A short tag (≤12 characters)")
    options: list[OptionInput] = Field(default_factory=list, max_length=6)
    multi_select: bool = Field(default=False, alias="multiSelect")


class AskUserQuestionInput(BaseModel):
    """Input of the AskUserQuestion tool."""

    questions: list[QuestionInput] = Field(min_length=1, max_length=4)


def to_questions(params: AskUserQuestionInput) -> tuple[Question, ...]:
    """The runtime's questions for the tool's input."""
    return tuple(
        Question(
            q.question,
            q.header,
            tuple(Option(o.label, o.description) for o in q.options),
            q.multi_select,
        )
        for q in params.questions
    )


async def run(params: AskUserQuestionInput, ctx: ToolContext) -> str:
    """Ask the host; the answers as text, or a ``ToolError`` saying why there are none."""
    channel = getattr(ctx, "questions", None)
    questions = to_questions(params)
    answer = await channel.ask(questions) if channel is not None else None
    if answer is None:
        raise ToolError(NOBODY)
    if answer.declined:
        raise ToolError(f"The user did not answer: {answer.declined}")
    lines = [f'"{q.question}" = "{answer.answers.get(q.question, "")}"' for q in questions]
    return (
        "The user answered your questions: "
        + "; ".join(lines)
        + ". Go on with these answers in mind."
    )


def describe(params: AskUserQuestionInput, ctx: ToolContext) -> str:
    """``Asking: Which database?``"""
    return f"Asking: {params.questions[0].question}"


ASK_USER_QUESTION = Tool(
    name="AskUserQuestion",
    description=DESCRIPTION,
    input_model=AskUserQuestionInput,
    kind=ToolKind.INTERNAL,
    run=run,
    describe=describe,
)

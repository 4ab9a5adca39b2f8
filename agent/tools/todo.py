"""TodoWrite: the session's task list, replaced whole on every call."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from agent.tools.base import Tool, ToolKind
from agent.tools.context import ToolContext

DESCRIPTION = """\
Creates and updates a task list for the current work, which the user sees. Use it for \
tasks of three or more steps or when the user gives several things to do; skip it for a \
single simple request.
- Send the whole list every time; it replaces the previous one.
- Each item: content (imperative, "Run the tests"), activeForm (present continuous, \
"Running the tests") and status: pending, in_progress or completed.
- Keep exactly one item in_progress while working. Mark an item completed as soon as it \
is done, not in batches, and only when it is fully done (tests pass, nothing left)."""


class TodoItem(BaseModel):
    """One task of the list."""

    model_config = ConfigDict(populate_by_name=True)

    content: str = Field(min_length=1, description="The task, imperative: 'Run the tests'")
    status: Literal["pending", "in_progress", "completed"]
    active_form: str = Field(
        min_length=1,
        alias="activeForm",
        description="The task while it is being done: 'Running the tests'",
    )


class TodoWriteInput(BaseModel):
    """Input of the TodoWrite tool."""

    todos: list[TodoItem] = Field(description="The complete, updated task list")


async def run(params: TodoWriteInput, ctx: ToolContext) -> str:
    """Replace ``ctx.todos`` and confirm with counts."""
    ctx.todos = [item.model_dump(by_alias=True) for item in params.todos]
    counts = Counter(item.status for item in params.todos)
    if not params.todos:
        return "Todo list cleared."
    return (
        f"Todo list updated: {counts['completed']} completed, "
        f"{counts['in_progress']} in progress, {counts['pending']} pending. "
        "Keep it current as you work."
    )


def describe(params: TodoWriteInput, ctx: ToolContext) -> str:
    """``Updating the todo list``."""
    return "Updating the todo list"


TODO_WRITE = Tool(
    name="TodoWrite",
    description=DESCRIPTION,
    input_model=TodoWriteInput,
    kind=ToolKind.INTERNAL,
    run=run,
    describe=describe,
)

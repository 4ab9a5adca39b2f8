"""Undo: take back the agent's file changes from Harken's checkpoints (agent.checkpoints)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from agent.tools.base import Tool, ToolError, ToolKind
from agent.tools.context import ToolContext

DESCRIPTION = """\
Takes back changes that Write and Edit made to files, from Harken's checkpoints: each \
file goes back to its content before (a file that was new is removed).
- A step is one turn's file changes, or one earlier undo. turns=1 (the default) takes \
back the most recent step: use it for "undo that" or "undo the last change".
- For "undo everything since I asked about X", first call with action="list" to see the \
steps with the turn numbers and what the user asked in each, then call again with \
since_turn set to that turn: every step from it on is taken back.
- An undo is itself a step: undoing right after an undo brings the changes back.
- A file the user edited after the agent's change is restored only if the user agrees; \
when nobody can be asked, the user's version is kept (the result says so per file).
- Only Write and Edit changes are covered, not what Bash commands changed.
- After an undo, the files are no longer as your earlier edits left them: Read them \
again before changing them."""


class UndoInput(BaseModel):
    """Input of the Undo tool."""

    action: Literal["undo", "list"] = Field(
        default="undo", description="undo (default), or list the steps that can be undone"
    )
    turns: int = Field(
        default=1, ge=1, description="How many of the most recent steps to take back"
    )
    since_turn: int | None = Field(
        default=None,
        ge=1,
        description="Take back every step from this turn on (turn numbers as list shows)",
    )


async def run(params: UndoInput, ctx: ToolContext) -> str:
    """List the steps, or take back the chosen ones and say what was restored."""
    from agent.checkpoints.history import describe_steps, turn_prompts
    from agent.checkpoints.session_side import undo

    recorder = ctx.checkpoints
    if recorder is None:
        raise ToolError(
            "Checkpoints are off in this session, so there is nothing to undo from. Tell the "
            "user; do not try to reverse the changes by hand unless they ask."
        )
    manifest = recorder.store.load()
    if params.action == "list":
        steps = manifest.steps()
        if not steps:
            return "No file changes have been recorded in this session."
        listing = describe_steps(steps, turn_prompts(recorder.transcript), ctx.display)
        problems = "".join(f"\n{p}" for p in manifest.problems + manifest.warnings)
        head = f"Steps that can be undone, oldest first (this is turn {recorder.turn()}):"
        return f"{head}\n{listing}{problems}"
    done = await undo(recorder, params.turns, params.since_turn, "You", ctx.display)
    if not done.plan.steps:
        return "There are no file changes to undo in this session."
    if not done.result.done and not done.result.kept and not done.result.skipped:
        return "The files are already as they were before those changes; nothing was restored."
    problems = "".join(f"\n{p}" for p in manifest.problems + manifest.warnings)
    return done.note.removeprefix("[Harken] ") + problems


def describe(params: UndoInput, ctx: ToolContext) -> str:
    """``Undoing the last change``."""
    if params.action == "list":
        return "Listing the changes that can be undone"
    if params.since_turn is not None:
        return f"Undoing the changes since turn {params.since_turn}"
    if params.turns == 1:
        return "Undoing the last change"
    return f"Undoing the last {params.turns} changes"


UNDO = Tool(
    name="Undo",
    description=DESCRIPTION,
    input_model=UndoInput,
    kind=ToolKind.WRITE,
    run=run,
    describe=describe,
)

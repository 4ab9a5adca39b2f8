"""TodoWrite: replaces the session's list and confirms with counts."""

from __future__ import annotations

from agent.tools.context import ToolContext
from agent.tools.todo import TODO_WRITE

from .conftest import Call


def item(content: str, status: str) -> dict[str, str]:
    return {"content": content, "status": status, "activeForm": content + "ing"}


async def test_todo_write_replaces_the_list_and_counts(ctx: ToolContext, call: Call) -> None:
    ctx.todos = [item("Old", "pending")]
    todos = [item("Plan", "completed"), item("Build", "in_progress"), item("Test", "pending")]
    out = await call(TODO_WRITE, todos=todos)
    assert not out.is_error
    assert out.text().startswith("Todo list updated: 1 completed, 1 in progress, 1 pending.")
    assert ctx.todos == todos


async def test_todo_write_with_empty_list_clears_it(ctx: ToolContext, call: Call) -> None:
    ctx.todos = [item("Old", "pending")]
    out = await call(TODO_WRITE, todos=[])
    assert out.text() == "Todo list cleared."
    assert ctx.todos == []


async def test_todo_write_rejects_unknown_status_naming_the_field(
    ctx: ToolContext, call: Call
) -> None:
    out = await call(TODO_WRITE, todos=[item("Plan", "doing")])
    assert out.is_error
    assert "todos.0.status" in out.text()
    assert ctx.todos == []


def test_todo_schema_uses_active_form_spelling() -> None:
    schema = TODO_WRITE.api_schema()["input_schema"]
    assert "activeForm" in str(schema)

"""What a tool is: a typed input model, an async function, and what it touches.

A tool never raises to the loop for things the model should hear about: it raises
``ToolError`` (or returns ``ToolOutput(is_error=True)``), which becomes an ``is_error``
tool_result, and the turn goes on. Anything else escaping a tool is a bug, reported to
the model the same way but logged with its traceback.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    from agent.tools.context import ToolContext


class ToolKind(StrEnum):
    """What a tool does to the world; the permission gate judges by it."""

    READ = "read"  # reads files or the machine's state, changes nothing
    WRITE = "write"  # creates or changes files
    EXECUTE = "execute"  # runs programs
    NETWORK = "network"  # contacts other hosts
    INTERNAL = "internal"  # only changes the session's own state (todo list)


class ToolError(Exception):
    """A failure to report to the model as an ``is_error`` tool_result."""


@dataclass(frozen=True)
class ToolOutput:
    """A tool's result: text, or content blocks (text and image) for the API."""

    content: str | list[dict[str, Any]]
    is_error: bool = False

    def text(self) -> str:
        """The textual part, for events and logs (images as a placeholder)."""
        if isinstance(self.content, str):
            return self.content
        parts = []
        for block in self.content:
            if block.get("type") == "text":
                parts.append(block.get("text", ""))
            else:
                parts.append(f"[{block.get('type', 'block')}]")
        return "\n".join(parts)


P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class Tool(Generic[P]):
    """A tool the model can call.

    ``run`` does the work; ``describe`` gives one human line ("Editing src/app.py");
    ``concurrent`` says calls may run side by side with other concurrent calls of the
    same assistant message (only for tools that change nothing).
    """

    name: str
    description: str
    input_model: type[P]
    kind: ToolKind
    run: Callable[[P, ToolContext], Awaitable[ToolOutput | str]]
    describe: Callable[[P, ToolContext], str]
    concurrent: bool = False

    def api_schema(self) -> dict[str, Any]:
        """The tool definition sent to the Messages API (built once: it costs about 1 ms)."""
        return self._schema

    @functools.cached_property
    def _schema(self) -> dict[str, Any]:
        schema = self.input_model.model_json_schema(by_alias=True)
        schema.pop("title", None)
        return {"name": self.name, "description": self.description, "input_schema": schema}

    def parse(self, raw: Any) -> P:
        """Validate the model's input; raises ``ToolError`` saying what is wrong."""
        if not isinstance(raw, dict):
            raise ToolError(f"{self.name} input must be a JSON object, got {type(raw).__name__}")
        try:
            return self.input_model.model_validate(raw)
        except ValidationError as exc:
            raise ToolError(f"Invalid input for {self.name}: {_explain(exc)}") from None


def _explain(exc: ValidationError) -> str:
    problems = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "input"
        problems.append(f"{where}: {err['msg']}")
    return "; ".join(problems)

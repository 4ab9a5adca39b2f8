"""Events about subagents, published on the parent session (tasks views, ``--json``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from agent.events import Event
from agent.usage import Usage


@dataclass(frozen=True)
class TaskUpdate(Event):
    """A subagent (worker) started, moved on to a new tool call, or ended.

    ``status``: running, completed, failed or stopped. ``activity`` is its latest tool
    line; ``summary`` one line on how it ended. ``cost_usd`` and ``usage`` are its totals.
    """

    kind: ClassVar[str] = "task"
    task_id: str
    parent_id: str
    agent_type: str
    description: str
    status: str
    elapsed_s: float
    cost_usd: float
    usage: Usage = field(default_factory=Usage)
    activity: str = ""
    summary: str = ""

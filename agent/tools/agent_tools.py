"""The tools that direct subagents: Agent, SendMessage and TaskStop.

They are built per parent session, bound to its ``agent.agents.workers.Subagents``:

    Agent        start a subagent on a task. In an ordinary session it runs to the end
                 and its final answer is the tool result; in coordinator mode it runs in
                 the background and reports as a <task-notification> message.
    SendMessage  a follow-up to a worker, running (queued) or finished (continues its
                 conversation).                                    (coordinator mode)
    TaskStop     stop a running worker.                            (coordinator mode)

Agent calls are ``concurrent``: several in one assistant message run side by side (the
tool runner gathers concurrent calls), up to the ``Subagents`` limit. They are
``INTERNAL``: the gate lets them through, and every call a subagent makes is judged by
the same engine as the parent's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from agent.tools.base import Tool, ToolKind, ToolOutput

if TYPE_CHECKING:
    from agent.agents.workers import Subagents
    from agent.tools.context import ToolContext


class AgentInput(BaseModel):
    description: str = Field(description="A short (3-5 word) description of the task")
    prompt: str = Field(description="The task for the agent: complete and self-contained")
    subagent_type: str = Field(
        default="general-purpose", description="The type of agent to use (see the list)"
    )


class SendMessageInput(BaseModel):
    to: str = Field(description="The worker's task id (from its start or its notification)")
    message: str = Field(description="The follow-up: complete, it sees only its own work")


class TaskStopInput(BaseModel):
    task_id: str = Field(description="The task id of the worker to stop")


_AGENT_TEXT = """Start a subagent: an agent with its own conversation that works on a task \
and {returns}. Use it for searches and tasks that need many steps, to keep them out of \
your own context. Start several at once (several Agent calls in one message) for \
independent tasks: they run in parallel. The subagent cannot see your conversation, so \
the prompt must say everything it needs, and what to report.

Subagent types:
{listing}"""


def agent_tool(subagents: Subagents) -> Tool[AgentInput]:
    """The Agent tool for the parent of ``subagents``."""
    background = subagents.background

    async def run(params: AgentInput, ctx: ToolContext) -> ToolOutput:
        worker = subagents.spawn(params.subagent_type, params.description)
        if background:
            subagents.start(worker, params.prompt)
            return ToolOutput(
                f"Started worker {worker.id} ({worker.definition.name}: "
                f"{params.description}). Its report will arrive as a <task-notification> "
                "message; end your turn to wait for it."
            )
        await subagents.run(worker, params.prompt)
        text, is_error = subagents.tool_output(worker)
        return ToolOutput(text, is_error)

    returns = (
        "reports back later as a <task-notification> message"
        if background
        else "returns its final answer to you"
    )
    return Tool(
        "Agent",
        _AGENT_TEXT.format(returns=returns, listing=subagents.catalog.listing()),
        AgentInput,
        ToolKind.INTERNAL,
        run,
        lambda p, c: f"Agent ({p.subagent_type}): {p.description}",
        concurrent=True,
    )


def send_message_tool(subagents: Subagents) -> Tool[SendMessageInput]:
    """SendMessage: a follow-up to one of ``subagents``' workers."""

    async def run(params: SendMessageInput, ctx: ToolContext) -> str:
        return subagents.send(params.to, params.message)

    return Tool(
        "SendMessage",
        "Send a follow-up to a worker. A running worker gets it when its current turn "
        "ends; a finished one continues its conversation with it. Either way its answer "
        "arrives as a new <task-notification>.",
        SendMessageInput,
        ToolKind.INTERNAL,
        run,
        lambda p, c: f"Message to {p.to}",
    )


def task_stop_tool(subagents: Subagents) -> Tool[TaskStopInput]:
    """TaskStop: stop one of ``subagents``' workers."""

    async def run(params: TaskStopInput, ctx: ToolContext) -> str:
        return subagents.stop(params.task_id)

    return Tool(
        "TaskStop",
        "Stop a running worker (one that went astray or is no longer needed). Its "
        "conversation is kept: SendMessage can continue it later.",
        TaskStopInput,
        ToolKind.INTERNAL,
        run,
        lambda p, c: f"Stop {p.task_id}",
    )


__all__ = ["agent_tool", "send_message_tool", "task_stop_tool"]

"""Tools a host offers an unattended session: Sleep, PushNotification, SendUserMessage.

They are not in ``default_tools()``: a host that runs proactive ticks builds them around
its own callbacks and adds them to the session it builds (``session.tools[name] = tool``).

    sleep_tool(on_sleep)          Sleep(seconds): nothing to do; the next tick waits
    push_notification_tool(push)  PushNotification(message): a desktop notification
    send_user_message_tool(say)   SendUserMessage(message): a message in the conversation

None of them changes a file or runs anything: Sleep changes only the session's own state
(``INTERNAL``), the other two only reach the user (``READ``, as the permission engine
judges a tool by the kind it declares), so they run in every mode without a question.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from agent.tools.base import Tool, ToolKind
from agent.tools.context import ToolContext

MAX_SLEEP_S = 86_400
MAX_MESSAGE_CHARS = 2_000

SLEEP_DESCRIPTION = """\
Call this when there is nothing useful to do right now. You run in proactive mode: \
Harken sends you a <tick> now and then while the user is away. Sleep ends this tick; \
the next one comes no sooner than `seconds` from now (at most 86400). Do not sleep in \
the middle of work you can go on with."""

PUSH_DESCRIPTION = """\
Sends the user a short desktop notification (a title-sized message). Use it only for \
something that needs their attention soon: a failure, a question only they can answer, \
a result they asked to hear about. Not for routine progress."""

SEND_DESCRIPTION = """\
Shows the user a message in the conversation (spoken when speech is on). Use it to \
report a result or ask a question when the user is away; keep it short."""


class SleepInput(BaseModel):
    """Input of the Sleep tool."""

    seconds: int = Field(ge=1, le=MAX_SLEEP_S, description="How long to sleep, in seconds")


class MessageInput(BaseModel):
    """Input of PushNotification and SendUserMessage."""

    message: str = Field(
        min_length=1, max_length=MAX_MESSAGE_CHARS, description="What to tell the user"
    )


def sleep_tool(on_sleep: Callable[[float], None]) -> Tool[SleepInput]:
    """The Sleep tool; ``on_sleep(seconds)`` tells the host how long to wait."""

    async def run(params: SleepInput, ctx: ToolContext) -> str:
        on_sleep(float(params.seconds))
        return (
            f"Sleeping: the next tick comes in {params.seconds} s at the earliest. "
            "End your turn now."
        )

    return Tool(
        name="Sleep",
        description=SLEEP_DESCRIPTION,
        input_model=SleepInput,
        kind=ToolKind.INTERNAL,
        run=run,
        describe=lambda p, _ctx: f"Sleeping for {p.seconds} s",
    )


def push_notification_tool(push: Callable[[str], None]) -> Tool[MessageInput]:
    """The PushNotification tool; ``push(message)`` is the host's notification."""

    async def run(params: MessageInput, ctx: ToolContext) -> str:
        push(params.message)
        return "Notification sent."

    return Tool(
        name="PushNotification",
        description=PUSH_DESCRIPTION,
        input_model=MessageInput,
        kind=ToolKind.READ,
        run=run,
        describe=lambda p, _ctx: f"Notifying: {_short(p.message)}",
    )


def send_user_message_tool(say: Callable[[str], None]) -> Tool[MessageInput]:
    """The SendUserMessage tool; ``say(message)`` shows it in the host's conversation."""

    async def run(params: MessageInput, ctx: ToolContext) -> str:
        say(params.message)
        return "Message shown to the user."

    return Tool(
        name="SendUserMessage",
        description=SEND_DESCRIPTION,
        input_model=MessageInput,
        kind=ToolKind.READ,
        run=run,
        describe=lambda p, _ctx: f"Telling the user: {_short(p.message)}",
    )


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 60 else line[:59] + "…"

"""Everything the runtime tells its listeners, as frozen dataclasses.

The desktop, the CLI (human and ``--json``) and the tests consume the same events; the
runtime never prints. Each event has a ``kind`` string (its JSON tag) and ``to_dict()``.
``valid_text(event)`` is what the session publishes: no lone surrogates in any text, so a
listener may print or encode it as UTF-8 (see ``agent.utf8``).

    TurnStarted        a prompt was accepted
    TextDelta          streamed answer text
    ThinkingDelta      streamed model reasoning
    MessageFinished    the model's message arrived whole (its streamed text will stay)
    Retrying           an API call failed transiently and will be retried
    ToolStarted        a tool call passed the gate and began (with a human line)
    ToolFinished       a tool call ended (output excerpt, error flag, duration)
    PermissionRequested  a tool call needs a person's answer (awaitable)
    Compacted          older turns were replaced by a summary
    Notice             something to know that does not stop the turn
    TurnFinished       the turn ended (stop reason, final text, usage and cost)
    ErrorOccurred      the turn failed; one clear line for people
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from agent.usage import Usage
from agent.utf8 import clean, needs_cleaning


@dataclass(frozen=True)
class Event:
    """Base of all runtime events."""

    kind: ClassVar[str] = "event"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with the event's ``kind`` first."""
        data: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):
            if f.metadata.get("json", True):
                data[f.name] = _jsonable(getattr(self, f.name))
        return data


def valid_text(event: Event) -> Event:
    """``event`` with its text fields cleaned of lone surrogates (itself when clean)."""
    changes = {
        f.name: clean(getattr(event, f.name))
        for f in dataclasses.fields(event)
        if f.init and needs_cleaning(getattr(event, f.name))
    }
    return dataclasses.replace(event, **changes) if changes else event


def _jsonable(value: Any) -> Any:
    if isinstance(value, Usage):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class TurnStarted(Event):
    kind: ClassVar[str] = "turn_started"
    session_id: str
    prompt: str


@dataclass(frozen=True)
class TextDelta(Event):
    kind: ClassVar[str] = "text_delta"
    text: str


@dataclass(frozen=True)
class ThinkingDelta(Event):
    kind: ClassVar[str] = "thinking_delta"
    text: str


@dataclass(frozen=True)
class MessageFinished(Event):
    """A model message arrived complete: text streamed since the last one is final (no
    retry can discard it), so a front end that waits for whole messages may show it."""

    kind: ClassVar[str] = "message_finished"
    stop_reason: str


@dataclass(frozen=True)
class Retrying(Event):
    """A transient API failure; the call is repeated after ``delay`` seconds.

    Text already streamed for the failed attempt is discarded (``discarded_text``).
    """

    kind: ClassVar[str] = "retrying"
    attempt: int
    delay: float
    reason: str
    discarded_text: bool = False


@dataclass(frozen=True)
class ToolStarted(Event):
    kind: ClassVar[str] = "tool_started"
    call_id: str
    name: str
    description: str
    input: dict[str, Any]


@dataclass(frozen=True)
class ToolFinished(Event):
    kind: ClassVar[str] = "tool_finished"
    call_id: str
    name: str
    description: str
    output: str
    is_error: bool
    duration_ms: float


@dataclass(frozen=True)
class PermissionAnswer:
    """A person's answer to a permission question. ``asked`` False: nobody was there to
    ask (no terminal, an unattended task), so a refusal is not the user's no."""

    allow: bool
    always: bool = False
    message: str = ""
    asked: bool = True


@dataclass(frozen=True)
class PermissionRequested(Event):
    """A tool call waits for a person. Resolve it with ``answer(PermissionAnswer(...))``.

    ``answer`` may be called from any thread; the runtime awaits ``wait()``.
    """

    kind: ClassVar[str] = "permission_requested"
    call_id: str
    name: str
    description: str
    input: dict[str, Any]
    reason: str
    risk: str
    # The exact rule "Always allow" saves (None: not offered for this call).
    always_rule: str | None
    _future: asyncio.Future[PermissionAnswer] = field(
        repr=False, compare=False, metadata={"json": False}
    )

    def answer(self, answer: PermissionAnswer) -> None:
        """Resolve the question; safe to call from any thread, later calls are ignored."""
        loop = self._future.get_loop()

        def resolve() -> None:
            if not self._future.done():
                self._future.set_result(answer)

        if _running_loop() is loop:
            resolve()
        else:
            loop.call_soon_threadsafe(resolve)

    @property
    def answered(self) -> bool:
        return self._future.done()

    async def wait(self) -> PermissionAnswer:
        return await asyncio.shield(self._future)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


@dataclass(frozen=True)
class Compacted(Event):
    kind: ClassVar[str] = "compacted"
    tokens_before: int
    messages_replaced: int


@dataclass(frozen=True)
class TurnFinished(Event):
    kind: ClassVar[str] = "turn_finished"
    session_id: str
    stop_reason: str
    text: str
    usage: Usage
    session_usage: Usage
    cost_usd: float
    session_cost_usd: float
    cost_known: bool = True  # False: the model is not in the price table (a local model)


@dataclass(frozen=True)
class Notice(Event):
    """Something people should know that does not stop the turn (e.g. no sandbox)."""

    kind: ClassVar[str] = "notice"
    message: str


@dataclass(frozen=True)
class ErrorOccurred(Event):
    """The turn could not go on. ``message`` is one line meant for people."""

    kind: ClassVar[str] = "error"
    message: str
    error_type: str

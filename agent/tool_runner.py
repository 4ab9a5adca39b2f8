"""Running the tool calls of one assistant message: validate, gate, execute, report.

Calls keep their order; a run of consecutive calls to concurrent (read-only) tools is
gated one by one and then executed side by side. Every call ends in a tool_result block
written into ``results`` as soon as it is known, so an interruption keeps what finished.
``started`` hears of each call just before it runs (after its permission), so the session
can record durably that it may have had effects, should Harken die before its result.

With ``hooks`` (``agent.hooks.SessionHooks``), PreToolUse hooks hear of each valid call
before the gate (and may block it, or say allow, ask or deny), PermissionRequest hooks
before a question is put to the user (and may answer it), PostToolUse hooks after a call
ran (what they say is added to its result). A hook's allow lets a call through only
where bypass mode would: deny rules, plan mode, ask rules, protected paths and
catastrophic commands still decide.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.conversation import tool_result
from agent.events import Event, PermissionAnswer, ToolFinished, ToolStarted
from agent.permissions import Decision, Mode, PermissionEngine, ToolCall, Verdict
from agent.permissions.grant import DEFAULT_GRANT, Grant, current_grant
from agent.tools.base import Tool, ToolError, ToolOutput
from agent.tools.context import ToolContext

if TYPE_CHECKING:
    from agent.hooks import SessionHooks

log = logging.getLogger(__name__)

EVENT_OUTPUT_CAP = 4000  # characters of a tool's output carried in ToolFinished

# Tools the host knows of but cannot offer in this process, with why: a model that calls
# one anyway hears the reason, not a list of other tools (``desktop.tools`` without a display).
UNAVAILABLE: dict[str, str] = {}

Ask = Callable[[ToolCall, Decision], Awaitable[PermissionAnswer]]
Started = Callable[[dict[str, Any]], None]  # the tool_use block of a call about to run


def _nobody_listens(block: dict[str, Any]) -> None:
    pass


@dataclass
class _Prepared:
    block: dict[str, Any]
    tool: Tool[Any] | None = None
    params: Any = None
    call: ToolCall | None = None
    error: str = ""
    grant: Grant = DEFAULT_GRANT

    @property
    def concurrent(self) -> bool:
        return self.tool is not None and self.tool.concurrent and not self.error


@dataclass
class ToolRunner:
    tools: dict[str, Tool[Any]]
    ctx: ToolContext
    engine: PermissionEngine
    emit: Callable[[Event], None]
    ask: Ask
    started: Started = _nobody_listens
    hooks: SessionHooks | None = None

    async def run(
        self,
        tool_uses: list[dict[str, Any]],
        malformed: dict[str, str],
        results: dict[str, dict[str, Any]],
    ) -> None:
        """Run ``tool_uses`` in order, filling ``results`` (tool_use id -> tool_result)."""
        prepared = [self._prepare(block, malformed) for block in tool_uses]
        i = 0
        while i < len(prepared):
            if not prepared[i].concurrent:
                await self._gate_and_run([prepared[i]], results)
                i += 1
                continue
            j = i
            while j < len(prepared) and prepared[j].concurrent:
                j += 1
            await self._gate_and_run(prepared[i:j], results)
            i = j

    def _prepare(self, block: dict[str, Any], malformed: dict[str, str]) -> _Prepared:
        item = _Prepared(block)
        name = block["name"]
        tool = self.tools.get(name)
        if tool is None:
            why = UNAVAILABLE.get(name)
            item.error = (
                f"{name} cannot be used in this session: {why}"
                if why
                else f"There is no tool named {name!r}. Available: {', '.join(self.tools)}."
            )
            return item
        item.tool = tool
        if block["id"] in malformed:
            raw = malformed[block["id"]]
            item.error = f"The input for {name} was not valid JSON: {raw[:200]!r}"
            return item
        try:
            item.params = tool.parse(block["input"])
        except ToolError as exc:
            item.error = str(exc)
            return item
        try:
            description = tool.describe(item.params, self.ctx)
        except Exception:  # a bad describe must not cost the call
            log.exception("describe failed for %s", name)
            description = name
        item.call = ToolCall(block["id"], name, block["input"], tool.kind, description)
        return item

    def _call_now(self, item: _Prepared) -> ToolCall:
        """The call as the gate sees it at this moment (the shell's folder may have moved)."""
        assert item.call is not None
        cwd = self.ctx.shell.cwd if self.ctx.shell is not None else self.ctx.workspace
        return ToolCall(
            item.call.id,
            item.call.name,
            item.call.input,
            item.call.kind,
            item.call.description,
            cwd,
        )

    async def _gate_and_run(
        self, batch: list[_Prepared], results: dict[str, dict[str, Any]]
    ) -> None:
        runnable = []
        for item in batch:
            refusal = item.error or await self._refusal(item)
            if refusal:
                self._finish(item, refusal, is_error=True, started=None, results=results)
            else:
                runnable.append(item)
        if len(runnable) == 1:
            await self._execute(runnable[0], results)
        elif runnable:
            await asyncio.gather(*(self._execute(item, results) for item in runnable))

    async def _refusal(self, item: _Prepared) -> str:
        """Empty when the call may run, else the message the model gets."""
        call = self._call_now(item)
        hooked = None
        if self.hooks is not None:
            hooked = await self.hooks.pre_tool(call.name, call.input, call.id)
            if hooked.blocked or hooked.decision == "deny":
                return f"A PreToolUse hook blocked this call: {hooked.reason}"
        decision = self.engine.decide(call)
        item.grant = decision.grant
        if decision.verdict is Verdict.DENY:
            return f"Permission denied: {decision.reason}"
        if decision.verdict is Verdict.ALLOW:
            if hooked is None or hooked.decision != "ask":
                return ""
            why = "; ".join(hooked.decision_reasons) or "a PreToolUse hook asks"
            decision = dataclasses.replace(decision, verdict=Verdict.ASK, reason=why)
        elif hooked is not None and hooked.decision == "allow" and self._hook_allows(item, call):
            return ""
        if self.hooks is not None:
            answered = await self.hooks.permission_request(
                call.name, call.input, call.id, decision.suggestion
            )
            if answered.blocked or answered.decision == "deny":
                return f"A PermissionRequest hook denied this call: {answered.reason}"
            if answered.decision == "allow" and self._hook_allows(item, call):
                return ""
        answer = await self.ask(call, decision)
        if answer.allow:
            # "Always allow" has just added a rule, which may widen the grant (a host that
            # rule names is one WebFetch may reach even at a local address).
            item.grant = self.engine.decide(call).grant
            return ""
        if not answer.asked:
            # Nobody saw the question: the model must not tell the user they refused.
            why = f" {answer.message}" if answer.message else ""
            return (
                f"Not run: this {item.call.name} call needs permission and nobody was there "
                f"to ask (the user did not refuse it).{why}"
            )
        said = f" The user said: {answer.message}" if answer.message else ""
        return f"The user denied permission for this {item.call.name} call.{said}"

    def _hook_allows(self, item: _Prepared, call: ToolCall) -> bool:
        """Whether a hook's allow lets ``call`` through: only as bypass mode would decide
        it, so deny rules, ask rules, protected paths, catastrophic commands and hosts no
        rule names still stand; plan mode never gets here for a call that changes."""
        lifted = dataclasses.replace(self.engine, mode=Mode.BYPASS).decide(call)
        if lifted.verdict is not Verdict.ALLOW:
            return False
        item.grant = lifted.grant
        return True

    async def _execute(self, item: _Prepared, results: dict[str, dict[str, Any]]) -> None:
        assert item.tool is not None and item.call is not None
        self.started(item.block)
        started = time.perf_counter()
        self.emit(ToolStarted(item.call.id, item.call.name, item.call.description, item.call.input))
        # Concurrent calls run in tasks of their own, so each sees its own grant.
        token = current_grant.set(item.grant)
        try:
            output = await item.tool.run(item.params, self.ctx)
        except ToolError as exc:
            output = ToolOutput(str(exc), is_error=True)
        except asyncio.CancelledError:
            note = "Interrupted by the user while it ran; it may have done part of its work."
            self._finish(item, note, True, started, results)
            raise
        except Exception as exc:
            log.exception("tool %s crashed", item.call.name)
            output = ToolOutput(f"{item.call.name} failed: {type(exc).__name__}: {exc}", True)
        finally:
            current_grant.reset(token)
        if isinstance(output, str):
            output = ToolOutput(output)
        if self.hooks is not None:
            try:
                output = await self._after(item, output)
            except asyncio.CancelledError:
                self._finish(item, output, output.is_error, started, results)
                raise
        self._finish(item, output, output.is_error, started, results)

    async def _after(self, item: _Prepared, output: ToolOutput) -> ToolOutput:
        """``output`` with what PostToolUse hooks tell the model added at its end."""
        assert self.hooks is not None and item.call is not None
        note = await self.hooks.post_tool(
            item.call.name, item.call.input, item.call.id, output.text(), output.is_error
        )
        if not note:
            return output
        if isinstance(output.content, str):
            return ToolOutput(f"{output.content}\n\n{note}", output.is_error)
        return ToolOutput([*output.content, {"type": "text", "text": note}], output.is_error)

    def _finish(
        self,
        item: _Prepared,
        output: ToolOutput | str,
        is_error: bool,
        started: float | None,
        results: dict[str, dict[str, Any]] | None,
    ) -> None:
        block = item.block
        content = output.content if isinstance(output, ToolOutput) else output
        if results is not None:
            results[block["id"]] = tool_result(block["id"], content, is_error)
        text = output.text() if isinstance(output, ToolOutput) else output
        if len(text) > EVENT_OUTPUT_CAP:
            text = text[:EVENT_OUTPUT_CAP] + " [...]"
        duration = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        description = item.call.description if item.call else block["name"]
        self.emit(ToolFinished(block["id"], block["name"], description, text, is_error, duration))

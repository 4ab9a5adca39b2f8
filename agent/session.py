"""The query engine: one conversation, its turns, and everyone listening to it.

``Session.submit(text)`` runs a turn: stream the model's answer, run the tools it asks
for (through the permission gate), send the results back, and repeat until the model ends
its turn, the round-trip limit is hit, or ``interrupt()`` is called. Whatever happens, the
conversation stays valid (every tool_use answered) and the transcript holds it. Its side
of the permission round trip (asking, "always allow") is ``agent.session_permissions``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent import conversation, telemetry
from agent.checkpoints import attach as attach_checkpoints
from agent.compaction import ContextGuard
from agent.config import Config
from agent.errors import ApiFailure, EmptyReply, HarkenError
from agent.events import (
    ErrorOccurred,
    Event,
    MessageFinished,
    Notice,
    ToolFinished,
    TurnFinished,
    TurnStarted,
    valid_text,
)
from agent.hooks import SessionHooks
from agent.memory.recall import attach as attach_memory
from agent.model import MessageAssembler, ModelClient
from agent.permissions import Mode, PermissionEngine
from agent.permissions.settings import RuleSet
from agent.prompts import system_prompt
from agent.questions import talk_channels
from agent.session_context import fit_before_request
from agent.session_permissions import SessionPermissions
from agent.session_record import SessionState as SessionState  # public here too
from agent.session_record import start
from agent.skills import for_session as load_skills
from agent.spending import PendingSpending
from agent.tool_io import clean_result, cut_call_result, with_original_paths
from agent.tool_runner import ToolRunner
from agent.tools import default_tools
from agent.tools.base import Tool
from agent.tools.context import ToolContext
from agent.transcript import LoadedSession, now_iso
from agent.turn_request import build_request
from agent.usage import Usage, cost_usd, price_known
from agent.utf8 import clean_text

if TYPE_CHECKING:
    from agent.agents.workers import Subagents

log = logging.getLogger(__name__)

Listener = Callable[[Event], None]


@dataclass(frozen=True)
class TurnOutcome:
    """How a turn ended: ``stop_reason`` is the model's, or ``interrupted``,
    ``max_turns`` or ``error`` (then ``error`` holds the one-line message)."""

    stop_reason: str
    text: str
    usage: Usage
    error: str = ""


class Session(SessionPermissions):
    """A conversation with the model in one workspace."""

    def __init__(
        self,
        *,
        client: ModelClient,
        config: Config,
        workspace: Path,
        sessions_dir: Path | None,
        tools: list[Tool[Any]] | None = None,
        resume: LoadedSession | None = None,
        rules: RuleSet | None = None,
    ) -> None:
        self.client = client
        self.config = config
        self.ctx = ToolContext(workspace=workspace)
        policy = self.ctx.sandbox
        self.engine = PermissionEngine(
            mode=Mode(config.mode),
            workspace=self.ctx.workspace,
            rules=rules or RuleSet(),
            sandbox=policy is not None,
            writable=(policy.temp_dir,) if policy is not None else (),
        )
        self._sandbox_noticed = False
        self.follow_ups, self.questions = talk_channels(self.ctx, self.emit)  # said mid-turn
        self.tools = {tool.name: tool for tool in (tools or default_tools())}
        # Hosts add context to each prompt: ``provide(prompt) -> text blocks`` (the editor's).
        self.prompt_context: list[Callable[[str], list[dict[str, str]]]] = []
        skills = load_skills(self.ctx.workspace)  # problems and untrusted ones are logged
        self.system = system_prompt(
            self.ctx.workspace, skills=skills.skills, memory_tool="memory" in self.tools
        )
        self._listeners: list[Listener] = []
        # Tests and one-off checks may keep "always allow" answers to this session.
        self.save_rules = sessions_dir is not None
        self._task: asyncio.Task[Any] | None = None
        self._interrupting = False
        # Spent for this session elsewhere (its subagents), not yet in a turn_end record.
        self._pending = PendingSpending()
        self.guard = ContextGuard(config.context_window, config.max_tokens)
        self.state, self._log = start(
            sessions_dir, resume, cwd=self.ctx.workspace, model=config.model
        )
        self.transcript = self._log.transcript
        self.memory = attach_memory(self.ctx, self.ctx.workspace, sessions_dir, self.state.id)
        self.ctx.checkpoints = attach_checkpoints(self, sessions_dir)  # Write/Edit keep old content
        self.hooks = SessionHooks.load(
            self.ctx.workspace,
            self.state.id,
            config.mode,
            str(self.transcript.path) if self.transcript else "",
        )
        self._resumed = resume is not None
        self._first_notes = skills.notes() + self.hooks.notes()  # said with the first turn
        self.subagents: Subagents | None = None
        if tools is None:  # the built-in set includes Agent: subagents this session runs
            from agent.agents.factory import attach_agents

            self.subagents = attach_agents(self)
        telemetry.watch(self)  # a listener when the user turned telemetry on; else nothing

    @property
    def id(self) -> str:
        return self.state.id

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.state.messages

    # -- listeners -----------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def emit(self, event: Event) -> None:
        event = valid_text(event)  # listeners print and encode it: valid UTF-8 only
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken front end must not break the turn
                log.exception("listener failed on %s", event.kind)

    # -- turns ---------------------------------------------------------------------

    async def submit(self, text: str) -> TurnOutcome:
        """Run one turn for the user's ``text``; never raises for API or tool failures."""
        if self._task is not None:
            raise RuntimeError("a turn is already running in this session")
        self._task = asyncio.current_task()
        self._interrupting = False
        try:
            return await self._turn(text)
        finally:
            self._task = None

    def interrupt(self) -> None:
        """Stop the running turn as soon as possible; safe to call from any thread."""
        task = self._task
        if task is None:
            return
        loop = task.get_loop()

        def cancel() -> None:
            if self._task is task and not task.done():
                self._interrupting = True
                task.cancel()

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            cancel()
        else:
            loop.call_soon_threadsafe(cancel)

    async def _turn(self, text: str) -> TurnOutcome:
        text = clean_text(text)  # e.g. argv bytes that are not UTF-8
        self.emit(TurnStarted(self.id, text))
        self._notice_missing_sandbox()
        usage = Usage()
        final_text = ""
        stop_reason = "max_turns"
        error = ""
        try:
            hooked = await self._prompt_hooks(text)  # a refused prompt is never sent or kept
            self._log.add({"type": "prompt", "text": text, "at": now_iso()})
            recalled = self.memory.recall(text)  # relevant notes ride along with the prompt
            extra = [block for provide in self.prompt_context for block in provide(text)]
            content = [_text(text), *hooked, *recalled, *extra]
            self._record_message(conversation.add_user_content(self.messages, content))
            stop_again = False
            for _round in range(self.config.max_turns):
                await fit_before_request(self)
                reply = await self._ask_model()
                usage = usage + reply.usage
                if not reply.content:  # not stored: the API refuses an empty message
                    raise EmptyReply(reply.stop_reason, self.config.max_tokens)
                final_text = "".join(b["text"] for b in reply.content if b.get("type") == "text")
                tool_uses = [b for b in reply.content if b.get("type") == "tool_use"]
                if tool_uses:
                    await self._run_tools(tool_uses, reply.malformed_inputs, reply.truncated)
                    continue
                if reply.stop_reason == "pause_turn":
                    continue  # a server-side tool paused a long turn; let the model go on
                if self.follow_ups.join(self.messages, self._record_message):
                    continue  # the user said more while it answered: the model hears it
                stop_reason = reply.stop_reason
                go_on = await self.hooks.stop(stop_again, final_text)
                if go_on is None:
                    break
                stop_again = True  # a Stop hook asked the model to go on, with its reason
                stop_reason = "max_turns"  # unless the model ends again within the limit
                note = _text(f"Stop hook: {go_on}")
                self._record_message(conversation.add_user_content(self.messages, [note]))
        except asyncio.CancelledError:
            stop_reason = "interrupted"
            self._settle_after_stop()
            if not self._interrupting:  # cancelled from outside (shutdown): save, then go
                self._end_turn(stop_reason, final_text, usage, "")
                raise
            asyncio.current_task().uncancel()  # type: ignore[union-attr]
        except HarkenError as exc:
            stop_reason, error = "error", str(exc)
            self._settle_after_stop()
            self.emit(ErrorOccurred(error, type(exc).__name__))
        return self._end_turn(stop_reason, final_text, usage, error)

    async def _prompt_hooks(self, text: str) -> list[dict[str, Any]]:
        """SessionStart (first prompt) and UserPromptSubmit hooks: the context blocks
        they add; raises ``PromptBlocked`` when one refuses the prompt."""
        if not self.hooks.started:
            for note in self._first_notes:
                self.emit(Notice(note))
        context = await self.hooks.before_prompt(text, self._resumed)
        return [_text(f"<hook-context>\n{c}\n</hook-context>") for c in context]

    def add_spending(self, usage: Usage, cost: float) -> None:
        """Count ``usage`` and ``cost`` spent for this session outside its turn's own model
        requests (its subagents, compaction): in the live totals at once, and in the next turn_end
        record (the running turn's), so a resumed session's totals keep them."""
        self.state.usage = self.state.usage + usage
        self.state.cost_usd += cost
        self._pending.add(usage, cost)

    def _add_billed(self, usage: Usage) -> None:
        if usage != Usage():
            self.add_spending(usage, cost_usd(self.config.model, usage))

    def _end_turn(self, stop_reason: str, text: str, usage: Usage, error: str) -> TurnOutcome:
        cost = cost_usd(self.config.model, usage)
        self.state.usage = self.state.usage + usage
        self.state.cost_usd += cost
        self.state.turns += 1
        # The subagents' spending is already in the totals; the record needs it too.
        extra_usage, extra_cost = self._pending.take()
        usage, cost = usage + extra_usage, cost + extra_cost
        self._log.turn_end(stop_reason, usage, cost, error)
        self.memory.turn_ended(self.transcript.path if self.transcript else None)
        self.emit(
            TurnFinished(
                self.id,
                stop_reason,
                text,
                usage,
                self.state.usage,
                cost,
                self.state.cost_usd,
                price_known(self.config.model),
            )
        )
        return TurnOutcome(stop_reason, text, usage, error)

    async def _ask_model(self) -> Any:
        tools = [tool.api_schema() for tool in self.tools.values()]
        request = build_request(self.config, self.system, tools, self.messages)
        assembler = MessageAssembler(self.emit)
        try:
            reply = await self.client.stream(request, assembler, self.emit)
        except (asyncio.CancelledError, ApiFailure) as exc:
            partial = assembler.content(complete_only=True)
            if partial and isinstance(exc, asyncio.CancelledError):
                self._add_assistant(partial)
            # A cut or failed request's input was billed: count what its streams reported.
            self._add_billed(assembler.billed_usage)
            raise
        self._add_billed(assembler.abandoned_usage)  # attempts that broke and were retried
        self.emit(MessageFinished(reply.stop_reason))  # its streamed text is now final
        self.guard.observe(reply.usage, len(self.messages))
        if reply.content:
            self._add_assistant(reply.content)
        return reply

    async def _run_tools(
        self, tool_uses: list[dict[str, Any]], malformed: dict[str, str], cut: list[str]
    ) -> None:
        """Run the calls, except those ``max_tokens`` cut off (``cut``: they get an error
        result), and record the results, valid UTF-8."""
        results = {
            b["id"]: cut_call_result(b, self.config.max_tokens) for b in tool_uses if b["id"] in cut
        }
        for block in (b for b in tool_uses if b["id"] in cut):
            note = results[block["id"]]["content"]
            self.emit(ToolFinished(block["id"], block["name"], block["name"], note, True, 0.0))
        runnable = [
            with_original_paths(b, self.ctx.workspace) for b in tool_uses if b["id"] not in cut
        ]
        runner = ToolRunner(
            self.tools,
            self.ctx,
            self.engine,
            self.emit,
            self._ask,
            self._log.tool_started,
            hooks=self.hooks,
        )
        try:
            await runner.run(runnable, malformed, results)
        finally:
            # Also on interruption: the calls that finished keep their real results.
            ordered = [clean_result(results[b["id"]]) for b in tool_uses if b["id"] in results]
            ordered += self.follow_ups.blocks()  # what the user said meanwhile, after them
            if ordered:
                self._record_message(conversation.add_user_content(self.messages, ordered))

    # -- conversation and transcript ----------------------------------------------

    def _add_assistant(self, content: list[dict[str, Any]]) -> None:
        message = {"role": "assistant", "content": content}
        self.messages.append(message)
        self._record_message(message)

    def _settle_after_stop(self) -> None:
        if conversation.settle(self.messages):
            self._record_message(self.messages[-1])

    def _record_message(self, message: dict[str, Any]) -> None:
        self._log.message(message)

    async def aclose(self) -> None:
        """Close the subagents, run SessionEnd hooks, stop background shells and close the
        transcript."""
        try:
            if self.subagents is not None:
                await self.subagents.aclose()
            await self.hooks.session_end()
        finally:
            await self.ctx.aclose()
        self.memory.close()
        if self.transcript is not None and self._pending:
            # Spending after the last turn ended (e.g. workers stopped as a job ends).
            self._log.spending(*self._pending.take())
        self._log.close()


def _text(text: str) -> dict[str, str]:
    return {"type": "text", "text": text}

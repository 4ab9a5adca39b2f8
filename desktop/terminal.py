"""The terminal front end: renders session events for people or as JSON lines, and
answers permission questions (``--yes``, a y/n prompt on a terminal, or deny)."""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit

from agent.events import (
    Compacted,
    ErrorOccurred,
    Event,
    MessageFinished,
    Notice,
    PermissionAnswer,
    PermissionRequested,
    Retrying,
    TextDelta,
    ToolFinished,
    ToolStarted,
    TurnFinished,
)
from agent.permissions.fetch_local import only_a_named_rule_allows
from agent.usage import Usage


@dataclass
class PermissionPolicy:
    """How questions are answered: all yes, ask on the terminal, or no."""

    yes: bool = False
    interactive: bool = False
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def handle(self, event: PermissionRequested) -> None:
        # --yes answers the agent's permission questions, never "discard my own edits".
        if self.yes and not _discards_edits(event):
            event.answer(PermissionAnswer(True))
        elif self.interactive:
            # Listeners are synchronous; the question is asked in its own task.
            asyncio.get_running_loop().create_task(self._prompt(event))
        else:
            self._refuse_unasked(event)

    def _refuse_unasked(self, event: PermissionRequested) -> None:
        """No terminal to ask on: refuse, saying so (not as the user's no) and naming the
        narrow rule that would allow the call."""
        allow = f"--allow {shlex.quote(event.always_rule)}" if event.always_rule else ""
        if only_a_named_rule_allows(event.name, event.input):  # --yes cannot: the tool refuses
            host = urlsplit(str(event.input.get("url", ""))).hostname or "HOST"
            how = allow or f"--allow 'WebFetch(domain:{host})'"
        else:
            how = f"{allow} (or --yes for every call)" if allow else "--yes"
        message = f"Harken runs without a terminal to ask on; to allow it, run with {how}."
        question = _plain_question(event)
        if _discards_edits(event):
            self.stderr.write(f"harken: not done: {question} No terminal to ask on.\n")
        elif question:
            self.stderr.write(f"harken: not done: {question} No terminal to ask on; {how}.\n")
        else:
            self.stderr.write(
                f"harken: {event.name} not run: no terminal to ask; allow it with {how}\n"
            )
        self.stderr.flush()
        event.answer(PermissionAnswer(False, message=message, asked=False))

    async def _prompt(self, event: PermissionRequested) -> None:
        async with self._lock:  # one question at a time
            asked = _plain_question(event) or f"Allow {event.name}: {event.description}"
            self.stderr.write(f"\n? {asked}\n  ({_why(event)}) [y/N] ")
            self.stderr.flush()
            try:
                reply = await asyncio.to_thread(self.stdin.readline)
            except (OSError, ValueError):
                reply = ""
            allow = reply.strip().lower() in ("y", "yes")
            event.answer(PermissionAnswer(allow))  # a no is worded by the runner


def _plain_question(event: PermissionRequested) -> str:
    """A checkpoint's question worded for people ("Discard your edits to f.txt?"); empty
    for a tool call (its input is the model's, so it never words the question)."""
    if not event.call_id.startswith("checkpoint-"):
        return ""
    return str(event.input.get("question") or "")


def _discards_edits(event: PermissionRequested) -> bool:
    return bool(_plain_question(event) and event.input.get("discards_user_edits"))


def _why(event: PermissionRequested) -> str:
    """The question's reason line; a reason that only names the tool again (as for an MCP
    server's tool) says instead that no rule allows it, and which one would."""
    if event.reason != f"runs the tool {event.name}":
        return event.reason
    rule = f"; --allow {shlex.quote(event.always_rule)} would" if event.always_rule else ""
    return f"no rule allows this tool{rule}"


@dataclass
class HumanRenderer:
    """The answer on stdout as it streams; tool activity and usage on stderr.

    ``whole_messages``: write a message's text only once the message is complete (for
    stdout that is not a terminal), so an attempt abandoned and retried leaves no
    fragment for a script to read."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    whole_messages: bool = False
    _at_line_start: bool = True
    _pending: list[str] = field(default_factory=list)

    def __call__(self, event: Event) -> None:
        if isinstance(event, TextDelta):
            if self.whole_messages:
                self._pending.append(event.text)
            else:
                self._write(event.text)
        elif isinstance(event, MessageFinished):
            self._flush_pending()
        elif isinstance(event, Retrying):
            self._pending.clear()  # the failed attempt's text: never shown
            shown = event.discarded_text and not self.whole_messages
            dropped = " The text above was discarded." if shown else ""
            self._note(
                f"↻ {event.reason} Retrying in {event.delay:.1f} s (retry {event.attempt})."
                + dropped
            )
        elif isinstance(event, ToolStarted):
            self._note(f"● {event.description}")
        elif isinstance(event, ToolFinished) and event.is_error:
            first = event.output.strip().splitlines()[0] if event.output.strip() else "failed"
            # Cut at a word, with a mark, so a long refusal never ends mid-sentence unsaid.
            self._note(f"  ✗ {event.description}: {textwrap.shorten(first, 200, placeholder=' …')}")
        elif isinstance(event, Notice):
            self._note(f"harken: {event.message}")
        elif isinstance(event, Compacted):
            self._note(f"(compacted {event.messages_replaced} earlier messages into a summary)")
        elif isinstance(event, TurnFinished):
            self._flush_pending()  # an interrupted message: what came, as on a terminal
            self._end_answer()
            u = event.usage
            if u == Usage():
                return  # nothing reached the model (an error before the first reply)
            self.stderr.write(
                f"[{u.input_tokens:,} in · {u.output_tokens:,} out · "
                f"cache {u.cache_read_tokens:,} read / {u.cache_write_tokens:,} written · "
                f"{costs(event)}]\n"
            )
        elif isinstance(event, ErrorOccurred):
            self._pending.clear()  # the message never arrived whole
            self._end_answer()

    def _write(self, text: str) -> None:
        if text:
            self.stdout.write(text)
            self.stdout.flush()
            self._at_line_start = text.endswith("\n")

    def _flush_pending(self) -> None:
        text, self._pending = "".join(self._pending), []
        self._write(text)

    def _note(self, line: str) -> None:
        self._end_answer()
        self.stderr.write(line + "\n")
        self.stderr.flush()

    def _end_answer(self) -> None:
        if not self._at_line_start:
            self.stdout.write("\n")
            self.stdout.flush()
            self._at_line_start = True


@dataclass
class JsonRenderer:
    """One JSON object per event per line on stdout."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)

    def __call__(self, event: Event) -> None:
        data: dict[str, Any] = event.to_dict()
        if data.get("cost_known") is False:  # a model without a price: no cost, not $0
            data["cost_usd"] = data["session_cost_usd"] = None
        self.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        self.stdout.flush()


def costs(event: TurnFinished) -> str:
    """The turn's and the session's cost, or "cost unknown" for a model without a price."""
    if not event.cost_known:
        return "cost unknown"
    return f"${event.cost_usd:.4f}; session ${event.session_cost_usd:.4f}"

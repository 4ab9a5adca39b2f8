"""What the runs of one event's hooks decided, read with Claude Code's conventions.

    exit 0   go on; stdout may be JSON with decisions and context, or plain text (plain
             text is context for UserPromptSubmit and SessionStart, ignored otherwise)
    exit 2   block; stderr is the reason (shown to the model, or to the user for
             UserPromptSubmit)
    other    a failure: logged, and the loop goes on as if the hook were not there
    timeout  the hook was killed: logged the same way

JSON fields understood: ``continue`` (false, for UserPromptSubmit: the prompt is refused
with ``stopReason``),
``systemMessage`` (for the user), ``decision: "block"`` with ``reason``, and under
``hookSpecificOutput``: ``permissionDecision`` (allow|ask|deny) with
``permissionDecisionReason`` (PreToolUse), ``decision.behavior`` (allow|deny) with
``decision.message`` (PermissionRequest), and ``additionalContext``.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from agent.hooks.runner import HookRun

log = logging.getLogger("agent.hooks")

PLAIN_TEXT_IS_CONTEXT = frozenset({"UserPromptSubmit", "SessionStart"})
_STRENGTH = {None: 0, "allow": 1, "ask": 2, "deny": 3}


@dataclass
class HookResult:
    """The combined word of an event's hooks. ``decision`` is the strongest of
    allow < ask < deny any of them gave (None: none gave one)."""

    blocked: bool = False
    reasons: list[str] = field(default_factory=list)
    decision: str | None = None
    decision_reasons: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    stop_reason: str | None = None  # "continue": false
    messages: list[str] = field(default_factory=list)  # systemMessage, for the user

    @property
    def reason(self) -> str:
        """Why it blocked (or denied), one text."""
        return "\n".join(self.reasons + self.decision_reasons) or "no reason given"


def combine(event: str, runs: list[HookRun]) -> HookResult:
    """Read every run of ``event``'s hooks into one result; failures are logged."""
    result = HookResult()
    for run in runs:
        _read_run(event, run, result)
    return result


def _read_run(event: str, run: HookRun, result: HookResult) -> None:
    what = f"{event} hook `{_short(run.hook.command)}` ({run.hook.source})"
    if run.timed_out:
        log.warning(
            "%s timed out after %g s and was killed; going on without it", what, run.hook.timeout_s
        )
        return
    if run.exit_code is None:
        log.warning("%s %s; going on without it", what, run.error)
        return
    if run.exit_code == 2:
        result.blocked = True
        result.reasons.append(run.stderr.strip() or f"{what} exited with 2")
        return
    if run.exit_code != 0:
        detail = _first_line(run.stderr)
        log.warning(
            "%s failed (exit %d)%s; going on", what, run.exit_code, f": {detail}" if detail else ""
        )
        return
    text = run.stdout.strip()
    if not text:
        return
    data = _json_object(text)
    if data is None:
        if event in PLAIN_TEXT_IS_CONTEXT:
            result.context.append(text)
        return
    _read_json(event, data, result)


def _read_json(event: str, data: dict[str, Any], result: HookResult) -> None:
    if data.get("continue") is False:
        result.stop_reason = str(data.get("stopReason") or "a hook stopped the turn")
    if isinstance(data.get("systemMessage"), str):
        result.messages.append(data["systemMessage"])
    if data.get("decision") in ("block", "deny"):
        result.blocked = True
        result.reasons.append(str(data.get("reason") or "blocked by a hook"))
    elif data.get("decision") == "approve":  # Claude Code's older PreToolUse spelling
        _decide(result, "allow", data.get("reason"))
    specific = data.get("hookSpecificOutput")
    if not isinstance(specific, dict):
        return
    context = specific.get("additionalContext")
    if isinstance(context, str) and context.strip():
        result.context.append(context.strip())
    permission = specific.get("permissionDecision")
    if permission in ("allow", "ask", "deny"):
        _decide(result, permission, specific.get("permissionDecisionReason"))
    decision = specific.get("decision")
    if isinstance(decision, dict) and decision.get("behavior") in ("allow", "deny"):
        _decide(result, decision["behavior"], decision.get("message"))


def _decide(result: HookResult, decision: str, reason: Any) -> None:
    if _STRENGTH[decision] > _STRENGTH[result.decision]:
        result.decision = decision
    if reason and decision in ("deny", "ask"):
        result.decision_reasons.append(str(reason))


def _json_object(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else ""


def _short(command: str) -> str:
    line = " ".join(command.split())
    return line if len(line) <= 80 else line[:79] + "…"

"""The minimal permission gate: reads run, everything else asks.

This is the runtime's first gate. The full engine (rules, shell analysis, sandbox) replaces
``decide`` without changing its signature or the ``Decision`` it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from agent.tools.base import ToolKind


class Mode(StrEnum):
    PLAN = "plan"
    STANDARD = "standard"
    AUTO = "auto"
    BYPASS = "bypass"


class Verdict(StrEnum):
    ALLOW = "allow"
    ASK = "ask"
    DENY = "deny"


@dataclass(frozen=True)
class ToolCall:
    """A validated tool call as the gate sees it."""

    id: str
    name: str
    input: dict[str, Any]
    kind: ToolKind
    description: str


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: str = ""


_WHAT_IT_DOES = {
    ToolKind.WRITE: "changes files",
    ToolKind.EXECUTE: "runs a command",
    ToolKind.NETWORK: "contacts the network",
}


def decide(call: ToolCall, mode: Mode) -> Decision:
    """Judge one call under ``mode``."""
    if call.kind in (ToolKind.READ, ToolKind.INTERNAL):
        return Decision(Verdict.ALLOW, "reads only")
    what = _WHAT_IT_DOES.get(call.kind, "has side effects")
    if mode is Mode.PLAN:
        return Decision(Verdict.DENY, f"plan mode: propose, don't change ({call.name} {what})")
    if mode is Mode.BYPASS:
        return Decision(Verdict.ALLOW, "bypass mode")
    return Decision(Verdict.ASK, f"{call.name} {what}")

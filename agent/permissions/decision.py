"""The permission layer's vocabulary: modes, calls, verdicts and decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from agent.permissions.grant import Grant
from agent.tools.base import ToolKind


class Mode(StrEnum):
    PLAN = "plan"  # read-only
    STANDARD = "standard"  # asks before anything that writes, executes or reaches out
    AUTO = "auto"  # low-risk actions inside the workspace run without asking
    BYPASS = "bypass"  # everything, except deny rules, protected paths, catastrophes


class Verdict(StrEnum):
    ALLOW = "allow"
    ASK = "ask"
    DENY = "deny"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CATASTROPHIC = "catastrophic"


@dataclass(frozen=True)
class ToolCall:
    """A validated tool call as the gate sees it. ``cwd`` is the shell's folder now."""

    id: str
    name: str
    input: dict[str, Any]
    kind: ToolKind
    description: str
    cwd: Path | None = None


@dataclass(frozen=True)
class Decision:
    """``reason`` is shown to people and, on deny, to the model. ``rule`` is the rule that
    decided, if one did. ``suggestion`` is the precise rule "always allow" would save."""

    verdict: Verdict
    reason: str = ""
    rule: str | None = None
    risk: Risk = Risk.LOW
    grant: Grant = field(default_factory=Grant)
    suggestion: str | None = None

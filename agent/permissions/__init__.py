"""Whether a tool call may run: allow, ask a person, or deny (with a reason the model sees)."""

from agent.permissions.gate import Decision, Mode, ToolCall, Verdict, decide

__all__ = ["Decision", "Mode", "ToolCall", "Verdict", "decide"]

"""Whether a tool call may run: allow, ask a person, or deny (with a reason the model sees).

decision.py   Mode, ToolCall, Verdict, Risk, Decision
classify.py   what a call reads, writes, runs and contacts
shell.py      shell commands parsed with tree-sitter-bash
programs.py   what each shell program does with its arguments
rules.py      Tool(specifier) rules and how they match
settings.py   where rules come from; project trust
protected.py  paths never written without asking
git_dirs.py   what git reads as configuration or runs, in every git directory
git_programs.py  what a repository's configuration makes git run or include
engine.py     the decision itself
grant.py      what an allowed call may do while it runs (sandbox, network)
"""

from agent.permissions.decision import Decision, Mode, Risk, ToolCall, Verdict
from agent.permissions.engine import PermissionEngine

__all__ = ["Decision", "Mode", "PermissionEngine", "Risk", "ToolCall", "Verdict"]

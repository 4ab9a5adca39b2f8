"""Whether a deny or an ask rule reaches a tool call, and the reason shown for it.

A deny or ask rule reaches a call when it touches any part of it (``rule_touch``), when
the call runs a program such a rule names under another name or makes another name for
it (``rule_aliases``), and, for ask, when a rule names commands and part of the call is
hidden from it (``rule_blind``). The engine asks ``denied`` first (step 1) and ``asked``
later (step 4); what both need is worked out once.
"""

from __future__ import annotations

from pathlib import Path

from agent.permissions.classify import Classification
from agent.permissions.decision import ToolCall
from agent.permissions.rule_aliases import AliasCheck, Hit
from agent.permissions.rule_blind import guards_bash, unreadable
from agent.permissions.rule_touch import first_touching
from agent.permissions.settings import RuleSet

__all__ = ["Hit", "RuleReach"]


class RuleReach:
    """The deny and ask rules of ``rules`` applied to one classified call."""

    def __init__(
        self, rules: RuleSet, call: ToolCall, c: Classification, workspace: Path, home: Path
    ) -> None:
        self.rules, self.call, self.c = rules, call, c
        self.workspace, self.home = workspace, home
        self._aliases: tuple[Hit | None, Hit | None] | None = None

    def denied(self) -> Hit | None:
        """Why a deny rule refuses the call, or None."""
        rule = first_touching(self.rules.deny, self.call, self.c, self.workspace, self.home)
        if rule:
            return Hit(f"denied by the rule {rule.text} ({rule.source})", rule)
        return self._alias_hits()[0]

    def asked(self) -> Hit | None:
        """Why an ask rule (or a deny or ask rule that cannot see all of it) asks, or None."""
        rule = first_touching(self.rules.ask, self.call, self.c, self.workspace, self.home)
        if rule:
            return Hit(f"the rule {rule.text} ({rule.source}) asks", rule)
        hit = self._alias_hits()[1]
        if hit:
            return hit
        blind = guards_bash(self.rules.deny + self.rules.ask) and unreadable(self.c)
        if blind:
            return Hit(f"a deny or ask rule names commands, and {blind}", None)
        return None

    def _alias_hits(self) -> tuple[Hit | None, Hit | None]:
        """(deny, ask) for other names of programs the rules name; only for a shell call
        while a Bash deny or ask rule names something."""
        if self._aliases is None:
            self._aliases = (None, None)
            if self.call.name == "Bash" and guards_bash(self.rules.deny + self.rules.ask):
                check = AliasCheck(self.rules.deny, self.rules.ask, self.home)
                command = str(self.call.input.get("command", ""))
                self._aliases = check.judge(command, self.call.cwd or self.workspace)
        return self._aliases

"""The permission engine: one decision per tool call, the same for the agent and the CLI.

Order of judgement (the first step that decides wins):

    1. deny rules                         -> deny (any part of a call, or their program renamed)
    2. plan mode and a call that changes  -> deny ("plan mode: propose, don't change");
                                             a shell command that reaches the network
                                             changes (it can carry data out)
    3. catastrophic commands              -> ask, in every mode
    4. ask rules                          -> ask (also: a link or copy made of a program
                                             a deny or ask rule names; rule_reach)
    5. writes to protected paths          -> ask, in every mode
    6. bypass mode                        -> allow, except a call that reaches a host
                                             no allow rule covers, and an MCP tool its
                                             server does not mark openWorldHint: false
                                             with no rule naming it (-> ask); without
                                             a sandbox also a command Harken cannot
                                             prove stays off the network (-> ask)
    7. what cannot be proven safe         -> ask
    8. allow rules covering every part    -> allow
    9. auto mode's low-risk classifier    -> allow (edits and read-only commands inside
                                             the workspace; shell only with a sandbox;
                                             MCP tools their server marks readOnlyHint
                                             and openWorldHint: false, which plan mode
                                             also allows: they read)
   10. reads inside the workspace         -> allow (never a call that contacts a host,
                                             nor an MCP tool: its read-only is a claim)
   11. everything else                    -> ask

Data never leaves the machine without a question unless an allow rule covers the host:
no mode, bypass included, has a step that lets a network call through on its own, and
plan mode fetches (WebFetch) only from hosts an allow rule covers. An MCP tool may reach
the outside world unless its server says otherwise (``openWorldHint`` defaults to true):
agent/mcp/tools.py gives an open-world tool the kind NETWORK (read-only) or EXECUTE,
a closed-world one READ (read-only) or WRITE, and such a tool runs without a question
only under a rule naming it (``mcp__server__tool`` or ``mcp__server``). The grant tells
WebFetch which hosts rules name exactly: only those may be local or private addresses.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from agent.permissions.classify import Classification, classify
from agent.permissions.decision import Decision, Mode, Risk, ToolCall, Verdict
from agent.permissions.fetch_local import local_fetch_refused
from agent.permissions.grant import Grant
from agent.permissions.network_rules import (
    named_hosts,
    network_ruled,
    reaches_network,
    sockets_named,
    why_network,
)
from agent.permissions.paths import is_inside
from agent.permissions.protected import is_protected
from agent.permissions.rule_cover import covering_rule, needs_no_rule
from agent.permissions.rule_reach import RuleReach
from agent.permissions.rule_touch import shell_invocation
from agent.permissions.rules import Rule, domain_matches, mcp_matches, path_matches
from agent.permissions.settings import RuleSet
from agent.tools.base import ToolKind

# Shell programs whose writes inside the workspace auto mode lets through.
LOW_RISK_WRITERS = frozenset({"mkdir", "touch", "cp", "tee", "echo", "printf", "cat"})
# Tools of MCP servers (mcp__<server>__<tool>) judged by what their server declares.
# Why bypass asks before opaque commands when there is no sandbox to keep them offline.
NO_SANDBOX = (
    "no sandbox (bubblewrap is missing or cannot run here; `harken doctor` says why), "
    "so commands would run unconfined"
)
EXTERNAL_PREFIX = "mcp__"


@dataclass
class PermissionEngine:
    """Decides tool calls for one workspace. ``sandbox`` says whether bubblewrap works."""

    mode: Mode
    workspace: Path
    rules: RuleSet = field(default_factory=RuleSet)
    sandbox: bool = False
    home: Path = field(default_factory=Path.home)
    # Folders besides the workspace the sandbox lets commands write (the session temp).
    writable: tuple[Path, ...] = ()

    def __post_init__(self) -> None:
        self.workspace = Path(os.path.realpath(self.workspace))

    def decide(self, call: ToolCall) -> Decision:
        """Judge one call under the engine's mode and rules."""
        c = classify(call, self.workspace)
        grant = self._grant(c)
        risk = self._risk(c)
        suggestion = self.suggest_rule(call, c)

        def decision(verdict: Verdict, reason: str, rule: Rule | None = None) -> Decision:
            text = f"{rule.text} ({rule.source})" if rule else None
            return Decision(verdict, reason, text, risk, grant, suggestion)

        reach = RuleReach(self.rules, call, c, self.workspace, self.home)
        if hit := reach.denied():
            return decision(Verdict.DENY, hit.reason, hit.rule)
        if refused := local_fetch_refused(self.rules.allow, c):
            return decision(Verdict.ASK, refused)

        if self.mode is Mode.PLAN and self._changes(c):
            return decision(Verdict.DENY, f"plan mode: propose, don't change ({c.summary})")

        if c.catastrophic:
            return Decision(
                Verdict.ASK, f"catastrophic: {c.catastrophic}", None, Risk.CATASTROPHIC, grant, None
            )

        if hit := reach.asked():
            return decision(Verdict.ASK, hit.reason, hit.rule)

        protected = self._protected_writes(c)
        if protected:
            return Decision(
                Verdict.ASK, f"writes a protected path: {protected}", None, Risk.HIGH, grant, None
            )

        if self.mode is Mode.BYPASS:
            # Bypass trusts the agent with this machine, not with sending its data away.
            if is_open_world(c) and not self._mcp_rule(call.name):
                return decision(Verdict.ASK, f"bypass mode, but {self._why_ask(c)}")
            opaque = self._unconfined_opaque(c)
            if opaque and self._shell_rule(c) is None:
                return decision(Verdict.ASK, f"bypass mode, but {NO_SANDBOX}: {opaque}")
            command_ruled = call.name == "Bash" and self._shell_rule(c) is not None
            if reaches_network(c) and not network_ruled(self.rules.allow, c, command_ruled):
                return decision(Verdict.ASK, f"bypass mode, but {self._why_ask(c)}")
            return decision(Verdict.ALLOW, "bypass mode")

        if c.problems or c.unknown_writes:
            why = "; ".join(c.problems) or "writes paths that cannot be known"
            return decision(Verdict.ASK, f"cannot prove it safe: {why}")

        covered, rule = self._allowed_by_rules(call, c)
        if covered and sockets_named(self.rules.allow, c):
            reason = f"allowed by the rule {rule.text} ({rule.source})" if rule else "allowed"
            return decision(Verdict.ALLOW, reason, rule)

        # Plan mode reads: a server's read-only, closed-world tool as auto mode trusts it.
        if self.mode is Mode.AUTO or (self.mode is Mode.PLAN and is_external(call.name)):
            verdict = self._auto(c)
            if verdict:
                return decision(Verdict.ALLOW, f"{self.mode.value} mode: {verdict}")

        reads_inside = c.read_only and self._reads_inside(c) and not (c.hosts or c.unknown_hosts)
        if reads_inside and not is_external(call.name):
            return decision(Verdict.ALLOW, "reads only inside the workspace")

        return decision(Verdict.ASK, self._why_ask(c))

    # -- rules ---------------------------------------------------------------------

    def _allowed_by_rules(self, call: ToolCall, c: Classification) -> tuple[bool, Rule | None]:
        """Whether allow rules (plus what needs no rule) cover every part of the call."""
        allow = self.rules.allow
        if call.name == "Bash":
            used = self._shell_rule(c)
            if used is None or not self._paths_covered(c):
                return False, None
            return True, used
        mcp_rule = self._mcp_rule(call.name)
        if mcp_rule is not None:
            return True, mcp_rule
        for rule in allow:
            if rule.tool == call.name and rule.specifier is None:
                return True, rule
            fetch_rule = rule.tool == call.name == "WebFetch" and rule.specifier and c.hosts
            if fetch_rule and all(domain_matches(rule.specifier, h) for h in c.hosts):
                return True, rule
        if c.writes or c.reads:
            rule = self._path_rule_for_all(c)
            if rule is not None and (c.writes or call.name in ("Read", "Glob", "Grep")):
                return True, rule
        return False, None

    def _mcp_rule(self, tool: str) -> Rule | None:
        """The first allow rule naming the MCP tool ``tool`` or its server."""
        if not is_external(tool):
            return None
        rules = (r for r in self.rules.allow if r.tool.startswith(EXTERNAL_PREFIX))
        return next((r for r in rules if mcp_matches(r.tool, tool)), None)

    def _shell_rule(self, c: Classification) -> Rule | None:
        """The first allow rule of those covering every part of a shell command that needs
        one; None when a part is not covered, or when no part needed a rule."""
        # A rule approves a part's own program; what it starts or destroys beyond that
        # needs words the rule spells out, or rules of its own (rule_cover).
        used: Rule | None = None
        for part in c.parts:
            command = shell_invocation(part)
            if needs_no_rule(command) and not part.wrappers:
                continue
            rule = covering_rule(command, self.rules.allow)
            if rule is None:
                return None
            used = used or rule
        return used

    def _path_rule_for_all(self, c: Classification) -> Rule | None:
        """An allow rule covering every path the call writes (or, if none, reads)."""
        paths = c.writes or c.reads
        tools = {"Edit", "Write"} if c.writes else {"Read"}
        first: Rule | None = None
        for path in paths:
            rule = next(
                (
                    r
                    for r in self.rules.allow
                    if r.tool in tools
                    and r.specifier
                    and path_matches(r.specifier, path, self.workspace, self.home)
                ),
                None,
            )
            if rule is None:
                return None
            first = first or rule
        return first

    def _paths_covered(self, c: Classification) -> bool:
        """Rule-allowed commands still may not write outside the workspace, or read
        outside it, unless a path rule says so."""
        for path in c.writes:
            if not self._inside_writable(path) and not self._path_allowed(path, {"Edit", "Write"}):
                return False
        return all(is_inside(p, self.workspace) or self._path_allowed(p, {"Read"}) for p in c.reads)

    def _path_allowed(self, path: Path, tools: set[str]) -> bool:
        return any(
            r.tool in tools
            and r.specifier
            and path_matches(r.specifier, path, self.workspace, self.home)
            for r in self.rules.allow
        )

    # -- classification helpers ----------------------------------------------------

    def _changes(self, c: Classification) -> bool:
        """Whether plan mode must refuse it: writes, runs things, or sends data out."""
        if c.tool == "WebFetch" or (is_external(c.tool) and c.kind is ToolKind.NETWORK):
            # Not refused outright: a fetch from a host an allow rule covers is allowed, any
            # other asks (the URL itself can carry what was read).
            return False
        if c.tool == "Bash":
            network = bool(c.hosts) or c.unknown_hosts
            return (
                bool(c.problems)
                or any(p.effect != "read" for p in c.parts)
                or bool(c.writes)
                or network
            )
        return c.kind in (ToolKind.WRITE, ToolKind.EXECUTE, ToolKind.NETWORK)

    def _protected_writes(self, c: Classification) -> str:
        for path in c.writes:
            hit = is_protected(path, self.workspace, self.home)
            if hit:
                return hit
        return ""

    def _inside_writable(self, path: Path) -> bool:
        return is_inside(path, self.workspace) or any(is_inside(path, w) for w in self.writable)

    def _reads_inside(self, c: Classification) -> bool:
        return all(is_inside(p, self.workspace) for p in c.reads)

    def _auto(self, c: Classification) -> str:
        """Why auto mode lets this through without asking, or "" when it does not."""
        if is_external(c.tool):
            # Only the server's word (readOnlyHint, and openWorldHint: false, which READ
            # carries): enough for auto mode, never standard.
            if c.kind is ToolKind.READ:
                return "the MCP server marks this tool read-only and closed-world"
            return ""
        if c.tool in ("Edit", "Write"):
            if all(is_inside(p, self.workspace) for p in c.writes):
                return "edits a file inside the workspace"
            return ""
        if c.tool != "Bash" or not self.sandbox or c.hosts or c.unknown_hosts:
            return ""
        if not self._reads_inside(c) or not all(is_inside(p, self.workspace) for p in c.writes):
            return ""
        for part in c.parts:
            if part.wrappers:
                return ""
            if part.effect == "write" and part.words.split(" ")[0] not in LOW_RISK_WRITERS:
                return ""
            if part.effect not in ("read", "write"):
                return ""
        return "a low-risk command inside the workspace, sandboxed"

    def _unconfined_opaque(self, c: Classification) -> str:
        """Without a sandbox, why a shell command might reach the network unseen ("" when
        every part is a program whose offline behaviour Harken knows)."""
        if self.sandbox or c.tool != "Bash":
            return ""
        # Interpreters running scripts, eval, unknown or opaque programs: whatever they
        # do is invisible here, and nothing would stop a connection.
        for part in c.parts:
            if part.effect == "execute":
                return f"{part.reason}, which Harken cannot prove stays off the network"
        if c.problems:
            return f"cannot judge it ({c.problems[0]})"
        return ""

    def _grant(self, c: Classification) -> Grant:
        network = bool(c.hosts) or c.unknown_hosts
        # A command that was judged to write outside the workspace would only fail in the
        # sandbox; it runs outside it once it is allowed. So does one whose writes cannot
        # be known, once a person allowed it; in bypass nobody has seen it, and unplaced
        # writes stay confined (protected paths read-only: `cd .git; echo x >> config`).
        unplaced = c.unknown_writes and self.mode is not Mode.BYPASS
        outside = any(not self._inside_writable(p) for p in c.writes) or unplaced
        named = named_hosts(self.rules.allow, c.tool)
        return Grant(network=network, sandbox=self.sandbox and not outside, named_hosts=named)

    def _risk(self, c: Classification) -> Risk:
        if c.catastrophic:
            return Risk.CATASTROPHIC
        if self._protected_writes(c) or any(not self._inside_writable(p) for p in c.writes):
            return Risk.HIGH
        if any("sudo" in p.wrappers or "doas" in p.wrappers for p in c.parts):
            return Risk.HIGH
        if c.problems or c.unknown_writes or c.kind in (ToolKind.EXECUTE, ToolKind.NETWORK):
            return Risk.MEDIUM
        if is_external(c.tool) and c.kind is not ToolKind.READ:
            return Risk.MEDIUM  # a server's tool that changes things: what, Harken cannot see
        if not self._reads_inside(c):
            return Risk.MEDIUM
        if any(p.words.startswith(("rm ", "rmdir ", "shred ")) for p in c.parts):
            return Risk.MEDIUM
        return Risk.LOW

    def _why_ask(self, c: Classification) -> str:
        if c.read_only and not self._reads_inside(c):
            outside = next(p for p in c.reads if not is_inside(p, self.workspace))
            return f"reads outside the workspace: {outside}"
        outside_writes = [p for p in c.writes if not self._inside_writable(p)]
        if outside_writes:
            return f"writes outside the workspace: {outside_writes[0]}"
        if reaches_network(c):
            return why_network(c)
        if is_open_world(c):
            return (
                f"the MCP tool {c.tool} may reach the outside world "
                "(its server does not mark it openWorldHint: false)"
            )
        return c.summary or f"{c.tool} {c.kind}"

    # -- "always allow" ------------------------------------------------------------

    def suggest_rule(self, call: ToolCall, c: Classification | None = None) -> str | None:
        """The precise rule "always allow" would save for this call (None: never offered)."""
        c = c or classify(call, self.workspace)
        if c.catastrophic or c.problems or self._protected_writes(c):
            return None
        if call.name == "Bash":
            command = str(call.input.get("command", "")).strip()
            if len(c.parts) != 1 or "\n" in command:
                return None
            return f"Bash({' '.join(shlex.quote(w) for w in c.parts[0].full.split(' '))})"
        if call.name in ("Edit", "Write") and c.writes:
            return f"Edit({self._rule_path(c.writes[0])})"
        if call.name in ("Read", "Glob", "Grep") and c.reads:
            return f"Read({self._rule_path(c.reads[0])})"
        if call.name == "WebFetch" and c.hosts:
            return f"WebFetch(domain:{c.hosts[0]})"
        if call.name.startswith("mcp__"):
            return call.name
        return None

    def _rule_path(self, path: Path) -> str:
        if is_inside(path, self.workspace):
            return str(path.relative_to(self.workspace)) or "."
        return str(path)

    def add_rule(self, kind: str, rule: Rule) -> None:
        """Apply a rule from now on (the caller saves it where it belongs)."""
        self.rules.add(kind, rule)


def is_open_world(c: Classification) -> bool:
    """Whether ``c`` is an MCP tool that may talk to the outside world: its server did not
    mark it ``openWorldHint: false`` (the MCP default is true)."""
    return is_external(c.tool) and c.kind in (ToolKind.NETWORK, ToolKind.EXECUTE)


def is_external(tool: str) -> bool:
    """Whether ``tool`` belongs to another program (an MCP server): its declared kind is
    that program's claim, which Harken cannot check."""
    return tool.startswith(EXTERNAL_PREFIX)

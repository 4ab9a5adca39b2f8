"""WebFetch to an address that is local by its spelling (``127.0.0.1``, ``localhost``,
``10.0.0.5``, ``[::1]``): the engine says what the tool will do. The tool (see
agent/tools/fetch_guard.py) refuses such a host unless an allow rule names it exactly, so
a bare ``WebFetch`` rule, a wildcard, a mode or ``--yes`` cannot let it through, and the
engine does not let them approve it: it asks, suggesting the rule that names the host
(answering yes once cannot make the tool fetch it; always allowing adds that rule). Names
that resolve to local addresses are the tool's to find out (that needs DNS)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from agent.permissions.addresses import address_class, host_key, host_text, is_local_name, literal
from agent.permissions.classify import Classification
from agent.permissions.network_rules import named_hosts
from agent.permissions.rules import Rule


def only_a_named_rule_allows(tool: str, tool_input: dict[str, Any]) -> bool:
    """Whether only an allow rule naming the host can let this call run: a WebFetch of an
    address local by its spelling. Answering yes (once, or ``--yes``) cannot."""
    if tool != "WebFetch":
        return False
    return bool(_local_kind(urlsplit(str(tool_input.get("url", ""))).hostname or ""))


def _local_kind(host: str) -> str:
    """What kind of local address ``host`` is by its spelling ("" for none or a name)."""
    if not host:
        return ""
    if is_local_name(host):
        return "a loopback name (this machine)"
    number = literal(host)
    return address_class(number) if number is not None else ""


def local_fetch_refused(allow: list[Rule], c: Classification) -> str:
    """Why WebFetch will refuse one of the call's hosts unless a rule names it ("" when
    it will not)."""
    if c.tool != "WebFetch":
        return ""
    named = {host_key(h) for h in named_hosts(allow, "WebFetch")}
    for host in c.hosts:
        if host_key(host) in named:
            continue
        kind = _local_kind(host)
        if kind:
            rule = f"WebFetch(domain:{host_text(host)})"
            return (
                f"{host_text(host)} is {kind}: WebFetch reaches it only under an allow rule "
                f"naming the host exactly ({rule}), not a bare or wildcard rule nor --yes"
            )
    return ""

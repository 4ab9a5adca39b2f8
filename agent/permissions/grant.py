"""What a permitted call may do while it runs, handed from the gate to the tool.

The tool runner sets ``current_grant`` around each call (a context variable, so calls
running side by side each see their own); the Bash tool reads it to choose the sandbox
and whether the command may reach the network.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Grant:
    """``network``: the call may reach other hosts. ``sandbox``: run it confined (False
    only where the engine decided to run without one, e.g. none is available and the
    user allowed it anyway). ``named_hosts``: hosts that allow rules spell out exactly
    (``WebFetch(domain:127.0.0.1)``, no wildcard); only those may WebFetch reach at a
    loopback, private or other non-public address."""

    network: bool = False
    sandbox: bool = True
    named_hosts: frozenset[str] = frozenset()


DEFAULT_GRANT = Grant()
# A frozen dataclass is immutable, so sharing one default is safe.
current_grant: ContextVar[Grant] = ContextVar("harken_grant", default=DEFAULT_GRANT)

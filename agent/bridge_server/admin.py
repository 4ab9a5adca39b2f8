"""What ``harken bridge token|rotate`` do, Qt-free.

new_token(scope, ttl_s)   a token signed with the current secret
rotate()                  a new secret (every old token fails at its next handshake);
                          a running bridge's bridge.json gets a token that works
"""

from __future__ import annotations

import dataclasses

from agent.bridge_server import discovery
from agent.bridge_server.secret import load_secret, rotate_secret
from agent.bridge_server.tokens import CONTROL, DEFAULT_TTL_S, issue_token


def new_token(scope: str = CONTROL, ttl_s: int = DEFAULT_TTL_S) -> str:
    """A new token of ``scope`` valid for ``ttl_s`` seconds."""
    return issue_token(load_secret(), scope, ttl_s)


def rotate() -> bool:
    """Replace the secret; True when a running bridge's bridge.json was refreshed."""
    rotate_secret()
    info = discovery.read_info()
    if info is None or not discovery.is_live(info):
        return False
    # The running bridge reads the secret at each handshake: the new token works at once.
    discovery.write_info(dataclasses.replace(info, token=new_token()))
    return True

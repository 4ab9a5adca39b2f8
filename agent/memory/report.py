"""One-line warnings about memory, each said once per process (logged: the CLI prints
them on stderr, the tray writes them to its log). Front ends may also ask for the list."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("agent.memory")

_said: set[str] = set()
_lock = threading.Lock()


def warn(message: str) -> None:
    """Log ``message`` (one line) as a warning, unless it was already said."""
    line = " ".join(message.split())
    with _lock:
        if line in _said:
            return
        _said.add(line)
    log.warning("memory: %s", line)


def said() -> list[str]:
    """Every warning said so far, in no particular order."""
    with _lock:
        return sorted(_said)

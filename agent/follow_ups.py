"""What the user says while a turn runs: queued for that turn's next request.

    session.follow_ups.add("also run the linter")    any thread (the desktop's hotkey)
    follow_ups.blocks()                               the queued texts as user content,
                                                      taken (the session adds them after the
                                                      tool_results of the next round)
    follow_ups.join(messages, record)                 at the end of a reply: a new user
                                                      message, so the model goes on

The session calls ``blocks`` when it records a round's tool_results (``add_user_content``
keeps tool_results first, the follow-up text after them, so the conversation stays valid)
and ``join`` when the model ends its turn while something was said meanwhile. What is said
after the turn's last request joins the next turn's first tool round or reply end: never lost.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from agent import conversation

PREFIX = "[Said by the user while you were working; take it into account:] "
# What the user is shown when something said mid-turn was queued (tray notifications).
HEARD_NOTE = "Heard; Harken takes it into account at its next step: "

Record = Callable[[dict[str, Any]], None]


class FollowUps:
    """Texts said while a turn runs, in the order they were said; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._texts: list[str] = []

    def add(self, text: str) -> None:
        """Queue ``text`` (blank text is ignored)."""
        text = text.strip()
        if text:
            with self._lock:
                self._texts.append(text)

    @property
    def pending(self) -> int:
        """How many texts wait for the next request."""
        with self._lock:
            return len(self._texts)

    def blocks(self) -> list[dict[str, Any]]:
        """The queued texts as user text blocks, taken out of the queue."""
        with self._lock:
            texts, self._texts = self._texts, []
        return [{"type": "text", "text": PREFIX + text} for text in texts]

    def join(self, messages: list[dict[str, Any]], record: Record) -> bool:
        """Add the queued texts to ``messages`` as user content (recorded with ``record``);
        whether there were any: then the turn must send another request."""
        blocks = self.blocks()
        if not blocks:
            return False
        record(conversation.add_user_content(messages, blocks))
        return True

"""Editor context in a host's sessions: ``attach(session, store)`` gives a session the
``IdeContext`` tool and adds the latest unsent context block to its next request.

The block rides with the prompt's other context (the memory notes recalled for it): the
session asks its memory for them once per prompt, so wrapping that one call is where the
block joins the user's message, kept in the conversation like the notes (later requests
read the same prefix from cache). Duck-typed: nothing here imports ``agent.session``.
"""

from __future__ import annotations

from typing import Any

from agent.tools.ide_context import IdeContextStore, ide_context_tool

TOOL_NAME = "IdeContext"


class _RecallWithIdeContext:
    """A session's memory whose ``recall`` also brings the editor's new context."""

    def __init__(self, memory: Any, store: IdeContextStore) -> None:
        self._memory = memory
        self._store = store

    def recall(self, text: str) -> list[dict[str, str]]:
        blocks = list(self._memory.recall(text))
        block = self._store.take_block()
        return [*blocks, block] if block is not None else blocks

    def __getattr__(self, name: str) -> Any:
        return getattr(self._memory, name)

    def __setattr__(self, name: str, value: Any) -> None:
        # ``memory.enabled = False`` and the like must reach the memory itself.
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            setattr(self._memory, name, value)


def attach(session: Any, store: IdeContextStore) -> Any:
    """``session`` with the IdeContext tool and the context block; returns it."""
    if TOOL_NAME not in session.tools:
        session.tools[TOOL_NAME] = ide_context_tool(store)
    if not isinstance(session.memory, _RecallWithIdeContext):
        session.memory = _RecallWithIdeContext(session.memory, store)
    return session

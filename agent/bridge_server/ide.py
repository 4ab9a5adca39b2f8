"""Editor context in a host's sessions: ``attach(session, store)`` gives a session the
``IdeContext`` tool and adds the latest unsent context block to its next request.

The block joins the user's message through the session's ``prompt_context`` providers,
after the memory notes recalled for it, and stays in the conversation like them (later
requests read the same prefix from cache). Duck-typed: nothing here imports
``agent.session``.
"""

from __future__ import annotations

from typing import Any

from agent.tools.ide_context import IdeContextStore
from agent.tools.ide_context_tool import ide_context_tool

TOOL_NAME = "IdeContext"


def attach(session: Any, store: IdeContextStore) -> Any:
    """``session`` with the IdeContext tool and the context block; returns it."""
    if TOOL_NAME not in session.tools:  # once per session
        session.tools[TOOL_NAME] = ide_context_tool(store)
        session.prompt_context.append(lambda _prompt: _new_block(store))
    return session


def _new_block(store: IdeContextStore) -> list[dict[str, str]]:
    """The editor's context block when it changed since the last prompt, else nothing."""
    block = store.take_block()
    return [block] if block is not None else []

"""Before each request of a turn: make the conversation fit the model's context window.

``fit_before_request(session)`` runs ``agent.compaction.fit_context`` on the session's
conversation and applies what it decided: the compacted messages replace the old ones
(recorded in the transcript, the summary's cost counted in the turn), the user hears of a
compaction or of shortened tool results, and a request that still cannot fit raises
``ContextTooLarge`` (the turn ends with its one line; nothing is sent).

May import: the ``agent`` modules the session itself imports (no Qt, no audio).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agent.compaction import ContextTooLarge, fit_context
from agent.events import Compacted, Notice
from agent.usage import cost_usd

if TYPE_CHECKING:
    from agent.session import Session


async def fit_before_request(session: Session) -> None:
    """Fit ``session``'s conversation before its next request; raises
    ``ContextTooLarge`` when it cannot fit."""
    tools = [t.api_schema() for t in session.tools.values()]
    fitted = await fit_context(
        session.client,
        session.config.model,
        session.guard,
        session.system,
        tools,
        session.messages,
        before_compact=session.hooks.pre_compact,
    )
    if fitted is None:
        return
    if fitted.messages is not session.messages:
        session.state.messages = fitted.messages
        # Kept in the turn's record too, so a resumed session's totals include it.
        session.add_spending(fitted.usage, cost_usd(session.config.model, fitted.usage))
        record = {"type": "compaction", "messages": fitted.messages}
        session._log.add(record | {"tokens_before": fitted.tokens_before})
    if fitted.replaced:
        session.emit(Compacted(fitted.tokens_before, fitted.replaced))
    if fitted.shortened:
        session.emit(Notice(f"Cut {fitted.shortened} long tool result(s) to fit the context."))
    if fitted.error:
        raise ContextTooLarge(fitted.error)

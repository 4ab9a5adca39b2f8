"""How a session's usage and cost read in the conversation window's status line.

session_line(event)   "This session · 12.3k in · 456 out · $0.0123" (cost unknown for a
                      model the price table does not know)
request_tip(event)    the last request's tokens, cache and cost, for the tooltip
"""

from __future__ import annotations

from agent.events import TurnFinished

UNKNOWN = "cost unknown"


def session_line(event: TurnFinished) -> str:
    """The whole session's tokens and cost after ``event``'s turn."""
    total = event.session_usage
    return (
        f"This session  ·  {tokens(total.prompt_tokens)} in  ·  "
        f"{tokens(total.output_tokens)} out  ·  "
        f"{dollars(event.session_cost_usd) if event.cost_known else UNKNOWN}"
    )


def request_tip(event: TurnFinished) -> str:
    """The last request's tokens, cache reads and writes, and cost."""
    usage = event.usage
    return (
        f"Last request: {usage.input_tokens:,} in, {usage.output_tokens:,} out, "
        f"cache {usage.cache_read_tokens:,} read / {usage.cache_write_tokens:,} written, "
        f"{dollars(event.cost_usd) if event.cost_known else UNKNOWN}"
    )


def tokens(count: int) -> str:
    """A token count for a glance: 9,876 / 12.3k / 1.23M."""
    if count < 10_000:
        return f"{count:,}"
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.2f}M"


def dollars(amount: float) -> str:
    """Four decimals under a dollar (a turn often costs cents), two above."""
    return f"${amount:.4f}" if amount < 1 else f"${amount:.2f}"

"""Token usage of one API call, a turn or a session, and what it costs.

Prices are US dollars per million tokens, per model family; a cache write costs 1.25x the
input price (5-minute cache) and a cache read 0.1x, as Anthropic bills them. A model not
in the table (a local model behind an Anthropic-compatible server, a new name) has no
known price: ``price_for`` flags Sonnet's price as a mere estimate for it, ``cost_usd``
counts it as 0 (never that guess), and ``cost_text`` says "unknown" where people read a cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Usage:
    """Token counts; ``+`` adds two of them."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
        )

    @property
    def prompt_tokens(self) -> int:
        """Everything the model read: fresh input plus cache writes and reads."""
        return self.input_tokens + self.cache_write_tokens + self.cache_read_tokens

    def to_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "cache_read_tokens": self.cache_read_tokens,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Usage:
        return cls(**{k: int(data.get(k) or 0) for k in cls().to_dict()})

    @classmethod
    def from_api(cls, usage: Any) -> Usage:
        """From an SDK usage object (message_start or message_delta), missing fields as 0."""
        return cls(
            input_tokens=getattr(usage, "input_tokens", 0) or 0,
            output_tokens=getattr(usage, "output_tokens", 0) or 0,
            cache_write_tokens=getattr(usage, "cache_creation_input_tokens", 0) or 0,
            cache_read_tokens=getattr(usage, "cache_read_input_tokens", 0) or 0,
        )


@dataclass(frozen=True)
class Price:
    """Dollars per million tokens."""

    input: float
    output: float

    @property
    def cache_write(self) -> float:
        return self.input * 1.25

    @property
    def cache_read(self) -> float:
        return self.input * 0.1


# Most specific prefix first: a model id is priced by the first prefix it starts with.
PRICES: tuple[tuple[str, Price], ...] = (
    ("claude-opus-4-0", Price(15.0, 75.0)),
    ("claude-opus-4-1", Price(15.0, 75.0)),
    ("claude-opus-4-2", Price(15.0, 75.0)),
    ("claude-opus-4-", Price(5.0, 25.0)),
    ("claude-opus", Price(5.0, 25.0)),
    ("claude-3-opus", Price(15.0, 75.0)),
    ("claude-sonnet", Price(3.0, 15.0)),
    ("claude-3-7-sonnet", Price(3.0, 15.0)),
    ("claude-3-5-sonnet", Price(3.0, 15.0)),
    ("claude-haiku-4", Price(1.0, 5.0)),
    ("claude-haiku", Price(1.0, 5.0)),
    ("claude-3-5-haiku", Price(0.8, 4.0)),
    ("claude-3-haiku", Price(0.25, 1.25)),
)
FALLBACK_PRICE = Price(3.0, 15.0)
UNKNOWN_COST = "unknown"


def price_for(model: str) -> tuple[Price, bool]:
    """The price of ``model`` and whether it is known (False: Sonnet's, an estimate only)."""
    for prefix, price in PRICES:
        if model.startswith(prefix):
            return price, True
    return FALLBACK_PRICE, False


def price_known(model: str) -> bool:
    """Whether ``model``'s cost can be worked out (it is in the price table)."""
    return price_for(model)[1]


def cost_text(amount: float, model: str) -> str:
    """A cost for people: "$0.0123", or "unknown" for a model the table does not price."""
    if not price_known(model):
        return UNKNOWN_COST
    return f"${amount:.4f}" if amount < 1 else f"${amount:.2f}"


def cost_usd(model: str, usage: Usage) -> float:
    """Estimated cost in dollars of ``usage`` on ``model``; 0 when its price is unknown
    (totals then hold what is known; ``price_known`` says whether to show it)."""
    price, known = price_for(model)
    if not known:
        return 0.0
    return (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_write_tokens * price.cache_write
        + usage.cache_read_tokens * price.cache_read
    ) / 1_000_000

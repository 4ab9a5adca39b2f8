from __future__ import annotations

import pytest

from agent.usage import Usage, cost_usd, price_for


@pytest.mark.parametrize(
    ("model", "input_price", "output_price"),
    [
        ("claude-opus-4-1-20250805", 15.0, 75.0),
        ("claude-opus-4-6", 5.0, 25.0),
        ("claude-sonnet-4-6", 3.0, 15.0),
        ("claude-haiku-4-5-20251001", 1.0, 5.0),
        ("claude-3-5-haiku-latest", 0.8, 4.0),
    ],
)
def test_models_are_priced_by_family(model: str, input_price: float, output_price: float) -> None:
    price, known = price_for(model)
    assert (price.input, price.output, known) == (input_price, output_price, True)


def test_unknown_models_get_an_estimate_flagged_as_such() -> None:
    price, known = price_for("some-future-model")
    assert known is False and price.input > 0


def test_cache_reads_cost_a_tenth_and_writes_a_quarter_more() -> None:
    million = 1_000_000
    assert cost_usd("claude-sonnet-4-6", Usage(cache_read_tokens=million)) == pytest.approx(0.3)
    assert cost_usd("claude-sonnet-4-6", Usage(cache_write_tokens=million)) == pytest.approx(3.75)


def test_usage_adds_up_and_round_trips_through_json() -> None:
    total = Usage(1, 2, 3, 4) + Usage(10, 20, 30, 40)
    assert total == Usage(11, 22, 33, 44)
    assert total.prompt_tokens == 11 + 33 + 44
    assert Usage.from_dict(total.to_dict()) == total

"""Prices and context windows by model-name prefix (summarizer.pricing)."""

from __future__ import annotations

import pytest

from summarizer import pricing


def test_cost() -> None:
    assert pricing.estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert pricing.estimate_cost("gpt-4o-mini-2024-07-18", 1000, 0) == pytest.approx(0.00015)
    assert pricing.estimate_cost("some-unknown-model", 1000, 1000) is None


def test_batch_prices_are_the_configured_share_of_the_online_price() -> None:
    from summarizer import config

    online = pricing.estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000)
    batch = pricing.estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000, batch=True)
    assert online is not None and batch == pytest.approx(online * config.BATCH_PRICE_FACTOR)
    assert config.BATCH_PRICE_FACTOR == 0.5  # OpenAI's Batch API: half the online price
    assert pricing.estimate_cost("some-unknown-model", 10, 10, batch=True) is None


def test_usage_cost_is_one_rule_for_every_result() -> None:
    from summarizer.pricing import usage_cost
    from summarizer.types import Usage

    assert usage_cost("gpt-4o-mini", Usage()) == 0.0  # no call: nothing spent
    assert usage_cost(None, Usage()) == 0.0
    assert usage_cost("mystery-model", Usage(calls=1, prompt_tokens=10)) is None  # price unknown
    assert usage_cost("gpt-4o-mini", Usage(calls=1, prompt_tokens=1_000_000)) == 0.15

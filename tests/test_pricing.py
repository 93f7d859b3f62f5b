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

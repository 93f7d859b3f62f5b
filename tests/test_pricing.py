"""Prices and context windows by model-name prefix (summarizer.pricing)."""

from __future__ import annotations

import pytest

from summarizer import pricing


def test_cost() -> None:
    assert pricing.estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert pricing.estimate_cost("gpt-4o-mini-2024-07-18", 1000, 0) == pytest.approx(0.00015)
    assert pricing.estimate_cost("some-unknown-model", 1000, 1000) is None

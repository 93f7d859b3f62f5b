"""What a model costs and how much it reads: prices and context windows, looked up by model-name prefix.

The tables themselves (:data:`summarizer.config.PRICES_PER_MILLION`, :data:`summarizer.config.CONTEXT_WINDOWS`)
are constants in :mod:`summarizer.config`; the longest matching prefix wins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from . import config

if TYPE_CHECKING:
    from .types import Usage

__all__ = ["context_window", "estimate_cost", "lookup_by_prefix", "usage_cost"]

_T = TypeVar("_T")


def lookup_by_prefix(table: dict[str, _T], model: str) -> _T | None:
    """The entry whose key is the longest prefix of ``model`` (case-insensitive), or None."""
    name = model.lower().split("/")[-1]
    best = max((k for k in table if name.startswith(k.lower())), key=len, default=None)
    return None if best is None else table[best]


def context_window(model: str) -> int | None:
    return lookup_by_prefix(config.CONTEXT_WINDOWS, model)


def estimate_cost(model: str, prompt_tokens: int, completion_tokens: int, *, batch: bool = False) -> float | None:
    """USD for a call, from the price table; None when the model's price is unknown.

    ``batch=True``: the price of the same call through a batch service (OpenAI's Batch API), which bills
    :data:`~summarizer.config.BATCH_PRICE_FACTOR` of the online price.
    """
    price = lookup_by_prefix(config.PRICES_PER_MILLION, model)
    if price is None:
        return None
    factor = config.BATCH_PRICE_FACTOR if batch else 1.0
    return round((prompt_tokens * price[0] + completion_tokens * price[1]) * factor / 1_000_000, 8)


def usage_cost(model: str | None, usage: Usage) -> float | None:
    """What ``usage`` cost with ``model``: 0.0 when no call was made (nothing was spent, whatever the model),
    None when calls were made to a model whose price is unknown. Every result's ``usage.cost_usd``."""
    if usage.calls == 0:
        return 0.0
    if model is None:
        return None
    return estimate_cost(model, usage.prompt_tokens, usage.completion_tokens)

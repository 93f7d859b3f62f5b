"""The shapes the model is asked to fill in (the drafts), and the strict JSON Schema sent for them.

Drafts hold verbatim quotes and sentence numbers but no offsets: a model cannot count characters, so
offsets are computed locally by :mod:`summarizer.text.grounding`. What the library returns is in
:mod:`summarizer.types`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .. import config
from ..types import ClaimKind, EntityType, Verdict


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- what the model fills in -------------------------------------------------------------------------


class DraftEntity(_Strict):
    name: str = Field(description="The name as written in the document.")
    type: EntityType


class DraftEvent(_Strict):
    date: str = Field(description="The date or time as written in the document, e.g. 'June 18-19'.")
    description: str


class DraftClaim(_Strict):
    sentence: int = Field(description="Number of the document sentence that states the claim.")
    quote: str = Field(description="The words of that sentence that state the claim, copied exactly.")
    text: str = Field(description="One checkable statement, in your own words, self-contained.")
    kind: ClaimKind = Field(
        description="fact: stated as true; prediction: expected/forecast; speculation: rumoured or possible; "
        "opinion: a judgement or evaluation; plan: an announced intention."
    )
    attribution: str = Field(
        description="Who asserts it: 'article' when the article states it in its own voice, otherwise the "
        "person or office the article attributes it to."
    )


class SummaryDraft(_Strict):
    title: str
    tldr: str = Field(description="One sentence.")
    key_points: list[str] = Field(min_length=1, max_length=config.MAX_KEY_POINTS)
    entities: list[DraftEntity] = Field(max_length=config.MAX_ENTITIES)
    events: list[DraftEvent] = Field(max_length=config.MAX_EVENTS)
    claims: list[DraftClaim] = Field(min_length=1, max_length=config.MAX_CLAIMS)


class MergeDraft(_Strict):
    """The reduce step of a long document: one title, TL;DR and key points from the parts' summaries."""

    title: str
    tldr: str = Field(description="One sentence.")
    key_points: list[str] = Field(min_length=1, max_length=config.MAX_MERGED_KEY_POINTS)


@cache
def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema in the form strict structured output accepts (cached: do not mutate).

    References are inlined (llama.cpp's grammar converter and OpenAI's strict mode both prefer a flat
    schema), every property is required, and no additional properties are allowed.
    """
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})

    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return visit(defs[node["$ref"].split("/")[-1]])
            out = {k: visit(v) for k, v in node.items() if k not in ("title", "default", "properties")}
            if isinstance(node.get("properties"), dict):
                out["properties"] = {name: visit(sub) for name, sub in node["properties"].items()}
            if out.get("type") == "object" and "properties" in out:
                out["required"] = list(out["properties"])
                out["additionalProperties"] = False
            return out
        if isinstance(node, list):
            return [visit(v) for v in node]
        return node

    return visit(raw)


# --- claim checking ----------------------------------------------------------------------------------


class DraftVerdict(_Strict):
    id: int = Field(description="The claim's number.")
    sentence: int = Field(description="Number of the source sentence that decides the claim, or 0.")
    quote: str = Field(description="Words of that sentence, copied exactly, that decide the claim, or ''.")
    verdict: Verdict
    reason: str


class VerdictBatch(_Strict):
    verdicts: list[DraftVerdict]


class DraftAtomicClaim(_Strict):
    quote: str = Field(description="The words of the text, copied verbatim, that make the claim.")
    claim: str


class Decomposition(_Strict):
    # No maxItems: llama.cpp turns a long maxItems into a grammar so large that generation crawls
    # (0.5 tokens/s here for 40). The pipeline keeps the first config.MAX_DECOMPOSED_CLAIMS instead.
    claims: list[DraftAtomicClaim]

"""The shapes the model is asked to fill in (the drafts), and the strict JSON Schema sent for them.

Drafts hold sentence numbers but no offsets: a model cannot count characters, so offsets are computed
locally by :mod:`summarizer.text.grounding`. A summary draft copies no words of the source at all: each
claim cites its sentence by number and the span is found there from the claim's own words. What the library returns is in
:mod:`summarizer.types`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .. import config
from ..types import EntityType, Verdict


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- what the model fills in -------------------------------------------------------------------------


class DraftEntity(_Strict):
    name: str = Field(description="The name as written in the document.")
    type: EntityType


class DraftEvent(_Strict):
    date: str = Field(description="The date or time as written in the document, e.g. 'June 18-19'.")
    what: str


# One claim: the number of the sentence that states it, and the claim. No quote, kind or attribution: the
# evidence span is found locally from the claim within the cited sentence (text/grounding.py, locate_claim),
# and kind and attribution are read off that sentence by the rules (rules/modality.py). (Comments, not
# docstrings: a model class's docstring goes into the JSON Schema sent with every request.)
class DraftClaim(_Strict):

    n: int = Field(description="Number of the document sentence that states the claim.")
    claim: str = Field(description="One checkable statement, self-contained, in the document's words.")


# What the model writes for one document: every key and bracket is generated again for each item, so
# fields are few and the JSON compact. No key points: the summary's are its first claims (the local model
# wrote its key points again as its claims). Claims come right after the TL;DR, while the model reads the
# document; the names and dates after them. The public shape is summarizer.types.Summary.
class SummaryDraft(_Strict):

    title: str
    tldr: str = Field(description="One sentence.")
    claims: list[DraftClaim] = Field(min_length=1, max_length=config.MAX_CLAIMS)
    entities: list[DraftEntity] = Field(max_length=config.MAX_ENTITIES)
    events: list[DraftEvent] = Field(max_length=config.MAX_EVENTS)

    @property
    def key_points(self) -> list[str]:
        """The first claims, as the key points of a part of a long document (before they are grounded)."""
        return [c.claim for c in self.claims[: config.MAX_KEY_POINTS]]


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

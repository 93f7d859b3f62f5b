"""The public result models: the JSON contract of every output.

``Summary`` and ``CheckReport`` (and the models they hold) are what the library returns and the CLI prints
as JSON. Their JSON Schema is exported by ``summarizer schema`` and documented in
``docs/json-contract.md``. What the model is asked to fill in (the drafts, which hold verbatim quotes but
no offsets) is in :mod:`summarizer.llm.drafts`; offsets are computed locally by
:mod:`summarizer.text.grounding`.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1"

MatchKind = Literal["exact", "normalized", "fuzzy", "sentence", "not_found"]
ClaimKind = Literal["fact", "prediction", "speculation", "opinion", "plan"]
EntityType = Literal["person", "organization", "location", "event", "product", "other"]


# --- what the library returns ---------------------------------------------------------------------


class Evidence(BaseModel):
    """A verbatim piece of the source. ``source[start:end]`` is where it stands (when found)."""

    quote: str
    start: int | None = Field(description="Offset (Python str index) of the first character, or null.")
    end: int | None = Field(description="Offset one past the last character, or null.")
    match: MatchKind = Field(
        description="exact: found as is; normalized: found after folding whitespace, quotes, dashes and "
        "case; fuzzy: found approximately; sentence: the model's words were not found, so the source "
        "sentence it cited (by number) is given instead, verbatim; not_found: could not be located (never "
        "counts as support)."
    )
    score: float = Field(
        ge=0.0, le=1.0, description="1.0 for exact/normalized, similarity for fuzzy, 0.5 for sentence, 0."
    )

    @property
    def found(self) -> bool:
        return self.match != "not_found"


class Entity(BaseModel):
    name: str
    type: EntityType


class Event(BaseModel):
    date: str
    description: str


class Claim(BaseModel):
    text: str
    kind: ClaimKind
    attribution: str
    evidence: list[Evidence]
    grounded: bool = Field(description="True when at least one evidence span was located in the source.")


class Usage(BaseModel):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = Field(
        default=None,
        description="Estimated from the price table: 0 when no model call was made; null when calls were made "
        "to a model whose price is unknown.",
    )
    seconds: float | None = Field(
        default=None, description="Wall time spent producing the result, model calls included; null if unknown."
    )

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.calls += 1
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens

    def include(self, other: Usage) -> None:
        """Add another step's usage (e.g. a summary's verification) to this one."""
        self.calls += other.calls
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens
        if other.cost_usd is not None:
            self.cost_usd = (self.cost_usd or 0.0) + other.cost_usd
        if other.seconds is not None:
            self.seconds = round((self.seconds or 0.0) + other.seconds, 3)


class _Source(Protocol):
    """What provenance records of a source (a :class:`~summarizer.text.documents.Document` has it)."""

    @property
    def sha256(self) -> str: ...
    @property
    def path(self) -> str | None: ...
    @property
    def text(self) -> str: ...


_P = TypeVar("_P", bound="ProvenanceBase")


class ProvenanceBase(BaseModel):
    """Where an output came from, as every output records it: the source read (its sha256 of the bytes
    read, path, length in characters of the decoded text), when, and by which version of the tool.
    :class:`Provenance` (a summary's) and :class:`CheckProvenance` (a check report's) add what was asked."""

    source_sha256: str
    source_path: str | None = None
    source_chars: int
    created_at: datetime
    tool_version: str

    @classmethod
    def of_source(cls: type[_P], source: _Source, **fields: Any) -> _P:
        """The provenance of an output made now from ``source``, with the subclass's ``fields``."""
        from .version import get_version

        return cls(
            source_sha256=source.sha256,
            source_path=source.path,
            source_chars=len(source.text),
            created_at=datetime.now(timezone.utc),
            tool_version=get_version(),
            **fields,
        )


class Provenance(ProvenanceBase):
    """A summary's provenance: the source, and the model, prompt and structured-output mode that made it."""

    model: str
    prompt: str
    prompt_version: str = Field(description="Content hash of the prompt template file.")
    response_format: str = Field(description="json_schema, json_object or text: what the server accepted.")


class Summary(BaseModel):
    """A structured summary whose claims carry located evidence."""

    schema_version: str = SCHEMA_VERSION
    title: str
    tldr: str
    key_points: list[str]
    entities: list[Entity]
    events: list[Event]
    claims: list[Claim]
    usage: Usage
    provenance: Provenance
    warnings: list[str] = Field(default_factory=list)
    verification: CheckReport | None = Field(
        default=None, description="With --verify: the summary's own claims checked against the source."
    )

    @property
    def ungrounded_claims(self) -> list[Claim]:
        return [c for c in self.claims if not c.grounded]


# --- claim checking ----------------------------------------------------------------------------------

Verdict = Literal["supported", "contradicted", "not_in_source"]


class Signal(BaseModel):
    """A zero-token observation about a claim (a number, date or name missing from the source...)."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(
        description="verbatim, number_missing, number_mismatch, date_missing, date_mismatch, quote_missing, "
        "entity_missing, negation_flip; never decisive: entity_variant (a fuller or generic form of a name "
        "the source has) and name_missing (an unknown capitalised word at a sentence start)."
    )
    text: str = Field(description='The claim fragment concerned, e.g. "1996" or "Moscow".')
    detail: str = Field(description="One human-readable line.")
    decisive: bool = Field(default=False, description="Whether this signal alone settles the claim.")


ScoredBy = Literal["rule", "logprobs", "features", "verdict"]


class ClaimCheck(BaseModel):
    claim: str
    verdict: Verdict
    evidence: list[Evidence] = Field(description="Spans located in the source (offsets into the source).")
    reason: str
    confidence: float = Field(
        ge=0.0,
        le=1.0,
        description="The probability that the verdict is right: calibrated by the profile unless scored_by "
        "is 'verdict' (the model's JSON answer, when the server gives no log-probabilities).",
    )
    probability: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Calibrated probability that the claim is supported (null for scored_by 'verdict').",
    )
    decided_by: Literal["local", "model"]
    scored_by: ScoredBy | None = Field(
        default=None,
        description="rule: a trusted zero-token finding settled it; logprobs: the model's Yes/No "
        "log-probabilities with the local features, calibrated; features: the local features alone, "
        "calibrated (mode local); verdict: the model's JSON verdict (no log-probabilities available).",
    )
    signals: list[Signal] = Field(default_factory=list)
    claim_span: Evidence | None = Field(
        default=None, description="For claims decomposed from a summary: where they stand in the summary."
    )


class VerdictCounts(BaseModel):
    supported: int = 0
    contradicted: int = 0
    not_in_source: int = 0


class CheckProvenance(ProvenanceBase):
    """A check report's provenance: the source, and the model and prompts used (none when all was local)."""

    model: str | None = Field(description="null when every claim was settled locally.")
    prompts: dict[str, str] = Field(description="Prompt name to version hash, for the prompts used.")
    profile: str | None = Field(
        default=None, description="The calibration profile that turned the signals into probabilities."
    )


class CheckReport(BaseModel):
    """Claim-by-claim verdicts against one source."""

    schema_version: str = SCHEMA_VERSION
    score: float | None = Field(
        description="Share of claims supported, in [0, 1]; null when there were no claims to check."
    )
    counts: VerdictCounts
    claims: list[ClaimCheck]
    usage: Usage
    provenance: CheckProvenance
    warnings: list[str] = Field(default_factory=list)


Summary.model_rebuild()

"""The summarize pipeline: document → prompt → model → validation → grounding → :class:`Summary`.

One model call per document (plus bounded re-asks when an answer fails validation).

A document whose prompt does not fit the model's context window (by tiktoken's count, or by the
server's own ``context_length_exceeded``) is summarised map-reduce instead: its numbered sentences are
split into consecutive chunks on sentence boundaries (paragraph boundaries preferred), each chunk is
summarised with the same prompt (one call per chunk; sentences keep their global numbers), and one more
call (``prompts/merge.txt``) merges the parts' titles, TL;DRs and key points. Claims from every part are
grounded against the full document, de-duplicated and capped. Calls grow linearly: chunks + 1.
"""

from __future__ import annotations

import bisect
import copy
import logging
import re
import time
from collections.abc import Generator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel

from .. import config, pricing
from ..errors import ContextLengthError
from ..llm.client import LLM, AsyncLLM
from ..llm.drafts import DraftClaim, MergeDraft, SummaryDraft
from ..llm.prompts import PromptTemplate, load_prompt
from ..rules import modality
from ..settings import Settings, resolve_settings
from ..text import tokens
from ..text.documents import Document, document_from_text
from ..text.grounding import NumberedSource, normalize
from ..types import Claim, ClaimKind, Entity, Event, Evidence, Provenance, Summary, Usage
from ..version import get_version

if TYPE_CHECKING:
    import tiktoken

__all__ = ["asummarize", "build_messages", "estimate_calls", "ground_draft", "numbered", "summarize"]

log = logging.getLogger(__name__)

PROMPT_NAME = "summarize"
MERGE_PROMPT_NAME = "merge"

#: Tokens one part's title, TL;DR and key points take in the merge prompt (for estimates only).
_PART_TOKENS_ESTIMATE = 120


def numbered(document: Document) -> NumberedSource:
    """The document's sentences, numbered, page furniture left out: what the model reads."""
    return NumberedSource.from_text(document.text, exclude=document.furniture)


def build_messages(
    document: Document, prompt: PromptTemplate | None = None, source: NumberedSource | None = None
) -> list[dict[str, str]]:
    """The chat messages for one document: instructions, then the document, then per-call material."""
    prompt = prompt or load_prompt(PROMPT_NAME)
    source = source or numbered(document)
    return prompt.render(source.render(), max_key_points=config.MAX_KEY_POINTS, max_claims=config.MAX_CLAIMS)


def check_fits(messages: list[dict[str, str]], model: str) -> int:
    """Prompt tokens of ``messages``; raise :class:`ContextLengthError` when they cannot fit the model."""
    n = tokens.count_message_tokens(messages, model)
    window = pricing.context_window(model)
    if window is not None and n + config.OUTPUT_RESERVE > window:
        raise ContextLengthError(
            f"the document needs about {n} prompt tokens; {model} has a {window}-token context window"
        )
    return n


def ensure_fits(messages: list[dict[str, str]], model: str) -> None:
    """:func:`check_fits`, tokenizing only when the prompt's bytes (a bound on its tokens) leave doubt."""
    window = pricing.context_window(model)
    if window is None or tokens.max_message_tokens(messages) + config.OUTPUT_RESERVE <= window:
        return
    check_fits(messages, model)


def ground_draft(
    draft: SummaryDraft, document: Document, source: NumberedSource | None = None
) -> tuple[list[Claim], list[str]]:
    """Locate every claim's evidence in the document; flag claims whose evidence is not found."""
    source = source or numbered(document)
    claims: list[Claim] = []
    warnings: list[str] = []
    seen: set[str] = set()
    for draft_claim in draft.claims:
        key = " ".join(draft_claim.text.lower().split())
        if key in seen:
            continue
        seen.add(key)
        evidence: list[Evidence] = []
        ev = source.evidence(draft_claim.sentence, draft_claim.quote, draft_claim.text)
        if not (ev.found and ev.start is not None and document.in_furniture(ev.start, ev.end or ev.start)):
            evidence.append(ev)  # page furniture is never evidence
        if not evidence:
            warnings.append(f"dropped claim whose only evidence is page furniture: {draft_claim.text!r}")
            continue
        grounded = any(ev.found for ev in evidence)
        if not grounded:
            warnings.append(f"ungrounded claim (no evidence found in the source): {draft_claim.text!r}")
        kind, attribution = _read_modality(draft_claim, source, evidence)
        claims.append(
            Claim(
                text=draft_claim.text,
                kind=kind,
                attribution=attribution,
                evidence=evidence,
                grounded=grounded,
            )
        )
    return claims, warnings


def _read_modality(
    claim: DraftClaim, source: NumberedSource, evidence: list[Evidence]
) -> tuple[ClaimKind, str]:
    """The model's kind and attribution, corrected at zero cost where the evidence sentence is explicit.

    A claim the model calls a plain ``fact`` whose sentence is hedged ("rumored", "is expected to",
    "could") takes that modality; one it gives to the ``article`` whose sentence names a source
    ("according to X", "X said") is attributed to X.
    """
    kind, attribution = claim.kind, claim.attribution
    located = [ev for ev in evidence if ev.start is not None]
    if not located:
        return kind, attribution
    ev = located[0]
    start, end = ev.start or 0, ev.end or 0
    s0, e0 = next(((s, e) for s, e in source.spans if s <= start < e), (start, end))
    sentence = source.text[s0:e0]
    # the clauses the evidence overlaps carry its hedging ("The vote, rumored to be set for May 1, ...")
    clauses = " ".join(
        sentence[m.start() : m.end()]
        for m in re.finditer(r"[^,;:\u2013\u2014]+", sentence)
        if s0 + m.start() < end and start < s0 + m.end()
    )
    if kind == "fact":
        kind = cast(ClaimKind, modality.hedged_kind(clauses or sentence, claim.text) or kind)
    if attribution.strip().lower() in ("article", "the article", "document", "the document", ""):
        attribution = modality.attributed_to(sentence) or "article"
    return kind, attribution


def _assemble(
    draft: SummaryDraft,
    document: Document,
    settings: Settings,
    prompt: PromptTemplate,
    usage: Usage,
    response_format: str,
    source: NumberedSource,
) -> Summary:
    claims, warnings = ground_draft(draft, document, source)
    usage.cost_usd = pricing.estimate_cost(settings.model, usage.prompt_tokens, usage.completion_tokens)
    return Summary(
        title=draft.title,
        tldr=draft.tldr,
        key_points=draft.key_points,
        entities=[Entity(name=e.name, type=e.type) for e in draft.entities],
        events=[Event(date=e.date, description=e.description) for e in draft.events],
        claims=claims,
        usage=usage,
        provenance=Provenance(
            model=settings.model,
            prompt=prompt.name,
            prompt_version=prompt.version,
            response_format=response_format,
            **document.provenance(),  # type: ignore[arg-type]
            created_at=datetime.now(timezone.utc),
            tool_version=get_version(),
        ),
        warnings=warnings,
    )


def _as_document(source: str | Document) -> Document:
    return source if isinstance(source, Document) else document_from_text(source)


# --- one plan for both clients ---------------------------------------------------------------------
#
# The pipeline is a generator that yields the model calls it needs (:class:`_Ask`) and is sent each
# answer as ``(value, mode)``; a ``ContextLengthError`` is thrown into it at the yield. :func:`_run` and
# :func:`_arun` make the calls with the sync or the async client, so both take exactly the same path.


@dataclass(frozen=True)
class _Ask:
    messages: list[dict[str, str]]
    output: type[BaseModel]
    schema_name: str
    max_tokens: int


_Plan = Generator[_Ask, tuple[Any, str], Summary]


def _plan(document: Document, settings: Settings, usage: Usage) -> _Plan:
    prompt = load_prompt(PROMPT_NAME)
    source = numbered(document)
    messages = build_messages(document, prompt, source)
    try:
        ensure_fits(messages, settings.model)
    except ContextLengthError as exc:
        log.info("%s: summarising in parts", exc.message)
        rejected = False
    else:
        try:
            draft, mode = yield _Ask(messages, SummaryDraft, "summary", config.SUMMARY_MAX_TOKENS)
        except ContextLengthError as exc:
            log.info("the server says the document does not fit (%s): summarising in parts", exc.message)
            rejected = True
        else:
            return _assemble(draft, document, settings, prompt, usage, mode, source)
    long = _LongDocument(document, prompt, source, settings, usage, server_rejected=rejected)
    return (yield from long.run())


def _run(plan: _Plan, llm: LLM, usage: Usage) -> Summary:
    try:
        ask = next(plan)
        while True:
            try:
                answer = llm.structured(
                    ask.messages,
                    ask.output,
                    schema_name=ask.schema_name,
                    usage=usage,
                    max_tokens=ask.max_tokens,
                )
            except ContextLengthError as exc:
                ask = plan.throw(exc)
            else:
                ask = plan.send(answer)
    except StopIteration as done:
        return cast(Summary, done.value)


async def _arun(plan: _Plan, llm: AsyncLLM, usage: Usage) -> Summary:
    try:
        ask = next(plan)
        while True:
            try:
                answer = await llm.structured(
                    ask.messages,
                    ask.output,
                    schema_name=ask.schema_name,
                    usage=usage,
                    max_tokens=ask.max_tokens,
                )
            except ContextLengthError as exc:
                ask = plan.throw(exc)
            else:
                ask = plan.send(answer)
    except StopIteration as done:
        return cast(Summary, done.value)


# --- long documents -----------------------------------------------------------------------------------

_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


@dataclass(frozen=True)
class _Part:
    """What the merge step sees of one part (or of several parts already merged)."""

    first: int  # the first and last sentence numbers it covers
    last: int
    title: str
    tldr: str
    key_points: list[str]

    def render(self, k: int) -> str:
        lines = [
            f"## Part {k} (sentences {self.first}-{self.last})",
            f"Title: {_one_line(self.title)}",
            f"TL;DR: {_one_line(self.tldr)}",
            "Key points:",
        ]
        lines += [f"- {_one_line(point)}" for point in self.key_points]
        return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _claim_key(text: str) -> str:
    return normalize(text).rstrip(" .!?;")


class _ChunkSource(NumberedSource):
    """The whole numbered source, as one chunk's claims are grounded against it.

    Sentence numbers, offsets and the search for the model's words stay global. Only the fallback, the
    sentence most similar to words that were not found, is chosen among the chunk's sentences (the ones
    the model saw): searching all of them for every claim would make grounding quadratic in the length.
    """

    def __init__(self, whole: NumberedSource, first: int, last: int) -> None:
        self.__dict__.update(whole.__dict__)  # shares the text, the spans and the search index
        self.first, self.last = first, last

    def _most_similar(self, n: int, words: str) -> tuple[tuple[int, int], float] | None:
        chunk = copy.copy(self)
        chunk.spans = self.spans[self.first - 1 : self.last]
        return NumberedSource._most_similar(chunk, n - self.first + 1, words)


class _LongDocument:
    """Map-reduce over a document too long for one call.

    The numbered source (and its search index) is the one the single-call attempt built, and every
    sentence's token count is computed once, so preparing a 50,000-token document costs well under a
    second. Chunks are runs of consecutive sentences under a token budget; each keeps global numbers.
    """

    def __init__(
        self,
        document: Document,
        prompt: PromptTemplate,
        source: NumberedSource,
        settings: Settings,
        usage: Usage,
        *,
        server_rejected: bool,
    ) -> None:
        self.document, self.prompt, self.settings, self.usage = document, prompt, settings, usage
        self.merge_prompt = load_prompt(MERGE_PROMPT_NAME)
        model = settings.model
        self.enc = enc = tokens.encoding_for_model(model)
        window = pricing.context_window(model)
        overhead = tokens.count_message_tokens(self._chunk_messages(""), model)
        sizes = [  # "[n] sentence" and its line break
            len(enc.encode(source.render([n]), disallowed_special=())) + 1
            for n in range(1, len(source.spans) + 1)
        ]
        total = sum(sizes)
        if window is None:
            budget = total
        else:
            budget = int((window - overhead - config.OUTPUT_RESERVE) * config.CHUNK_BUDGET_MARGIN)
            if budget < config.MIN_CHUNK_TOKENS:
                raise ContextLengthError(
                    f"{model}'s {window}-token context window leaves no room for a part of the document"
                )
        if server_rejected:  # the server counts more than tiktoken does: two parts at least
            budget = max(config.MIN_CHUNK_TOKENS, min(budget, total // 2))
        self.budget = budget
        # no sentence may outgrow the smallest budget halving can reach: longer ones are cut on whitespace
        floor = max(config.MIN_CHUNK_TOKENS, budget >> config.MAX_CHUNK_HALVINGS)
        if any(size > floor for size in sizes):
            source, sizes = self._cut_long_sentences(source, sizes, floor)
        self.source, self.sizes = source, sizes
        text, spans = source.text, source.spans
        self.breaks = [False] + [  # breaks[k]: a paragraph break stands before sentence k (0-based)
            _PARAGRAPH_BREAK.search(text, spans[k - 1][1], spans[k][0]) is not None
            for k in range(1, len(spans))
        ]
        merge_overhead = tokens.count_message_tokens(self._merge_messages([]), model)
        self.merge_limit = (
            None
            if window is None
            else max(1, int((window - merge_overhead - config.OUTPUT_RESERVE) * config.CHUNK_BUDGET_MARGIN))
        )

    # -- the plan -------------------------------------------------------------------------------------

    def run(self) -> Generator[_Ask, tuple[Any, str], Summary]:
        n = len(self.sizes)
        if n == 0:
            raise ContextLengthError("the document does not fit the model's context window")
        chunks: list[tuple[list[int], SummaryDraft]] = []
        mode = ""
        halvings = 0
        i = 0
        while i < n:  # map: one call per chunk
            j = self._pack(i)
            ids = list(range(i + 1, j + 1))
            messages = self._chunk_messages(self.source.render(ids))
            try:
                draft, mode = yield _Ask(messages, SummaryDraft, "summary", config.SUMMARY_MAX_TOKENS)
            except ContextLengthError:
                if halvings >= config.MAX_CHUNK_HALVINGS or self.budget // 2 < config.MIN_CHUNK_TOKENS:
                    raise
                halvings += 1
                self.budget //= 2
                log.info("the server says a part does not fit: parts of %d tokens from here on", self.budget)
                continue
            chunks.append((ids, draft))
            i = j
        parts = [_Part(ids[0], ids[-1], d.title, d.tldr, list(d.key_points)) for ids, d in chunks]
        if len(parts) > 1:  # reduce: one more call
            merged, mode = yield from self._reduce(parts)
        else:
            merged = parts[0]
        return self._assemble(chunks, merged, mode)

    def _pack(self, i: int) -> int:
        """Where the chunk starting at sentence ``i`` (0-based) ends (exclusive)."""
        sizes, budget, n = self.sizes, self.budget, len(self.sizes)
        used, j = sizes[i], i + 1
        last_break, used_at_break = 0, 0
        while j < n and used + sizes[j] <= budget:
            if self.breaks[j]:
                last_break, used_at_break = j, used
            used += sizes[j]
            j += 1
        if (
            j < n
            and not self.breaks[j]
            and last_break
            and used_at_break >= config.PARAGRAPH_MIN_FILL * budget
        ):
            return last_break  # end with a paragraph rather than mid-paragraph
        return j

    def _reduce(self, parts: list[_Part]) -> Generator[_Ask, tuple[Any, str], tuple[_Part, str]]:
        """One merge call; when the parts are too many for one, consecutive groups are merged first."""
        limit = self.merge_limit
        halvings = 0
        while True:
            sizes = [
                len(self.enc.encode(p.render(k), disallowed_special=())) + 2 for k, p in enumerate(parts, 1)
            ]
            if limit is None or len(parts) <= 2 or sum(sizes) <= limit:
                try:
                    draft, mode = yield _Ask(
                        self._merge_messages(parts), MergeDraft, "merge", config.MERGE_MAX_TOKENS
                    )
                except ContextLengthError:
                    if len(parts) <= 2 or halvings >= config.MAX_CHUNK_HALVINGS:
                        raise
                    halvings += 1
                    limit = max(1, (sum(sizes) if limit is None else limit) // 2)
                else:
                    merged = cast(MergeDraft, draft)
                    return _Part(
                        parts[0].first, parts[-1].last, merged.title, merged.tldr, merged.key_points
                    ), mode
            grouped: list[_Part] = []
            a = 0
            while a < len(parts):  # consecutive groups that fit, two parts at least (so this ends)
                b, used = a + 1, sizes[a]
                while b < len(parts) and (b - a < 2 or used + sizes[b] <= limit):
                    used += sizes[b]
                    b += 1
                if b - a == 1:
                    grouped.append(parts[a])
                else:
                    group, _ = yield from self._reduce(parts[a:b])
                    grouped.append(group)
                a = b
            parts = grouped

    # -- messages -------------------------------------------------------------------------------------

    def _chunk_messages(self, rendered: str) -> list[dict[str, str]]:
        return self.prompt.render(
            rendered, max_key_points=config.MAX_KEY_POINTS, max_claims=config.MAX_CLAIMS
        )

    def _merge_messages(self, parts: list[_Part]) -> list[dict[str, str]]:
        data = "\n\n".join(p.render(k) for k, p in enumerate(parts, 1))
        return self.merge_prompt.render(data, parts=len(parts), max_key_points=config.MAX_KEY_POINTS)

    # -- sentences longer than a chunk ----------------------------------------------------------------

    def _cut_long_sentences(
        self, source: NumberedSource, sizes: list[int], floor: int
    ) -> tuple[NumberedSource, list[int]]:
        """A copy of ``source`` whose sentences over ``floor`` tokens are cut into pieces (renumbered)."""
        text = source.text
        spans: list[tuple[int, int]] = []
        new_sizes: list[int] = []
        for (s, e), size in zip(source.spans, sizes, strict=True):
            if size <= floor:
                spans.append((s, e))
                new_sizes.append(size)
                continue
            for ps, pe in _pieces(text, s, e, self.enc, floor - 8):  # room for "[n] " and the line break
                spans.append((ps, pe))
                new_sizes.append(len(self.enc.encode(_one_line(text[ps:pe]), disallowed_special=())) + 8)
        cut = copy.copy(source)  # shares the text and its search index
        cut.spans = spans
        return cut, new_sizes

    # -- the result -----------------------------------------------------------------------------------

    def _assemble(self, chunks: list[tuple[list[int], SummaryDraft]], merged: _Part, mode: str) -> Summary:
        warnings = [f"long document: summarised in {len(chunks)} parts and merged"]
        per_part: list[list[Claim]] = []
        seen_text: set[str] = set()
        seen_spans: set[tuple[int | None, int | None]] = set()
        for ids, draft in chunks:
            chunk_source = _ChunkSource(self.source, ids[0], ids[-1])
            claims, grounding_warnings = ground_draft(draft, self.document, chunk_source)
            warnings.extend(w for w in grounding_warnings if w not in warnings)
            kept = []
            part_spans: set[tuple[int | None, int | None]] = set()
            for claim in claims:  # ground_draft already dropped the part's own repeats
                key = _claim_key(claim.text)
                spans = {(ev.start, ev.end) for ev in claim.evidence if ev.found}
                if key in seen_text or spans & seen_spans:
                    continue  # an earlier part stated it already
                seen_text.add(key)
                part_spans |= spans
                kept.append(claim)
            seen_spans |= part_spans
            per_part.append(kept)
        total = sum(len(kept) for kept in per_part)
        if total > config.LONG_MAX_CLAIMS:  # round-robin: every part's first claim, then every second, ...
            take = [0] * len(per_part)
            left = config.LONG_MAX_CLAIMS
            while left:
                for k, kept in enumerate(per_part):
                    if left and take[k] < len(kept):
                        take[k] += 1
                        left -= 1
            per_part = [kept[: take[k]] for k, kept in enumerate(per_part)]
            warnings.append(
                f"long document: kept {config.LONG_MAX_CLAIMS} of {total} claims, spread over its parts"
            )

        entities: dict[str, Entity] = {}
        events: dict[tuple[str, str], Event] = {}
        for _, draft in chunks:
            for entity in draft.entities:
                name = entity.name.strip()
                entities.setdefault(name.casefold(), Entity(name=name, type=entity.type))
            for event in draft.events:
                event_key = (normalize(event.date), _claim_key(event.description))
                events.setdefault(event_key, Event(date=event.date, description=event.description))

        usage, settings, document = self.usage, self.settings, self.document
        usage.cost_usd = pricing.estimate_cost(settings.model, usage.prompt_tokens, usage.completion_tokens)
        return Summary(
            title=merged.title,
            tldr=merged.tldr,
            key_points=merged.key_points,
            entities=list(entities.values()),
            events=list(events.values()),
            claims=[claim for kept in per_part for claim in kept],
            usage=usage,
            provenance=Provenance(
                model=settings.model,
                prompt=self.prompt.name,
                prompt_version=self.prompt.version,
                response_format=mode,
                source_sha256=document.sha256,
                source_path=document.path,
                source_chars=len(document.text),
                created_at=datetime.now(timezone.utc),
                tool_version=get_version(),
            ),
            warnings=warnings,
        )


def _pieces(text: str, start: int, end: int, enc: tiktoken.Encoding, limit: int) -> list[tuple[int, int]]:
    """``text[start:end]`` cut into pieces of about ``limit`` tokens at most, on whitespace where it can."""
    body = text[start:end]
    toks = enc.encode(body, disallowed_special=())
    if len(toks) <= limit:
        return [(start, end)]
    _, offsets = enc.decode_with_offsets(toks)
    cuts: list[tuple[int, int]] = []
    a, k = 0, 0  # the piece's first character, and the token that holds it
    while k + limit < len(toks):
        cut = ws = offsets[k + limit]
        while ws > a + 1 and not body[ws - 1].isspace():
            ws -= 1
        if ws > a + 1:
            cut = ws - 1
        cuts.append((a, cut))
        a = cut
        while a < len(body) and body[a].isspace():
            a += 1
        k = bisect.bisect_right(offsets, a) - 1
    cuts.append((a, len(body)))
    pieces = []
    for ps, pe in cuts:
        piece = body[ps:pe]
        stripped = piece.strip()
        if stripped:
            at = start + ps + piece.index(stripped)
            pieces.append((at, at + len(stripped)))
    return pieces


# --- entry points -------------------------------------------------------------------------------------


def estimate_calls(document: Document, model: str) -> tuple[int, int]:
    """The model calls and prompt tokens :func:`summarize` plans for ``document`` (before any re-ask).

    One call when the document fits; else one per chunk plus one merge (whose prompt is estimated,
    since it holds the parts' answers). For ``--dry-run`` and batch estimates: never raises for length.
    """
    prompt = load_prompt(PROMPT_NAME)
    source = numbered(document)
    messages = build_messages(document, prompt, source)
    try:
        return 1, check_fits(messages, model)
    except ContextLengthError:
        pass
    long = _LongDocument(document, prompt, source, Settings(model=model), Usage(), server_rejected=False)
    overhead = tokens.count_message_tokens(long._chunk_messages(""), model)
    calls = prompt_tokens = i = 0
    while i < len(long.sizes):
        j = long._pack(i)
        calls += 1
        prompt_tokens += overhead + sum(long.sizes[i:j])
        i = j
    if calls > 1:
        merge_overhead = tokens.count_message_tokens(long._merge_messages([]), model)
        calls += 1
        prompt_tokens += merge_overhead + calls * _PART_TOKENS_ESTIMATE
    return calls, prompt_tokens


def summarize(
    source: str | Document,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    llm: LLM | None = None,
) -> Summary:
    """Summarise a document (text or :class:`Document`) into a grounded :class:`Summary`.

    Settings come from the arguments, then ``OPENAI_API_KEY`` / ``OPENAI_BASE_URL`` (or Azure's), then
    the bundled local server. Pass ``llm`` to reuse one client across many documents. A document too
    long for the model's context window is summarised in parts and merged (see the module docstring).
    """
    document = _as_document(source)
    llm = llm or LLM(resolve_settings(model, base_url, api_key))
    usage, started = Usage(), time.perf_counter()
    result = _run(_plan(document, llm.settings, usage), llm, usage)
    usage.seconds = round(time.perf_counter() - started, 3)
    return result


async def asummarize(
    source: str | Document,
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    llm: AsyncLLM | None = None,
) -> Summary:
    """The asynchronous twin of :func:`summarize`."""
    document = _as_document(source)
    llm = llm or AsyncLLM(resolve_settings(model, base_url, api_key))
    usage, started = Usage(), time.perf_counter()
    result = await _arun(_plan(document, llm.settings, usage), llm, usage)
    usage.seconds = round(time.perf_counter() - started, 3)
    return result

"""Map-reduce for a document too long for one call.

Its numbered sentences are split into consecutive chunks on sentence boundaries (paragraph boundaries
preferred), each chunk is summarised with the same prompt (one call per chunk; sentences keep their global
numbers), and one more call (``prompts/merge.txt``) merges the parts' titles, TL;DRs and key points.
Claims from every part are grounded against the full document, de-duplicated and capped. Calls grow
linearly: chunks + 1.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any, cast

from .. import config, pricing
from ..errors import ContextLengthError
from ..llm.drafts import MergeDraft, SummaryDraft
from ..llm.prompts import PromptTemplate, load_prompt
from ..settings import Settings
from ..text import chunks, tokens
from ..text.documents import Document
from ..text.grounding import NumberedSource, normalize
from ..types import Claim, Entity, Event, Summary, Usage
from .assemble import as_read, dated_events, ground_draft, summary_provenance
from .assemble import entities as part_entities
from .plan import _Ask

log = logging.getLogger(__name__)

MERGE_PROMPT_NAME = "merge"

#: Tokens one part's title, TL;DR and key points take in the merge prompt (for estimates only).
_PART_TOKENS_ESTIMATE = 120


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
            f"Title: {_collapse_whitespace(self.title)}",
            f"TL;DR: {_collapse_whitespace(self.tldr)}",
            "Key points:",
        ]
        lines += [f"- {_collapse_whitespace(point)}" for point in self.key_points]
        return "\n".join(lines)


def _collapse_whitespace(text: str) -> str:
    """``text`` with every run of whitespace (line breaks included) turned into one space."""
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


class ChunkPlan:
    """How a document too long for one call is cut into chunks, and what the calls would cost.

    The numbered source (and its search index) is the one the single-call attempt built, and every
    sentence's token count is computed once, so preparing a 50,000-token document costs well under a
    second. Chunks are runs of consecutive sentences under a token budget (:meth:`pack`); each keeps
    global numbers. :meth:`estimate` is what :func:`~summarizer.pipeline.summary.estimate_calls` reports.
    """

    def __init__(
        self, prompt: PromptTemplate, source: NumberedSource, model: str, *, server_rejected: bool
    ) -> None:
        self.prompt, self.model = prompt, model
        self.merge_prompt = load_prompt(MERGE_PROMPT_NAME)
        self.enc = enc = tokens.encoding_for_model(model)
        window = pricing.context_window(model)
        overhead = tokens.count_message_tokens(self.chunk_messages(""), model)
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
        self.breaks = chunks.paragraph_breaks(source.text, source.spans)  # breaks[k]: before sentence k
        merge_overhead = tokens.count_message_tokens(self.merge_messages([]), model)
        self.merge_limit = (
            None
            if window is None
            else max(1, int((window - merge_overhead - config.OUTPUT_RESERVE) * config.CHUNK_BUDGET_MARGIN))
        )

    def pack(self, i: int) -> int:
        """Where the chunk starting at sentence ``i`` (0-based) ends (exclusive): :func:`chunks.pack_end`."""
        return chunks.pack_end(self.sizes, i, self.budget, self.breaks)

    def estimate(self) -> tuple[int, int]:
        """The calls and prompt tokens of the plan: one call per chunk, plus one merge (its prompt
        estimated, since it holds the parts' answers) when there is more than one chunk."""
        overhead = tokens.count_message_tokens(self.chunk_messages(""), self.model)
        calls = prompt_tokens = i = 0
        while i < len(self.sizes):
            j = self.pack(i)
            calls += 1
            prompt_tokens += overhead + sum(self.sizes[i:j])
            i = j
        if calls > 1:
            merge_overhead = tokens.count_message_tokens(self.merge_messages([]), self.model)
            calls += 1
            prompt_tokens += merge_overhead + calls * _PART_TOKENS_ESTIMATE
        return calls, prompt_tokens

    def chunk_messages(self, rendered: str) -> list[dict[str, str]]:
        return self.prompt.render(
            as_read(rendered), max_key_points=config.MAX_KEY_POINTS, max_claims=config.MAX_CLAIMS
        )

    def merge_messages(self, parts: list[_Part]) -> list[dict[str, str]]:
        data = "\n\n".join(p.render(k) for k, p in enumerate(parts, 1))
        return self.merge_prompt.render(data, parts=len(parts), max_key_points=config.MAX_KEY_POINTS)

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
            for ps, pe in chunks.cut_on_whitespace(text, s, e, self.enc, floor - 8):  # room for "[n] " and "\n"
                spans.append((ps, pe))
                new_sizes.append(len(self.enc.encode(_collapse_whitespace(text[ps:pe]), disallowed_special=())) + 8)
        cut = copy.copy(source)  # shares the text and its search index
        cut.spans = spans
        return cut, new_sizes


class _LongDocument:
    """Map-reduce over a document too long for one call, along its :class:`ChunkPlan`: one call per
    chunk (halving the budget when the server still says a part does not fit), merges, then assembly."""

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
        self.plan = ChunkPlan(prompt, source, settings.model, server_rejected=server_rejected)
        self.source = self.plan.source

    # -- the plan -------------------------------------------------------------------------------------

    def run(self) -> Generator[_Ask, tuple[Any, str], Summary]:
        plan = self.plan
        n = len(plan.sizes)
        if n == 0:
            raise ContextLengthError("the document does not fit the model's context window")
        chunks: list[tuple[list[int], SummaryDraft]] = []
        mode = ""
        halvings = 0
        i = 0
        while i < n:  # map: one call per chunk
            j = plan.pack(i)
            ids = list(range(i + 1, j + 1))
            messages = plan.chunk_messages(self.source.render(ids))
            try:
                draft, mode = yield _Ask(messages, SummaryDraft, "summary", config.SUMMARY_MAX_TOKENS)
            except ContextLengthError:
                if halvings >= config.MAX_CHUNK_HALVINGS or plan.budget // 2 < config.MIN_CHUNK_TOKENS:
                    raise
                halvings += 1
                plan.budget //= 2
                log.info("the server says a part does not fit: parts of %d tokens from here on", plan.budget)
                continue
            chunks.append((ids, draft))
            i = j
        parts = [_Part(ids[0], ids[-1], d.title, d.tldr, list(d.key_points)) for ids, d in chunks]
        if len(parts) > 1:  # reduce: one more call
            merged, mode = yield from self._reduce(parts)
        else:
            merged = parts[0]
        return self._assemble(chunks, merged, mode)

    def _reduce(self, parts: list[_Part]) -> Generator[_Ask, tuple[Any, str], tuple[_Part, str]]:
        """One merge call; when the parts are too many for one, consecutive groups are merged first."""
        limit = self.plan.merge_limit
        enc = self.plan.enc
        halvings = 0
        while True:
            sizes = [len(enc.encode(p.render(k), disallowed_special=())) + 2 for k, p in enumerate(parts, 1)]
            if limit is None or len(parts) <= 2 or sum(sizes) <= limit:
                try:
                    draft, mode = yield _Ask(
                        self.plan.merge_messages(parts), MergeDraft, "merge", config.MERGE_MAX_TOKENS
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
        folded = normalize(self.document.text)
        for _, draft in chunks:
            for entity in part_entities(draft):
                entities.setdefault(entity.name.casefold(), entity)
            part_events, event_warnings = dated_events(draft, folded)
            warnings.extend(w for w in event_warnings if w not in warnings)
            for event in part_events:
                event_key = (normalize(event.date), _claim_key(event.description))
                events.setdefault(event_key, event)

        usage, settings, document = self.usage, self.settings, self.document
        usage.cost_usd = pricing.usage_cost(settings.model, usage)
        return Summary(
            title=merged.title,
            tldr=merged.tldr,
            key_points=merged.key_points,
            entities=list(entities.values()),
            events=list(events.values()),
            claims=[claim for kept in per_part for claim in kept],
            usage=usage,
            provenance=summary_provenance(document, settings.model, self.prompt, mode),
            warnings=warnings,
        )

"""JSON verdicts: the model writes a verdict, a cited sentence, a quote and a reason for each claim.

The checker's fallback when a server returns no log-probabilities (``scored_by="verdict"``), and the
source of the one-sentence reasons ``explain=True`` asks for. Many claims per call, the source first and
the claims last (so the shared prefix is cached), each batch small enough that its verdict JSON cannot be
cut off (a cut-off batch is split in halves). A source too long for the context window is split into
chunks of consecutive sentences; each batch sees the chunks most relevant to its claims, and verdicts are
aggregated per claim across windows. Every evidence quote is located in the source; a verdict whose
evidence cannot be found is downgraded to ``not_in_source``, and a "supported" whose evidence lacks the
claim's numbers or dates gets a zero-token second look.

The confidences here are fixed by how the evidence matched (0.85 exact, 0.7 fuzzy...), not calibrated:
the report says so through ``scored_by``.

Like every pipeline, it is a plan (a generator of :class:`~summarizer.pipeline.plan._Ask` calls), so the
sync and async clients share it.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from .. import config, pricing
from ..errors import TruncatedOutputError
from ..llm.drafts import DraftVerdict, VerdictBatch
from ..llm.prompts import load_prompt
from ..rules.checker import LocalChecker, LocalResult, content_stems
from ..text import tokens
from ..text.chunks import pack
from ..text.documents import Document
from ..text.grounding import NumberedSource
from ..types import ClaimCheck, Evidence, Signal
from .plan import _Ask

if TYPE_CHECKING:
    from .checking import _Item

__all__ = ["JsonVerdicts", "signals_of"]

log = logging.getLogger(__name__)

#: The second look at a "supported" verdict objects only to these local signals, within this many
#: sentences around the evidence.
_SECOND_LOOK_KINDS = frozenset({"number_missing", "number_mismatch", "date_missing", "date_mismatch"})
_AROUND = 2


def signals_of(local: LocalResult | None) -> list[Signal]:
    """The local findings of a claim, as the report shows them."""
    return list(local.signals) if local else []


def _stems(text: str) -> set[str]:
    return set(content_stems(text))


class JsonVerdicts:
    """Batches open claims, builds their source windows, asks the model, locates and aggregates.

    The source is shown as numbered sentences (see :class:`~summarizer.text.grounding.NumberedSource`), so
    the model cites evidence by number and copies its words; both are checked locally.
    """

    def __init__(self, model: str, document: Document, warnings: list[str]):
        self.document, self.warnings = document, warnings
        self.prompt = load_prompt("check")
        self.source = NumberedSource.from_text(document.text, exclude=document.furniture)
        window = pricing.context_window(model) or config.LOCAL_CONTEXT
        overhead = tokens.count_message_tokens(self.prompt.render("", claims=""), model)
        reply = config.CHECK_BATCH_SIZE * config.CHECK_TOKENS_PER_CLAIM + config.CHECK_TOKENS_MARGIN
        claims_room = config.CHECK_BATCH_SIZE * config.CHECK_TOKENS_PER_CLAIM // 2
        self.budget = max(512, window - overhead - reply - claims_room)
        sizes = [
            tokens.count_tokens(self.source.render([n]), model) for n in range(1, len(self.source.spans) + 1)
        ]
        self.sizes = sizes
        # chunks: runs of consecutive sentence numbers; one chunk when the whole source fits
        limit = self.budget if sum(sizes) <= self.budget else max(256, self.budget // 3)
        self.chunks = [list(range(a + 1, b + 1)) for a, b in pack(sizes, limit)] or [[]]
        self.chunk_stems = [_stems(self.source.render(chunk)) for chunk in self.chunks]

    def plan(self, items: list[_Item]) -> Generator[_Ask, Any, list[ClaimCheck]]:
        """Ask for the verdicts of ``items``; returns one result per item, in order."""
        order = items
        if len(self.chunks) > 1:
            order = sorted(items, key=lambda it: self._ranked_chunks(it)[0])
        results: dict[int, ClaimCheck] = {}
        for i in range(0, len(order), config.CHECK_BATCH_SIZE):
            batch = order[i : i + config.CHECK_BATCH_SIZE]
            found = yield from self._batch(batch)
            for item, result in zip(batch, found, strict=True):
                results[id(item)] = result
        return [results[id(item)] for item in items]

    def _ranked_chunks(self, item: _Item) -> list[int]:
        stems = _stems(item.text)
        scores = [len(stems & cs) for cs in self.chunk_stems]
        return sorted(range(len(self.chunks)), key=lambda k: (-scores[k], k))

    def _windows(self, batch: list[_Item]) -> list[str]:
        """The numbered sentences each call of this batch sees: all, or the claims' top chunks packed."""
        if len(self.chunks) == 1:
            return [self.source.render(self.chunks[0])]
        wanted = sorted({k for it in batch for k in self._ranked_chunks(it)[: config.CHECK_CHUNKS_PER_CLAIM]})
        windows: list[list[int]] = [[]]
        used = 0
        for k in wanted:
            size = sum(self.sizes[n - 1] for n in self.chunks[k])
            if windows[-1] and used + size > self.budget:
                windows.append([])
                used = 0
            windows[-1].append(k)
            used += size
        return ["\n[...]\n".join(self.source.render(self.chunks[k]) for k in w) for w in windows]

    def _batch(self, batch: list[_Item]) -> Generator[_Ask, Any, list[ClaimCheck]]:
        verdicts: list[list[DraftVerdict]] = [[] for _ in batch]
        for window in self._windows(batch):
            for pos, verdict in (yield from self._ask(batch, window)):
                verdicts[pos].append(verdict)
        return [self._aggregate(item, found) for item, found in zip(batch, verdicts, strict=True)]

    def _ask(
        self, batch: list[_Item], window: str, room: int = 1
    ) -> Generator[_Ask, Any, list[tuple[int, DraftVerdict]]]:
        """Verdicts for ``batch`` against ``window``. A cut-off answer is asked again in halves; a single
        claim gets twice the room once, then no verdict (reported, never a crash of the whole report)."""
        lines = []
        for n, item in enumerate(batch, 1):
            lines.append(f"{n}. {item.text}")
            lines += [f"   (local check: {h})" for h in item.hints[:3]]
        messages = self.prompt.render(window, claims="\n".join(lines))
        max_tokens = room * (len(batch) * config.CHECK_TOKENS_PER_CLAIM + config.CHECK_TOKENS_MARGIN)
        try:
            answer, _ = yield _Ask(messages, VerdictBatch, "verdicts", max_tokens)
        except TruncatedOutputError:
            if len(batch) == 1:
                if room == 1:
                    return (yield from self._ask(batch, window, room=2))
                self.warnings.append(
                    f"the model's verdict was cut off twice; no verdict for: {batch[0].text!r}"
                )
                return []
            half = len(batch) // 2  # a smaller batch leaves more room per verdict
            log.info("verdicts cut off at the token limit; splitting the batch of %d", len(batch))
            first = yield from self._ask(batch[:half], window)
            second = yield from self._ask(batch[half:], window)
            return first + [(pos + half, v) for pos, v in second]
        out = [(v.id - 1, v) for v in answer.verdicts if 1 <= v.id <= len(batch)]
        if not out and (len(batch) == 1 or len(answer.verdicts) == len(batch)):
            # No id fits, but the answers still line up with the claims (seen with the 1.5B model on
            # WiCE: a lone claim's verdict numbered 12); take them in order rather than lose them all.
            out = [(0 if len(batch) == 1 else pos, v) for pos, v in enumerate(answer.verdicts)]
        return out

    def _locate(self, v: DraftVerdict, claim: str) -> Evidence | None:
        """The verdict's evidence in the source (words that carry the claim); page furniture never counts."""
        if not (v.quote.strip() or v.sentence):
            return None
        ev = self.source.evidence(v.sentence, v.quote, claim)
        if ev.found and ev.start is not None and self.document.in_furniture(ev.start, ev.end or ev.start):
            return ev.model_copy(update={"start": None, "end": None, "match": "not_found", "score": 0.0})
        return ev

    def _second_look(self, claim: str, ev: Evidence) -> str | None:
        """Zero-token review of a 'supported' verdict: the claim's numbers and dates must stand in the
        evidence or the sentences around it. Returns why they do not, or None.

        Names are left out: the evidence often says "she" for a name two sentences up, and a dialogue
        puts the speaker's name on another line (on SummEdits they made this review far too strict).
        """
        spans = self.source.spans
        at = next((k for k, (s, e) in enumerate(spans) if s <= (ev.start or 0) < e), None)
        if at is None:
            return None
        lo = spans[max(0, at - _AROUND)][0]
        hi = spans[min(len(spans) - 1, at + _AROUND)][1]
        local = LocalChecker(self.document.text[lo:hi]).check(claim)
        for signal in local.signals:
            if signal.decisive and signal.kind in _SECOND_LOOK_KINDS:
                return signal.detail
        return None

    def _aggregate(self, item: _Item, found: list[DraftVerdict]) -> ClaimCheck:
        """Supported if any window supports it with located evidence; contradicted only with located
        contradicting evidence; otherwise not in source."""
        located = [(v, self._locate(v, item.text)) for v in found]
        objections: list[str] = []
        for wanted in ("supported", "contradicted"):
            for v, ev in located:
                if v.verdict == wanted and ev is not None and ev.found:
                    if wanted == "supported" and (why := self._second_look(item.text, ev)):
                        objections.append(why)
                        continue
                    conf = {"exact": 0.85, "normalized": 0.85, "fuzzy": 0.7}.get(ev.match, 0.6)
                    return self._result(item, v.verdict, [ev], v.reason, conf)
        if objections:
            ev = next(ev for v, ev in located if v.verdict == "supported" and ev is not None and ev.found)
            note = f"downgraded: the model said supported, but in its evidence {objections[0]}"
            return self._result(item, "not_in_source", [ev], note, 0.5)
        claimed = [(v, ev) for v, ev in located if v.verdict != "not_in_source"]
        if claimed:
            v, ev = claimed[0]
            note = f"downgraded: the model said {v.verdict}, but its evidence was not found in the source"
            evidence = [ev] if ev is not None else []  # an unfound quote is shown as not_found
            return self._result(item, "not_in_source", evidence, f"{note} ({v.reason})", 0.4)
        if not found:
            self.warnings.append(f"the model gave no verdict for: {item.text!r}")
            return self._result(item, "not_in_source", [], "the model gave no verdict for this claim", 0.2)
        v, ev = located[0]
        return self._result(item, "not_in_source", [ev] if ev and ev.found else [], v.reason, 0.6)

    def _result(
        self, item: _Item, verdict: str, evidence: list[Evidence], reason: str, conf: float
    ) -> ClaimCheck:
        return ClaimCheck(
            claim=item.text,
            verdict=verdict,  # type: ignore[arg-type]
            evidence=evidence,
            reason=reason,
            confidence=conf,
            decided_by="model",
            scored_by="verdict",
            signals=signals_of(item.local),
            claim_span=item.span,
        )

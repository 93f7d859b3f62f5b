"""Support scores from the model's next-token log-probabilities: one short Yes/No answer per claim.

The model reads the source once and a numbered list of claims, and answers one line per claim, "1 Yes"
or "2 No" (about 3 completion tokens a claim). The answer is not parsed as text: at the place of each
claim's Yes/No token, the log-probabilities of every spelling of "Yes" and "No" among the top
alternatives give the model's log-odds that the claim is supported. A calibration profile turns those
log-odds (with the local features) into a probability.

The source comes first and the claims last, so every call about one document shares its prefix: a
provider's prompt cache and llama-server's both reuse it. A source too long for the context window is
cut into chunks on sentence boundaries; each claim is scored against the chunks that share the most
words with it, and claims that want the same chunks share a call.

The scoring is a plan (a generator) that yields the calls it needs and is sent each answer, so the sync
and the async client take exactly the same path (as in :mod:`summarizer.pipeline.summary`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Generator, Sequence

from .. import config, pricing
from ..llm.client import LLM, AsyncLLM
from ..llm.logprobs import LogprobAnswer
from ..llm.prompts import PromptTemplate, load_prompt
from ..rules.words import content_stems
from ..text import sentences, tokens
from ..text.chunks import chunk_spans
from ..text.documents import Document
from ..types import Usage
from .plan import _arun, _run, _Score, _Scores

__all__ = [
    "PROMPT_NAME",
    "answer_logit",
    "answer_tokens",
    "ascore_claims",
    "claim_units",
    "plan_claim_scores",
    "plan_scores",
    "read_answers",
    "score_claims",
    "source_budget",
]

PROMPT_NAME = "score"
_YES = frozenset({"yes"})
_NO = frozenset({"no"})
_LINE_NUMBER = re.compile(r"(?:^|\n)\s*(\d+)\s*[.:)\-]?\s*$")


def _norm(token: str) -> str:
    return token.strip().strip(".:,;!\"'*").lower()


def answer_logit(top: Sequence[tuple[str, float]]) -> float | None:
    """log P(Yes) - log P(No) at one answer position, every spelling of each summed ("Yes", " yes",
    "YES"...). A side absent from the top alternatives is bounded by the least likely one listed.
    None when neither side is listed. Clipped to +-``config.MAX_ANSWER_LOGIT``."""
    yes = [lp for tok, lp in top if _norm(tok) in _YES]
    no = [lp for tok, lp in top if _norm(tok) in _NO]
    if not yes and not no:
        return None
    floor = min(lp for _, lp in top)
    logit = _logsumexp(yes or [floor]) - _logsumexp(no or [floor])
    return max(-config.MAX_ANSWER_LOGIT, min(config.MAX_ANSWER_LOGIT, logit))


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def read_answers(answer: LogprobAnswer, n: int) -> list[float | None]:
    """The log-odds of each of ``n`` numbered claims from an answer such as "1 Yes\\n2 No".

    A Yes/No token belongs to the claim whose number opens its line; a line without a number answers the
    next claim not yet answered. Claims left unanswered (the model stopped early, or wrote prose) are None.
    """
    out: list[float | None] = [None] * n
    answered = [False] * n
    text = ""
    for tok in answer.tokens or ():
        word = _norm(tok.token)
        if word in _YES or word in _NO:
            m = _LINE_NUMBER.search(text)
            line_start = text.rfind("\n") + 1
            if m is not None:
                k = int(m.group(1)) - 1
            elif not text[line_start:].strip():
                k = next((i for i, done in enumerate(answered) if not done), n)
            else:
                k = n  # "Yes" inside prose: not an answer
            if 0 <= k < n and not answered[k]:
                answered[k] = True
                top = tok.top or ((tok.token, tok.logprob),)
                out[k] = answer_logit(top)
        text += tok.token
    return out


def answer_tokens(n: int) -> int:
    """Room for the answer lines of ``n`` claims: "<number> Yes" and a line break each (a digit is a token
    in the tokenizers at hand), none after the last. Nothing more is needed, so nothing more is allowed."""
    return sum(len(str(k)) + 2 for k in range(1, n + 1)) - 1


def source_budget(prompt: PromptTemplate, model: str, claims_per_call: int) -> tuple[int, int]:
    """The score prompt's own tokens (no source, no claims), and the source tokens one call can show
    beside them, ``claims_per_call`` claims and their answer in ``model``'s context window."""
    window = pricing.context_window(model) or config.LOCAL_CONTEXT
    overhead = tokens.count_message_tokens(prompt.render("", claims=""), model)
    room = window - overhead - claims_per_call * config.SCORE_CLAIM_TOKENS - answer_tokens(claims_per_call)
    return overhead, int(room * config.CHUNK_BUDGET_MARGIN)


_ScorePlan = Generator[_Scores, "list[LogprobAnswer | None]", "list[float | None] | None"]


class _Windows:
    """The source text each claim is scored against: all of it, or its best chunks when it is too long
    for the context window (or longer than ``limit`` tokens, when one is given)."""

    def __init__(
        self, document: Document, prompt: PromptTemplate, model: str, claims_per_call: int, limit: int | None = None
    ) -> None:
        self.text = document.model_text
        self.budget = source_budget(prompt, model, claims_per_call)[1]
        if limit is not None:
            self.budget = min(self.budget, limit)
        if tokens.max_message_tokens([{"content": self.text}]) <= self.budget or (
            tokens.count_tokens(self.text, model) <= self.budget
        ):
            self.chunks = [(0, len(self.text))]
        else:
            per_chunk = max(config.MIN_CHUNK_TOKENS, self.budget // config.SCORE_CHUNKS_PER_CLAIM)
            self.chunks = chunk_spans(self.text, model, per_chunk)
        self.chunk_stems = [set(content_stems(self.text[s:e])) for s, e in self.chunks]

    def key(self, claim: str) -> tuple[int, ...]:
        """The chunks ``claim`` is scored against, in document order."""
        if len(self.chunks) == 1:
            return (0,)
        stems = set(content_stems(claim))
        ranked = sorted(range(len(self.chunks)), key=lambda k: (-len(stems & self.chunk_stems[k]), k))
        return tuple(sorted(ranked[: config.SCORE_CHUNKS_PER_CLAIM]))

    def render(self, key: tuple[int, ...]) -> str:
        return "\n[...]\n".join(self.text[slice(*self.chunks[k])].strip() for k in key)


def plan_scores(
    document: Document, claims: Sequence[str], model: str, *, claims_per_call: int
) -> _ScorePlan:
    """The calls that score ``claims`` against ``document``; returns each claim's log-odds (None for a
    claim the model did not answer), or None when the server sends no log-probabilities.

    Every prompt is asked before any answer is read, in one step (:class:`~.plan._Scores`): a server that
    takes prompt lists answers them in one call, and a batch job (:mod:`summarizer.batch.api`) gets all of
    a document's calls in one round."""
    prompt = load_prompt(PROMPT_NAME)
    windows = _Windows(document, prompt, model, claims_per_call)
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, claim in enumerate(claims):
        groups.setdefault(windows.key(claim), []).append(i)
    batches: list[tuple[int, ...]] = []
    prompts: list[_Score] = []
    for key, members in groups.items():
        source = windows.render(key)
        for at in range(0, len(members), claims_per_call):
            batch = tuple(members[at : at + claims_per_call])
            lines = "\n".join(f"{n}. {' '.join(claims[i].split())}" for n, i in enumerate(batch, 1))
            batches.append(batch)
            prompts.append(_Score(prompt.render(source, claims=lines), answer_tokens(len(batch))))
    if not prompts:
        return []
    answers = yield _Scores(tuple(prompts))
    if any(answer is None for answer in answers):
        return None
    logits: list[float | None] = [None] * len(claims)
    for batch, answer in zip(batches, answers, strict=True):
        assert answer is not None
        for i, logit in zip(batch, read_answers(answer, len(batch)), strict=True):
            logits[i] = logit
    return logits


def claim_units(claim: str) -> list[str]:
    """What the model is asked about for one claim: each of its sentences (a claim is supported only if
    every sentence of it is)."""
    units = [claim[a:b].strip() for a, b in sentences.sentence_spans(claim)]
    return [u for u in units if u] or [claim.strip()]


def plan_claim_scores(
    document: Document, claims: Sequence[str], model: str, *, claims_per_call: int
) -> _ScorePlan:
    """Each claim's log-odds: the lowest of its sentences' (:func:`claim_units`; each distinct sentence is
    asked once, however many claims repeat it). None for a claim none of whose sentences was answered;
    None for all when the server sends no log-probabilities."""
    per_claim = [claim_units(c) for c in claims]
    unique = list(dict.fromkeys(u for units in per_claim for u in units))
    logits = yield from plan_scores(document, unique, model, claims_per_call=claims_per_call)
    if logits is None:
        return None
    by_unit = dict(zip(unique, logits, strict=True))
    out: list[float | None] = []
    for units in per_claim:
        known = [v for v in (by_unit[u] for u in units) if v is not None]
        out.append(min(known) if known else None)
    return out


def score_claims(
    llm: LLM, document: Document, claims: Sequence[str], usage: Usage, *, claims_per_call: int
) -> list[float | None] | None:
    """Run :func:`plan_claim_scores` with the sync client."""
    plan = plan_claim_scores(document, claims, llm.settings.model, claims_per_call=claims_per_call)
    return _run(plan, llm, usage)


async def ascore_claims(
    llm: AsyncLLM, document: Document, claims: Sequence[str], usage: Usage, *, claims_per_call: int
) -> list[float | None] | None:
    """Run :func:`plan_claim_scores` with the async client."""
    plan = plan_claim_scores(document, claims, llm.settings.model, claims_per_call=claims_per_call)
    return await _arun(plan, llm, usage)

"""What a summary or a check would cost, calling nothing (summarizer.pipeline.estimates)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from summarizer import config
from summarizer.llm.client import LLM
from summarizer.pipeline.checking import check
from summarizer.pipeline.estimates import Estimate, estimate_check, estimate_summary
from summarizer.settings import Settings
from summarizer.text import tokens
from summarizer.text.documents import document_from_text
from tests._support.paths import EXAMPLE

MODEL = "gpt-4o-mini"
_SENTENCE = re.compile(r"^\[(\d+)\] (.+)$", re.MULTILINE)
_CLAIM = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)
TOPICS = ("ferry", "museum", "school", "festival", "railway", "harbour", "library", "market")


class HonestModel(LLM):
    """An in-process fake server: answers every check batch with a verdict per claim (a quote of a source
    sentence and a one-sentence reason, as the recorded answers look) and reports usage honestly, as
    tiktoken counts the request and the answer. No HTTP: 10,000 claims take seconds."""

    def __init__(self) -> None:
        super().__init__(Settings(model=MODEL, base_url="http://fake.invalid/v1", api_key="sk-test-0000000000"))

    def _send(self, request: dict[str, Any]) -> Any:
        from openai.types.chat import ChatCompletion

        messages = request["extra_body"]["messages"]
        user = messages[-1]["content"]
        sentences = _SENTENCE.findall(user)
        ids = [int(n) for n, _ in _CLAIM.findall(user.split("Check these claims", 1)[-1])]
        verdicts = []
        for k, i in enumerate(ids):
            number, sentence = sentences[(7 * i + k) % len(sentences)]
            verdicts.append({
                "id": i, "sentence": int(number), "quote": " ".join(sentence.split()[:14]),
                "verdict": "not_in_source",
                "reason": "The source does not state this; the cited sentence is about something else.",
            })  # fmt: skip
        content = json.dumps({"verdicts": verdicts})
        prompt, completion = tokens.count_message_tokens(messages, MODEL), tokens.count_tokens(content, MODEL)
        return ChatCompletion.model_validate({
            "id": "x", "object": "chat.completion", "created": 0, "model": MODEL,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        })  # fmt: skip


def claims(n: int) -> list[str]:
    """Claims the zero-token checks cannot settle (no numbers, dates or names to compare)."""
    return [f"Residents talked about the {TOPICS[i % len(TOPICS)]} plan again on a quiet weekday." for i in range(n)]


@pytest.mark.parametrize(("n", "mode"), [(10, "model"), (100, "hybrid"), (1000, "model"), (10_000, "model")])
def test_check_estimate_stays_within_its_bounds_from_10_to_10000_claims(n: int, mode: str) -> None:
    """Each batch is estimated with its own claims: the estimate grows with the claims, not their square
    (10,000 claims were estimated at 1.28 billion tokens for 170,101 used)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    given = claims(n)
    est = estimate_check(text, given, mode=mode, model=MODEL)
    report = check(text, given, mode=mode, llm=HonestModel())
    used = report.usage
    assert est.calls == used.calls == -(-n // config.CHECK_BATCH_SIZE)
    ratio = (est.prompt_tokens + est.completion_tokens) / (used.prompt_tokens + used.completion_tokens)
    assert 0.8 <= ratio <= 2, (ratio, est, used)
    assert est.cost_usd is not None and used.cost_usd
    assert 0.8 <= est.cost_usd / used.cost_usd <= 2
    assert 0.95 <= est.prompt_tokens / used.prompt_tokens <= 1.05  # the prompts are counted, not guessed


def test_hybrid_estimate_leaves_out_what_the_local_checks_settle() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    settled = [f"The bridge vote took place in {1800 + i}." for i in range(12)]  # years not in the source
    assert estimate_check(text, settled, mode="hybrid", model=MODEL).calls == 0
    assert estimate_check(text, settled, mode="model", model=MODEL).calls == 2
    assert estimate_check(text, settled, mode="local", model=MODEL) == Estimate.of(MODEL, 0, 0, 0)


def test_summary_split_by_the_model_costs_one_more_call() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    summary = "Residents talked about the ferry plan. Nobody mentioned the museum."
    by_model = estimate_check(text, summary=summary, mode="local", split="model", model=MODEL)
    assert by_model.calls == 1 and by_model.prompt_tokens > 0
    by_sentences = estimate_check(text, summary=summary, mode="model", split="sentences", model=MODEL)
    assert by_sentences.calls == 1 and by_sentences.completion_tokens < 300


def test_summary_estimate_matches_the_single_call_and_prices_unknown_models() -> None:
    from summarizer.pipeline.summary import build_messages

    document = document_from_text(EXAMPLE.read_text(encoding="utf-8"))
    est = estimate_summary(document, model=MODEL)
    assert est.calls == 1
    assert est.prompt_tokens == tokens.count_message_tokens(build_messages(document), MODEL)
    assert est.completion_tokens == config.ESTIMATED_SUMMARY_OUTPUT_TOKENS
    assert est.document_tokens == tokens.count_tokens(document.model_text, MODEL)
    assert estimate_summary(document, model="mystery-model").cost_usd is None
    verified = estimate_summary(document, model=MODEL, verify=True)
    assert verified.calls == 1 + -(-config.MAX_CLAIMS // config.CHECK_BATCH_SIZE)
    assert verified.cost_usd is not None and est.cost_usd is not None and verified.cost_usd > est.cost_usd

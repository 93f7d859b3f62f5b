"""What a summary or a check would cost, calling nothing (summarizer.pipeline.estimates)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from summarizer import config
from summarizer.calibration.profile import profile_for_model
from summarizer.llm.client import LLM
from summarizer.pipeline.checking import check
from summarizer.pipeline.estimates import Estimate, estimate_check, estimate_summary
from summarizer.settings import Settings
from summarizer.text import tokens
from summarizer.text.documents import document_from_text
from tests._support.paths import EXAMPLE

MODEL = "gpt-4o-mini"
PER_CALL = profile_for_model(MODEL).claims_per_call  # the generic profile's claim sentences per call
_SENTENCE = re.compile(r"^\[(\d+)\] (.+)$", re.MULTILINE)
_CLAIM = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)
TOPICS = ("ferry", "museum", "school", "festival", "railway", "harbour", "library", "market")


class HonestModel(LLM):
    """An in-process fake server: answers every scoring call with "<n> Yes" lines and their
    log-probabilities, and every check batch with a verdict per claim (a quote of a source sentence and a
    one-sentence reason, as the recorded answers look); reports usage honestly, as tiktoken counts the
    request and the answer. No HTTP: 10,000 claims take seconds."""

    def __init__(self) -> None:
        super().__init__(Settings(model=MODEL, base_url="http://fake.invalid/v1", api_key="sk-test-0000000000"))

    def _send(self, request: dict[str, Any]) -> Any:
        from openai.types.chat import ChatCompletion

        messages = request["extra_body"]["messages"]
        user = messages[-1]["content"]
        logprobs = None
        if request.get("logprobs"):
            ids = [n for n, _ in _CLAIM.findall(user.split("Claims:", 1)[-1])]
            content = "\n".join(f"{n} Yes" for n in ids)
            top = [{"token": " Yes", "logprob": -0.1}, {"token": " No", "logprob": -2.4}]
            logprobs = {"content": [
                item for n in ids for item in (
                    {"token": n, "logprob": 0.0, "top_logprobs": [{"token": n, "logprob": 0.0}]},
                    {"token": " Yes", "logprob": -0.1, "top_logprobs": top},
                )
            ]}  # fmt: skip
        else:
            sentences = _SENTENCE.findall(user)
            ids_ = [int(n) for n, _ in _CLAIM.findall(user.split("Check these claims", 1)[-1])]
            verdicts = []
            for k, i in enumerate(ids_):
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
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": logprobs,
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": completion,
                      "total_tokens": prompt + completion},
        })  # fmt: skip


def claims(n: int) -> list[str]:
    """Distinct claims the zero-token checks cannot settle (no numbers, dates or names to compare)."""
    syllables = ("ba", "ko", "mi", "ru", "te", "zo", "fa", "li")

    def word(i: int) -> str:
        return "".join(syllables[(i >> (3 * k)) % 8] for k in range(5))

    return [f"Residents talked about the {TOPICS[i % len(TOPICS)]} plan near the {word(i)} path." for i in range(n)]


@pytest.mark.parametrize(
    ("n", "mode", "scorer"),
    [(10, "model", "logprobs"), (100, "hybrid", "logprobs"), (1000, "model", "logprobs"),
     (10_000, "model", "logprobs"), (10, "model", "verdicts"), (10_000, "model", "verdicts")],
)  # fmt: skip
def test_check_estimate_stays_within_its_bounds_from_10_to_10000_claims(n: int, mode: str, scorer: str) -> None:
    """Each call is estimated with its own claims: the estimate grows with the claims, not their square
    (10,000 claims were estimated at 1.28 billion tokens for 170,101 used)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    given = claims(n)
    est = estimate_check(text, given, mode=mode, model=MODEL, scorer=scorer)
    report = check(text, given, mode=mode, llm=HonestModel(), scorer=scorer)  # type: ignore[arg-type]
    used = report.usage
    per_call = PER_CALL if scorer == "logprobs" else config.CHECK_BATCH_SIZE  # the profile's, or the batch size
    assert est.calls == used.calls == -(-n // per_call)
    ratio = (est.prompt_tokens + est.completion_tokens) / (used.prompt_tokens + used.completion_tokens)
    assert 0.8 <= ratio <= 2, (ratio, est, used)
    assert est.cost_usd is not None and used.cost_usd
    assert 0.8 <= est.cost_usd / used.cost_usd <= 2
    assert 0.95 <= est.prompt_tokens / used.prompt_tokens <= 1.05  # the prompts are counted, not guessed


def test_hybrid_estimate_leaves_out_what_the_profiles_trusted_findings_settle() -> None:
    from summarizer.calibration.profile import RuleStat, profile_for_model

    text = EXAMPLE.read_text(encoding="utf-8")
    settled = [f"The bridge vote took place in {1800 + i}." for i in range(12)]  # years not in the source
    base = profile_for_model(MODEL)
    trusting = base.model_copy(update={"rules": {**base.rules, **{
        k: RuleStat(verdict="not_in_source" if k.endswith("missing") else "contradicted", right=50, seen=50,
                    settles=True) for k in ("date_missing", "date_mismatch", "number_missing")}}})  # fmt: skip
    assert estimate_check(text, settled, mode="hybrid", model=MODEL, profile=trusting).calls == 0
    assert estimate_check(text, settled, mode="model", model=MODEL).calls == -(-12 // PER_CALL)  # the profile's
    assert estimate_check(text, settled, mode="model", model=MODEL, claims_per_call=1).calls == 12
    assert estimate_check(text, settled, mode="model", model=MODEL, scorer="verdicts").calls == 2
    assert estimate_check(text, settled, mode="model", model=MODEL, claims_per_call=4).calls == 3
    assert estimate_check(text, settled, mode="local", model=MODEL) == Estimate.of(MODEL, 0, 0, 0)


def test_a_server_taking_prompt_lists_is_one_scoring_call_for_the_same_tokens() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    claims = [f"The bridge vote took place in {1800 + i}." for i in range(12)]
    apart = estimate_check(text, claims, mode="model", model=MODEL, claims_per_call=1)
    listed = estimate_check(text, claims, mode="model", model=MODEL, claims_per_call=1, prompt_lists=True)
    assert (apart.calls, listed.calls) == (12, 1)
    assert (listed.prompt_tokens, listed.completion_tokens) == (apart.prompt_tokens, apart.completion_tokens)
    summary = "The council will vote. The cost rose. The mayor spoke."
    assert estimate_check(text, summary=summary, model=MODEL, claims_per_call=1, prompt_lists=True).calls == 2
    verified = estimate_summary(text, model=MODEL, verify=True, prompt_lists=True)
    assert verified.calls == estimate_summary(text, model=MODEL).calls + 1


def test_summary_split_by_the_model_costs_one_more_call() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    summary = "Residents talked about the ferry plan. Nobody mentioned the museum."
    by_model = estimate_check(text, summary=summary, mode="local", split="model", model=MODEL)
    assert by_model.calls == 1 and by_model.prompt_tokens > 0
    by_sentences = estimate_check(text, summary=summary, mode="model", split="sentences", model=MODEL)
    assert by_sentences.calls == -(-2 // PER_CALL) and by_sentences.completion_tokens <= 2 * 3  # 3 tokens a sentence


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
    assert verified.calls == 1 + -(-config.MAX_CLAIMS // PER_CALL)  # scoring calls for the (not yet known) claims
    by_verdicts = estimate_summary(document, model=MODEL, verify=True, check_options={"scorer": "verdicts"})
    assert by_verdicts.calls == 1 + -(-config.MAX_CLAIMS // config.CHECK_BATCH_SIZE)
    assert verified.cost_usd is not None and est.cost_usd is not None and verified.cost_usd > est.cost_usd


def test_a_source_longer_than_the_context_is_estimated_as_the_windows_it_is_shown_in() -> None:
    """The estimate and the scorer cut a long source with one budget (scoring.source_budget): each call is
    counted with the source tokens it shows, not the whole source."""
    text = EXAMPLE.read_text(encoding="utf-8")
    copies = 140_000 // tokens.count_tokens(text, MODEL) + 1
    long = "\n\n".join([text] * copies)  # past gpt-4o-mini's 128k-token context
    whole = tokens.count_tokens(long, MODEL)
    given = claims(20)
    est = estimate_check(long, given, mode="model", model=MODEL)
    used = check(long, given, mode="model", llm=HonestModel()).usage  # type: ignore[arg-type]
    assert est.calls == used.calls == -(-20 // PER_CALL)
    assert est.prompt_tokens < 0.9 * est.calls * whole  # windows, not the whole source a call
    assert 0.95 <= est.prompt_tokens / used.prompt_tokens <= 1.05

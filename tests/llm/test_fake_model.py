"""The in-process FAKE model of tests/_support/fake_model.py: the client's interface, answers from a script.

It stands in for :class:`summarizer.llm.client.LLM` in pipeline tests, so it must keep the client's
method signatures and contract (one usage entry per attempt, bounded re-asks, typed errors).
"""

from __future__ import annotations

import inspect
import json

import pytest

from summarizer import config, errors
from summarizer.llm.client import LLM
from summarizer.llm.drafts import MergeDraft, SummaryDraft
from summarizer.pipeline.summary import summarize
from summarizer.types import Usage
from tests._support.fake_model import FakeCall, FakeModel, LogprobAnswer, ScriptExhausted, logprob_answer

MERGE = {"title": "T", "tldr": "One sentence.", "key_points": ["K"]}
SOURCE = (
    "The harbour council voted on Tuesday to rebuild the tidal mill. "
    "The work will cost 2 million dollars and start in March."
)
MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "the document"}]


def _params(fn: object) -> list[tuple[str, object]]:
    return [(p.name, p.kind) for p in inspect.signature(fn).parameters.values()]  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["structured", "text", "prepare"])
def test_the_fake_has_the_clients_signatures(method: str) -> None:
    assert _params(getattr(FakeModel, method)) == _params(getattr(LLM, method))


def test_the_fake_logprobs_takes_what_the_client_takes() -> None:
    fake = _params(FakeModel.logprobs)
    assert fake[:1] == [("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    assert {"messages", "usage", "max_tokens", "top"} <= {name for name, _ in fake}
    if hasattr(LLM, "logprobs"):  # once the client has it, every parameter it takes
        assert set(_params(LLM.logprobs)) <= set(fake)


def test_answers_in_order_as_model_dict_or_json_and_usage_per_call() -> None:
    fake = FakeModel([MergeDraft(**MERGE), MERGE, json.dumps(MERGE), "plain words"], tokens=(7, 3))
    usage = Usage()
    for _ in range(3):
        value, mode = fake.structured(MESSAGES, MergeDraft, schema_name="merge", usage=usage, max_tokens=50)
        assert value == MergeDraft(**MERGE) and mode == "json_schema"
    assert fake.text(MESSAGES, usage=usage, max_tokens=4) == "plain words"
    assert (usage.calls, usage.prompt_tokens, usage.completion_tokens) == (4, 28, 12)
    assert [c.kind for c in fake.calls] == ["structured"] * 3 + ["text"]
    assert fake.calls[0].schema_name == "merge" and fake.calls[0].output is MergeDraft
    assert fake.calls[0].user == "the document" and fake.count("structured", "merge") == 3


def test_an_invalid_answer_is_re_asked_then_fails_like_the_client() -> None:
    bad = {"title": "no tldr"}
    fake = FakeModel([bad, MERGE])
    usage = Usage()
    value, _ = fake.structured(MESSAGES, MergeDraft, schema_name="merge", usage=usage, max_tokens=50)
    assert value.title == "T" and [c.reask for c in fake.calls] == [0, 1] and usage.calls == 2

    fake = FakeModel([bad] * (config.MAX_REASKS + 1))
    with pytest.raises(errors.InvalidOutputError):
        fake.structured(MESSAGES, MergeDraft, schema_name="merge", usage=Usage(), max_tokens=50)
    assert len(fake.calls) == config.MAX_REASKS + 1


def test_scripted_errors_are_raised_and_a_rejected_call_has_no_usage() -> None:
    fake = FakeModel([errors.ContextLengthError("too long"), errors.TruncatedOutputError("cut")])
    usage = Usage()
    with pytest.raises(errors.ContextLengthError):
        fake.structured(MESSAGES, MergeDraft, schema_name="merge", usage=usage, max_tokens=50)
    assert usage.calls == 0
    with pytest.raises(errors.TruncatedOutputError):
        fake.structured(MESSAGES, MergeDraft, schema_name="merge", usage=usage, max_tokens=50)
    assert usage.calls == 1  # a cut-off answer was paid for


def test_a_call_past_the_script_fails_the_test_naming_it() -> None:
    fake = FakeModel([])
    with pytest.raises(ScriptExhausted, match=r"no scripted answer for call 1 .*the document"):
        fake.text(MESSAGES, usage=Usage(), max_tokens=4)


def test_logprobs_answers() -> None:
    fake = FakeModel([None, {"No": -2.0, "Yes": -0.2, "Maybe": -4.0}])
    usage = Usage()
    assert fake.logprobs(MESSAGES, usage=usage, max_tokens=2) is None
    answer = fake.logprobs(MESSAGES, usage=usage, max_tokens=2, top=2)
    assert isinstance(answer, LogprobAnswer)
    assert answer.content == "Yes" and answer.finish_reason == "stop"
    (token,) = answer.tokens
    assert token.token == "Yes" and token.logprob == -0.2
    assert token.top == (("Yes", -0.2), ("No", -2.0))  # the top 2, most likely first
    assert fake.calls[1].top == 2 and usage.calls == 2
    with pytest.raises(ValueError):
        logprob_answer({"Yes": 0.5})


def test_summarize_runs_on_the_fake_with_no_http() -> None:
    """The pipeline takes the fake for the client: one call, its answer grounded in the source."""

    def answer(call: FakeCall) -> dict[str, object]:
        assert call.output is SummaryDraft and "[1] The harbour council voted" in call.user
        return {
            "title": "Mill to be rebuilt",
            "tldr": "The council will rebuild the mill.",
            "entities": [{"name": "harbour council", "type": "organization"}],
            "events": [{"date": "March", "what": "Work starts."}],
            "claims": [{"n": 2, "claim": "The mill work will cost 2 million dollars."}],
        }

    fake = FakeModel(answer, tokens=(300, 80))
    result = summarize(SOURCE, llm=fake)  # type: ignore[arg-type]
    (claim,) = result.claims
    (evidence,) = claim.evidence
    assert claim.grounded and SOURCE[evidence.start : evidence.end] == "The work will cost 2 million dollars"  # type: ignore[misc]
    assert (result.usage.calls, result.usage.prompt_tokens, result.usage.completion_tokens) == (1, 300, 80)
    assert result.provenance.model == "gpt-4o-mini" and len(fake.calls) == 1

"""Support scores read from log-probabilities: the answer's tokens, the log-odds, the source windows.

Every answer here is built in the test (no server, no cassette)."""

from __future__ import annotations

import math

import pytest

from summarizer import config, pricing
from summarizer.llm.logprobs import LogprobAnswer, TokenLogprob
from summarizer.llm.prompts import load_prompt
from summarizer.pipeline.plan import _Score, _Scores
from summarizer.pipeline.scoring import (
    PROMPT_NAME,
    _Windows,
    answer_logit,
    answer_tokens,
    plan_scores,
    read_answers,
)
from summarizer.text.documents import document_from_text
from summarizer.text.tokens import count_tokens


def tok(text: str, **alternatives: float) -> TokenLogprob:
    """A token with the probabilities of its alternatives (spelled with _ for a leading space)."""
    top = tuple((k.replace("_", " "), math.log(p)) for k, p in alternatives.items())
    own = dict(top).get(text, math.log(0.5))
    return TokenLogprob(text, own, top)


def answer(*tokens: TokenLogprob) -> LogprobAnswer:
    return LogprobAnswer("".join(t.token for t in tokens), tuple(tokens), "stop")


def test_logit_sums_every_spelling_of_yes_and_of_no() -> None:
    top = [("Yes", math.log(0.5)), (" yes", math.log(0.1)), ("YES", math.log(0.1)), (" No", math.log(0.2))]
    assert answer_logit(top) == pytest.approx(math.log(0.7 / 0.2))


def test_a_side_missing_from_the_alternatives_is_bounded_by_the_least_likely_listed() -> None:
    top = [(" Yes", math.log(0.9)), (" Maybe", math.log(0.01))]
    assert answer_logit(top) == pytest.approx(math.log(0.9 / 0.01))
    assert answer_logit([(" Perhaps", -0.1)]) is None


def test_the_logit_is_clipped() -> None:
    top = [(" Yes", 0.0), (" No", -1e4)]
    assert answer_logit(top) == config.MAX_ANSWER_LOGIT


def test_answers_are_read_by_the_number_that_opens_their_line() -> None:
    got = read_answers(
        answer(
            tok("2", **{"2": 0.9}), tok(" No", _Yes=0.3, _No=0.7), tok("\n"),
            tok("1", **{"1": 0.9}), tok(" Yes", _Yes=0.8, _No=0.2),
        ),
        3,
    )
    assert got[0] == pytest.approx(math.log(0.8 / 0.2))
    assert got[1] == pytest.approx(math.log(0.3 / 0.7))
    assert got[2] is None  # never answered


def test_unnumbered_lines_answer_in_order_and_prose_answers_nothing() -> None:
    got = read_answers(answer(tok("Yes", Yes=0.6, No=0.4), tok("\n"), tok("No", Yes=0.1, No=0.9)), 2)
    assert got[0] == pytest.approx(math.log(0.6 / 0.4)) and got[1] == pytest.approx(math.log(0.1 / 0.9))
    prose = answer(tok("The"), tok(" claim"), tok(" says"), tok(" yes", _yes=0.9, _no=0.1))
    assert read_answers(prose, 1) == [None]


def test_a_repeated_number_keeps_its_first_answer() -> None:
    got = read_answers(
        answer(tok("1"), tok(" Yes", _Yes=0.9, _No=0.1), tok("\n"), tok("1"), tok(" No", _Yes=0.2, _No=0.8)), 1
    )
    assert got == [pytest.approx(math.log(0.9 / 0.1))]


def test_answer_room_is_a_number_a_word_and_a_line_break_per_claim() -> None:
    assert answer_tokens(1) == 2  # "1", " Yes"
    assert answer_tokens(3) == 8  # "1 Yes\n2 Yes\n3 Yes"
    assert answer_tokens(10) == 9 * 3 + 4 - 1  # "10" is two digit tokens


def run_plan(text: str, claims: list[str], model: str = "gpt-4o-mini", per_call: int = 1) -> list[_Score]:
    """The prompts of ``plan_scores``, which asks them all in one step, each answered "1 Yes\n2 Yes..."."""
    plan = plan_scores(document_from_text(text), claims, model, claims_per_call=per_call)
    step = next(plan)
    assert isinstance(step, _Scores)
    answers = []
    for ask in step.items:
        n = ask.messages[-1]["content"].split("Claims:\n")[1].count("\n") + 1
        line = "\n".join(f"{k} Yes" for k in range(1, n + 1))
        answers.append(answer(*[tok(t, _Yes=0.9, _No=0.1) for t in line.replace(" Yes", "| Yes").split("|")]))
    with pytest.raises(StopIteration) as done:
        plan.send(answers)
    assert done.value.value is not None and len(done.value.value) == len(claims)
    return list(step.items)


def test_claims_per_call_groups_claims_and_sizes_the_answer() -> None:
    asks = run_plan("A short source. It has two sentences.", ["one", "two", "three"], per_call=2)
    assert len(asks) == 2
    assert "1. one\n2. two" in asks[0].messages[-1]["content"] and asks[0].max_tokens == answer_tokens(2)
    assert "1. three" in asks[1].messages[-1]["content"] and asks[1].max_tokens == answer_tokens(1)


def test_no_log_probabilities_ends_the_plan_with_none() -> None:
    plan = plan_scores(document_from_text("A source."), ["a claim"], "gpt-4o-mini", claims_per_call=1)
    next(plan)
    with pytest.raises(StopIteration) as done:
        plan.send([None])
    assert done.value.value is None


def test_a_long_source_is_scored_against_the_chunks_that_share_the_claims_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pricing, "context_window", lambda model: 1400)
    filler = [f"Paragraph {i} talks about weather patterns over the northern plains." for i in range(400)]
    special = "The lighthouse keeper Maren Oyelaran repaired the lamp in 1911."
    text = " ".join([*filler[:200], special, *filler[200:]])
    asks = run_plan(text, ["Maren Oyelaran repaired the lighthouse lamp."])
    source = asks[0].messages[-1]["content"].split("</document>")[0]
    assert special in source
    assert len(source) < len(text) / 2  # only the best chunks, not the whole source


def test_a_limit_cuts_a_source_that_fits_the_context_to_the_chunks_closest_to_the_claim() -> None:
    filler = [f"Paragraph {i} talks about weather patterns over the northern plains." for i in range(120)]
    special = "The lighthouse keeper Maren Oyelaran repaired the lamp in 1911."
    document = document_from_text(" ".join([*filler[:60], special, *filler[60:]]))
    prompt, model = load_prompt(PROMPT_NAME), config.LOCAL_MODEL
    assert len(_Windows(document, prompt, model, 1).chunks) == 1  # the whole source fits the context
    windows = _Windows(document, prompt, model, 1, limit=600)
    shown = windows.render(windows.key("Maren Oyelaran repaired the lighthouse lamp."))
    assert special in shown
    assert count_tokens(shown, model) <= 600 + 10 < count_tokens(document.model_text, model)  # two halves
    assert len(_Windows(document, prompt, model, 1, limit=100_000).chunks) == 1  # a limit above the source

"""Fitting a profile from examples, and applying it: which findings settle, the thresholds, the modes."""

from __future__ import annotations

import json
import logging
import math
import random
from pathlib import Path

import pytest

from summarizer import config
from summarizer.calibration.calibrate import (
    Example,
    append_scores,
    apply_profile,
    check_calibration,
    dataset_domains,
    fit_profile,
    load_datasets,
    save_examples,
)
from summarizer.calibration.metrics import balanced_accuracy, best_threshold
from summarizer.errors import ConfigError, InputError
from summarizer.evaluation import Row
from summarizer.rules.features import LEXICAL_FEATURES, MODEL_FEATURE

PROFILE_ARGS: dict = {"name": "t", "models": ["t"], "prompt_version": None, "claims_per_call": 1}


def example(i: int, label: int, logit: float | None, *, findings: tuple[str, ...] = (), domain: str = "d",
            coverage: float = 0.5) -> Example:  # fmt: skip
    verdict = None
    if findings:
        verdict = "supported" if findings[0] == "verbatim" else "not_in_source"
    return Example(
        id=str(i),
        domain=domain,
        label=label,
        features={"coverage_best": coverage, "coverage_top3": coverage},
        findings=list(findings),
        local_verdict=verdict,
        signals=[(k, True) for k in findings],
        logit=logit,
    )


def synthetic(n: int = 600, seed: int = 0) -> list[Example]:
    """Two domains whose model log-odds separate the labels around different levels, plus two rules: an
    always-right "number_missing" and a sometimes-wrong "entity_missing"."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        domain = "a" if i % 2 else "b"
        label = int(rng.random() < 0.4)
        shift = 0.0 if domain == "a" else 1.0
        logit = (1.5 if label else -1.5) + shift + rng.gauss(0, 1)
        findings: tuple[str, ...] = ()
        if not label and rng.random() < 0.2:
            findings = ("number_missing",)
        elif rng.random() < 0.1:
            findings = ("entity_missing",)  # as often on supported claims as not: never settles
        out.append(example(i, label, logit, findings=findings, domain=domain, coverage=rng.random()))
    return out


def test_a_finding_settles_only_when_it_was_right_often_enough_and_often() -> None:
    profile = fit_profile(synthetic(), name="t", models=[], prompt_version=None, claims_per_call=1)
    assert profile.rules["number_missing"].settles
    assert profile.rules["number_missing"].right == profile.rules["number_missing"].seen >= config.RULE_MIN_SEEN
    assert not profile.rules["entity_missing"].settles
    assert not profile.rules["date_missing"].settles  # never seen: no evidence either way
    assert profile.rules["verbatim"].settles  # never seen, but supported by construction


def test_fused_probabilities_rank_and_decide_as_the_log_odds_do() -> None:
    examples = synthetic()
    profile = fit_profile(examples, name="t", models=[], prompt_version=None, claims_per_call=1)
    assert profile.fused.weights["model_logit"] > 0
    decisions = [apply_profile(profile, ex) for ex in examples]
    labels = [ex.label for ex in examples]
    assert balanced_accuracy(labels, [int(d.verdict == "supported") for d in decisions]) > 0.8
    for ex, d in zip(examples, decisions, strict=True):
        if "number_missing" in ex.findings:
            assert d.scored_by == "rule" and d.verdict == "not_in_source"
        else:
            assert d.scored_by == "logprobs"
            expected = d.probability if d.verdict == "supported" else 1 - d.probability
            assert d.confidence == pytest.approx(expected)


def test_mode_model_scores_every_claim_and_mode_local_ignores_the_log_odds() -> None:
    examples = synthetic()
    profile = fit_profile(examples, name="t", models=[], prompt_version=None, claims_per_call=1)
    settled = next(ex for ex in examples if "number_missing" in ex.findings)
    assert apply_profile(profile, settled, mode="model").scored_by == "logprobs"
    open_one = next(ex for ex in examples if not ex.findings)
    local = apply_profile(profile, open_one, mode="local")
    assert local.scored_by == "features"
    assert local.probability == apply_profile(profile, open_one.__class__(**{**open_one.__dict__, "logit": 99.0}),
                                              mode="local").probability  # fmt: skip


def test_examples_without_log_odds_fit_only_the_local_model() -> None:
    examples = synthetic()
    for ex in examples[::2]:
        ex.logit = None
    profile = fit_profile(examples, name="t", models=[], prompt_version=None, claims_per_call=1)
    assert profile.fused.weights["model_logit"] > 0
    with pytest.raises(ValueError, match="log-odds"):
        fit_profile([ex for ex in examples if ex.logit is None], name="t", models=[], prompt_version=None,
                    claims_per_call=1)  # fmt: skip


def shifted_domains(shifts: list[float], n: int = 300, seed: int = 1) -> list[Example]:
    """Domains where the same log-odds mean different things: P(supported) = sigmoid(x + shift)."""
    rng = random.Random(seed)
    out = []
    for d, shift in enumerate(shifts):
        for i in range(n):
            x = rng.gauss(0, 2)
            label = int(rng.random() < 1 / (1 + math.exp(-(x + shift))))
            out.append(example(d * n + i, label, x, domain=f"d{d}", coverage=0.5))
    return out


def calibrated(n: int, rate: float, seed: int) -> list[Example]:
    """Claims whose log-odds are their true log-odds of support: the label is drawn from sigmoid(logit)
    (no local findings), about ``rate`` of them supported."""
    rng = random.Random(seed)
    prior = math.log(rate / (1 - rate))
    out = []
    for i in range(n):
        logit = prior + rng.gauss(0, 1.5)
        label = int(rng.random() < 1 / (1 + math.exp(-logit)))
        out.append(example(i, label, logit, coverage=0.5))
    return out


def test_the_rate_threshold_is_the_share_of_supported_claims_fitted_on() -> None:
    examples = synthetic()
    profile = fit_profile(examples, **PROFILE_ARGS, threshold="rate")
    share = sum(ex.label for ex in examples) / len(examples)
    assert profile.fused.threshold == pytest.approx(share, abs=1e-3)
    assert profile.local.threshold == pytest.approx(share, abs=1e-3)
    unscored = [example(10_000 + i, 1, None) for i in range(200)]  # only the local model is fitted on these
    both = fit_profile(examples + unscored, **PROFILE_ARGS, threshold="rate")
    assert both.fused.threshold == pytest.approx(share, abs=1e-3)
    assert both.local.threshold == pytest.approx((sum(ex.label for ex in examples) + 200) / 800, abs=1e-3)


def test_the_rate_threshold_gives_calibrated_probabilities_their_best_balanced_accuracy() -> None:
    """On claims whose log-odds are honest, about a quarter supported, the rate decides with a higher
    balanced accuracy than 0.5 on claims the fit never saw, and within a point of the best cut chosen
    with their labels."""
    train, test = calibrated(4000, 0.2, seed=1), calibrated(4000, 0.2, seed=2)
    profile = fit_profile(train, **PROFILE_ARGS, threshold="rate")
    assert 0.2 < profile.fused.threshold < 0.3
    probs = [apply_profile(profile, ex).probability for ex in test]
    labels = [ex.label for ex in test]

    def bacc(t: float) -> float:
        return balanced_accuracy(labels, [int(p >= t) for p in probs])

    assert bacc(profile.fused.threshold) > bacc(0.5) + 0.05
    assert bacc(profile.fused.threshold) > best_threshold([(probs, labels)])[1] - 0.01


def test_the_best_threshold_maximises_the_mean_balanced_accuracy_over_the_fitting_domains() -> None:
    examples = synthetic()
    profile = fit_profile(examples, **PROFILE_ARGS)
    assert config.CALIBRATION_THRESHOLD == "best"  # the default rule
    groups: dict[str, tuple[list[float], list[int]]] = {}
    for ex in examples:
        probs, labels = groups.setdefault(ex.domain, ([], []))
        probs.append(apply_profile(profile, ex).probability)
        labels.append(ex.label)
    assert profile.fused.threshold == best_threshold(list(groups.values()))[0]
    rate = fit_profile(examples, **PROFILE_ARGS, threshold="rate")
    assert rate.fused.weights == profile.fused.weights  # the rule moves the threshold, nothing else
    assert rate.fused.threshold != profile.fused.threshold


def test_an_unknown_threshold_rule_is_refused() -> None:
    with pytest.raises(ValueError, match="no such threshold rule: 'median'"):
        fit_profile(synthetic(), **PROFILE_ARGS, threshold="median")


def test_the_temperature_tempers_a_fit_that_domains_it_never_saw_would_find_overconfident() -> None:
    shifted = fit_profile(shifted_domains([-2.5, 0.0, 2.5]), **PROFILE_ARGS, temperature=True)
    alike = fit_profile(shifted_domains([0.0, 0.0, 0.0]), **PROFILE_ARGS, temperature=True)
    assert shifted.fused.temperature > 1.2
    assert 0.8 <= alike.fused.temperature <= 1.2
    # the temperature divides the log-odds: the ranking, and so the AUC, stay; probabilities move to 0.5
    features = {"coverage_best": 0.5, "coverage_top3": 0.5, MODEL_FEATURE: 3.0}
    raw = shifted.fused.model_copy(update={"temperature": 1.0}).probability(features)
    assert 0.5 < shifted.fused.probability(features) < raw


def test_two_domains_leave_nothing_to_hold_out_against() -> None:
    assert fit_profile(shifted_domains([-2.5, 2.5]), **PROFILE_ARGS, temperature=True).fused.temperature == 1.0


def test_without_being_asked_the_fit_is_not_tempered() -> None:
    assert fit_profile(shifted_domains([-2.5, 0.0, 2.5]), **PROFILE_ARGS).fused.temperature == 1.0


def test_the_fused_fit_gives_yes_leaning_and_no_leaning_log_odds_slopes_of_their_own() -> None:
    """Labels whose true log-odds are 2 x the model's below 0 and 0.5 x above: one straight line cannot
    follow both; with the hinge feature (model_logit_yes) the fit recovers each slope."""
    rng = random.Random(3)
    examples = []
    for i in range(6000):
        logit = rng.uniform(-4, 4)
        truth = 2.0 * min(logit, 0.0) + 0.5 * max(logit, 0.0)
        examples.append(example(i, int(rng.random() < 1 / (1 + math.exp(-truth))), logit, coverage=0.5))
    profile = fit_profile(examples, **PROFILE_ARGS)
    w = profile.fused.weights
    assert w["model_logit"] == pytest.approx(2.0, abs=0.25)
    assert w["model_logit"] + w["model_logit_yes"] == pytest.approx(0.5, abs=0.25)
    probe = example(-1, 1, 3.0, coverage=0.5)
    assert apply_profile(profile, probe, mode="model").probability == pytest.approx(1 / (1 + math.exp(-1.5)), abs=0.05)


def test_an_excluded_feature_gets_no_weight_and_the_fit_goes_on_without_it() -> None:
    """Coverage that tracks the label in the training rows: fitted (``exclude=()``), it gets a large weight;
    excluded, it gets none in either model, and the fused model still ranks by the log-odds."""
    rng = random.Random(5)
    examples = [example(i, label, rng.gauss(1.0 if label else -1.0, 1.0), coverage=0.2 + 0.6 * label)
                for i, label in enumerate(int(rng.random() < 0.5) for _ in range(400))]  # fmt: skip
    full = fit_profile(examples, **PROFILE_ARGS, exclude=())
    assert full.fused.weights["coverage_best"] > 0.5 and full.local.weights["coverage_best"] > 0.5
    without = fit_profile(examples, **PROFILE_ARGS, exclude=("coverage_best", "coverage_top3"))
    for model in (without.fused, without.local):
        assert "coverage_best" not in model.weights and "coverage_top3" not in model.weights
    assert without.fused.weights["model_logit"] > 0.5
    with pytest.raises(ValueError, match="no such feature to exclude: coverage"):
        fit_profile(examples, **PROFILE_ARGS, exclude=("coverage",))


def test_the_lexical_features_are_left_out_unless_asked_for() -> None:
    """By default a fit weighs no lexical feature (config.CALIBRATION_EXCLUDED_FEATURES), however well one
    tracks the fitting labels, and still weighs the findings and the log-odds; ``exclude=()`` weighs them."""
    rng = random.Random(6)
    examples = [example(i, label, rng.gauss(1.0 if label else -1.0, 1.0), coverage=0.2 + 0.6 * label)
                for i, label in enumerate(int(rng.random() < 0.5) for _ in range(400))]  # fmt: skip
    assert set(config.CALIBRATION_EXCLUDED_FEATURES) == set(LEXICAL_FEATURES)
    default = fit_profile(examples, **PROFILE_ARGS)
    for model in (default.fused, default.local):
        assert not set(model.weights) & set(LEXICAL_FEATURES)
        assert "number_missing" in model.weights
    assert default.fused.weights["model_logit"] > 0.5
    assert set(LEXICAL_FEATURES) <= set(fit_profile(examples, **PROFILE_ARGS, exclude=()).fused.weights)


# --- bad input: every file calibrate reads, checked before any model call ------------------------------

def test_two_files_with_one_stem_are_two_domains_named_by_their_folders(tmp_path: Path) -> None:
    for folder in ("da", "db", "x/da"):
        (tmp_path / folder).mkdir(parents=True)
    a, b, c = tmp_path / "da" / "dev.jsonl", tmp_path / "db" / "dev.jsonl", tmp_path / "x" / "da" / "dev.jsonl"
    assert dataset_domains([a, b, tmp_path / "test.jsonl"]) == {"da/dev": a, "db/dev": b, "test": tmp_path / "test.jsonl"}
    assert list(dataset_domains([a, c])) == [f"{tmp_path.name}/da/dev", "x/da/dev"]
    same_folder = dataset_domains([tmp_path / "dev.jsonl", tmp_path / "dev.json"])
    assert len(same_folder) == 2 and len(set(same_folder)) == 2  # their full paths: never one domain
    assert list(dataset_domains([a])) == ["dev"]  # no clash: the stem, as before (ids and saved scores stay)


def test_the_same_file_given_twice_is_fitted_on_once_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dev.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "link.jsonl").symlink_to(tmp_path / "dev.jsonl")
    with caplog.at_level(logging.WARNING):
        assert dataset_domains(["dev.jsonl", str(tmp_path / "dev.jsonl"), "link.jsonl"]) == {"dev": Path("dev.jsonl")}
    assert caplog.text.count("are the same file: it is fitted on once") == 2


def test_rows_of_two_files_with_one_name_and_no_ids_get_ids_of_their_own(tmp_path: Path) -> None:
    for folder in ("da", "db"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "dev.jsonl").write_text(
            "\n".join(json.dumps({"doc": f"{folder} text.", "claim": f"Claim {i}.", "label": i % 2}) for i in range(4)),
            encoding="utf-8",
        )
    rows = load_datasets([tmp_path / "da" / "dev.jsonl", tmp_path / "db" / "dev.jsonl"], limit=2)
    assert list(rows) == ["da/dev", "db/dev"] and all(len(r) == 2 for r in rows.values())
    ids = [r.id for group in rows.values() for r in group]
    assert len(set(ids)) == 4 and ids[0].startswith("da/dev-")
    check_calibration(rows)  # and so no id names two rows


def row(rid: str, label: int, claim: str = "A claim.") -> Row:
    return Row(doc="A text.", claim=claim, label=label, id=rid)


def test_rows_of_one_label_are_refused_before_any_call() -> None:
    with pytest.raises(InputError, match=r"every row of a, b is labelled 1 \(consistent\): fitting needs rows of both"):
        check_calibration({"a": [row("1", 1)], "b": [row("2", 1)]})
    with pytest.raises(InputError, match="no labelled rows"):
        check_calibration({"a": []})


def test_one_id_for_two_different_rows_is_refused() -> None:
    """The log-odds are kept by id: one row would be fitted with the other's."""
    with pytest.raises(InputError, match="row id '1' names two different rows \\(in a and b\\)"):
        check_calibration({"a": [row("1", 1), row("2", 0)], "b": [row("1", 0, claim="Another claim.")]})
    check_calibration({"a": [row("1", 1), row("2", 0)], "b": [row("1", 1)]})  # the same row twice: one log-odds


def test_the_examples_and_scores_files_must_be_writable_before_any_call(tmp_path: Path) -> None:
    rows = {"a": [row("1", 1), row("2", 0)]}
    with pytest.raises(ConfigError, match="the folder does not exist"):
        check_calibration(rows, examples_path=tmp_path / "missing" / "ex.jsonl")
    (tmp_path / "ex.jsonl.scores").mkdir()
    with pytest.raises(ConfigError, match="is a folder"):
        check_calibration(rows, examples_path=tmp_path / "ex.jsonl")


def test_the_saved_log_odds_are_read_back_checked(tmp_path: Path) -> None:
    examples = synthetic(4)
    save_examples(examples, tmp_path / "ex.jsonl")
    append_scores(tmp_path / "ex.jsonl.scores", {"9": -1.0})
    known = check_calibration({"a": [row("1", 1), row("2", 0)]}, examples_path=tmp_path / "ex.jsonl")
    assert known == {**{ex.id: ex.logit for ex in examples}, "9": -1.0}

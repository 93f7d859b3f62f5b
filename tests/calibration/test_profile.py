"""Calibration profiles: validated on load, one-line errors for anything else, the shipped ones, and which
profile a model gets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import config
from summarizer.calibration.profile import (
    Logistic,
    Profile,
    RuleStat,
    load_profile,
    profile_for_model,
    shipped_profiles,
)
from summarizer.errors import ConfigError
from summarizer.llm.prompts import load_prompt


def a_profile(**changes: object) -> Profile:
    base = Profile(
        name="test",
        models=["acme-1"],
        claims_per_call=1,
        fused=Logistic(weights={"model_logit": 1.5, "coverage_best": 2.0}, bias=-1.0, threshold=0.4),
        local=Logistic(weights={"coverage_best": 3.0}, bias=-1.5, threshold=0.5),
        rules={"verbatim": RuleStat(verdict="supported", right=4, seen=4, settles=True)},
    )
    return base.model_copy(update=changes)


def test_round_trip_through_json(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(a_profile().to_json())
    assert load_profile(path) == a_profile()


def test_logistic_probability_is_the_sigmoid_of_the_weighted_sum() -> None:
    model = a_profile().fused
    assert model.probability({"model_logit": 2.0, "coverage_best": 0.5}) == pytest.approx(
        1 / (1 + 2.718281828459045 ** -(-1.0 + 3.0 + 1.0))
    )
    assert model.probability({}) == pytest.approx(1 / (1 + 2.718281828459045))  # missing features count 0
    assert model.probability({"model_logit": -1e6}) == 0.0  # no overflow at the extremes
    assert model.probability({"model_logit": 1e6}) == 1.0


def test_rule_precision_is_laplace_smoothed() -> None:
    assert RuleStat(verdict="supported", right=4, seen=4, settles=True).precision == pytest.approx(5 / 6)
    assert RuleStat(verdict="contradicted", right=0, seen=0, settles=False).precision == 0.5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not JSON"),
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b"[1, 2, 3]", "not a calibration profile"),
        (b'{"weights": {"a": 1}}', "not a calibration profile"),
        (b'{"format": "summarizer-calibration-profile/9"}', "not a calibration profile"),
    ],
)
def test_a_foreign_or_corrupt_file_is_a_one_line_error(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message) as info:
        load_profile(path)
    assert "\n" not in info.value.message and str(path) in info.value.message


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["fused"].update(threshold=1.5), "fused.threshold"),
        (lambda d: d["fused"]["weights"].update(model_logit="lots"), "fused.weights.model_logit"),
        (lambda d: d.pop("local"), "local"),
        (lambda d: d.update(claims_per_call=0), "claims_per_call"),
        (lambda d: d.update(surprise=True), "surprise"),
        (lambda d: d["rules"]["verbatim"].update(verdict="maybe"), "rules.verbatim.verdict"),
    ],
)
def test_an_invalid_profile_names_the_field(tmp_path: Path, change: object, where: str) -> None:
    data = json.loads(a_profile().to_json())
    change(data)  # type: ignore[operator]
    path = tmp_path / "invalid.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match=f"invalid calibration profile \\({where}") as info:
        load_profile(path)
    assert "\n" not in info.value.message


def test_a_non_finite_weight_is_refused(tmp_path: Path) -> None:
    text = a_profile().to_json().replace('"bias": -1.0', '"bias": NaN', 1)
    path = tmp_path / "nan.json"
    path.write_text(text)
    with pytest.raises(ConfigError, match="finite"):
        load_profile(path)


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the profile"):
        load_profile(tmp_path / "nowhere.json")


def test_the_shipped_profiles_load_and_the_generic_one_comes_last() -> None:
    profiles = shipped_profiles()
    assert len(profiles) >= 2
    assert profiles[-1].models == [] and all(p.models for p in profiles[:-1])
    for p in profiles:
        assert 0 < p.fused.threshold < 1 and 0 < p.local.threshold < 1
        assert "model_logit" in p.fused.weights and "model_logit" not in p.local.weights


def test_the_shipped_profiles_were_fitted_with_the_shipped_score_prompt() -> None:
    # log-odds depend on the prompt: an edited prompts/score.txt needs the profiles refitted
    # (benchmarks/calibration.py --write-profile ... --write-generic ..., README, Evaluation)
    version = load_prompt("score").version
    assert {p.name: p.prompt_version for p in shipped_profiles()} == {p.name: version for p in shipped_profiles()}


def test_a_model_gets_its_profile_by_prefix_else_the_generic_one() -> None:
    local = profile_for_model(config.LOCAL_MODEL)
    assert config.LOCAL_MODEL in local.models
    assert profile_for_model(f"models/{config.LOCAL_MODEL}-q4") is local  # a path and a suffix
    assert profile_for_model("gpt-4o-mini").models == []  # no profile of its own: the generic one


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["fused"]["weights"].update(sentiment=0.3), "fused weighs features this version does not compute: sentiment"),
        (lambda d: d["local"]["weights"].update(model_logit=1.0), "local weighs features this version does not compute: model_logit"),
        (lambda d: d["rules"].update(vibes={"verdict": "supported", "right": 1, "seen": 1, "settles": True}),
         "a rule for a finding this version does not have: vibes"),
        (lambda d: d["rules"]["verbatim"].update(verdict="contradicted"), "rule verbatim gives supported, not contradicted"),
        (lambda d: d["rules"]["verbatim"].update(right=9, seen=4), "a rule right 9 times of 4 seen"),
    ],
)  # fmt: skip
def test_a_profile_of_another_program_or_version_is_refused(tmp_path: Path, change: object, message: str) -> None:
    """A weight of a feature this version does not compute used to be silently ignored."""
    data = json.loads(a_profile().to_json())
    change(data)  # type: ignore[operator]
    path = tmp_path / "foreign.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="invalid calibration profile") as info:
        load_profile(path)
    assert message in info.value.message and "\n" not in info.value.message

"""Calibration profiles: the fitted parameters and decision threshold of the claim checker, as data.

A profile belongs to a model (and to the scoring prompt it was fitted with). It holds

* ``fused``: a logistic model over the model's log-odds (``model_logit``, ``model_logit_yes``) and the
  local features, used when the server returns log-probabilities;
* ``local``: a logistic model over the local features alone, for ``mode="local"`` (no model at all);
* a decision ``threshold`` for each (a claim is ``supported`` when its probability reaches it);
* ``rules``: for each kind of decisive local finding, how often it was right on the data the profile was
  fitted on, and whether it settles a claim outright (no call).

Profiles ship inside the package (``summarizer/profiles/*.json``): one per bundled model and a generic one
for models no profile names. ``summarizer calibrate`` fits a new one from labelled rows. Every profile is
validated against this schema when it is loaded: a corrupt or foreign file gets a one-line error.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import ConfigError
from ..rules.checker import RULE_VERDICTS
from ..rules.features import FUSED_FEATURES, LOCAL_FEATURES

__all__ = [
    "PROFILE_FORMAT",
    "Logistic",
    "Profile",
    "RuleStat",
    "load_profile",
    "profile_for_model",
    "shipped_profiles",
    "sigmoid",
]

PROFILE_FORMAT: Final = "summarizer-calibration-profile/1"
_PROFILES_DIR = Path(__file__).resolve().parent.parent / "profiles"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Logistic(_Strict):
    """p = 1 / (1 + exp(-(bias + sum(weights[name] * features[name])) / temperature)); a missing feature
    counts as 0."""

    weights: dict[str, float]
    bias: float
    temperature: float = Field(
        default=1.0, gt=0.0, le=100.0,
        description="Divides the log-odds: above 1 where the fit was overconfident on domains held out of it.",
    )  # fmt: skip
    threshold: float = Field(gt=0.0, lt=1.0, description="A claim is supported when p >= threshold.")

    @model_validator(mode="after")
    def _finite(self) -> Logistic:
        if not all(math.isfinite(v) for v in [self.bias, *self.weights.values()]):
            raise ValueError("weights and bias must be finite numbers")
        return self

    def log_odds(self, features: Mapping[str, float]) -> float:
        """bias + the weighted features, before the temperature."""
        return self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())

    def probability(self, features: Mapping[str, float]) -> float:
        return sigmoid(self.log_odds(features) / self.temperature)


def sigmoid(z: float) -> float:
    """1 / (1 + exp(-z)), without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class RuleStat(_Strict):
    """How one kind of decisive local finding did on the fitting data."""

    verdict: Literal["supported", "contradicted", "not_in_source"]
    right: int = Field(ge=0)
    seen: int = Field(ge=0)
    settles: bool = Field(description="Whether it decides a claim with no model call.")

    @model_validator(mode="after")
    def _right_of_seen(self) -> RuleStat:
        if self.right > self.seen:
            raise ValueError(f"a rule right {self.right} times of {self.seen} seen")
        return self

    @property
    def precision(self) -> float:
        """Laplace-smoothed share of right decisions: what a settled claim's confidence says."""
        return (self.right + 1) / (self.seen + 2)


class FittedOn(_Strict):
    file: str
    rows: int
    sha256: str | None = None


class Profile(_Strict):
    """A calibration profile (see the module docstring)."""

    format: Literal["summarizer-calibration-profile/1"] = PROFILE_FORMAT
    name: str
    models: list[str] = Field(description="Model-name prefixes this profile is for; [] for the generic one.")
    prompt_version: str | None = Field(default=None, description="Version of prompts/score.txt it was fitted with.")
    claims_per_call: int = Field(ge=1, le=32)
    fused: Logistic
    local: Logistic
    rules: dict[str, RuleStat]
    fitted_on: list[FittedOn] = Field(default_factory=list)
    notes: str = ""
    created_at: datetime | None = None

    @model_validator(mode="after")
    def _known_names(self) -> Profile:
        """Weights of features this version computes, rules of findings it has, each with its verdict: a
        profile from another program or version must not be applied as if it meant the same."""
        for part, known in (("fused", set(FUSED_FEATURES)), ("local", set(LOCAL_FEATURES))):
            unknown = sorted(set(getattr(self, part).weights) - known)
            if unknown:
                raise ValueError(f"{part} weighs features this version does not compute: {', '.join(unknown)}")
        for kind, stat in self.rules.items():
            if kind not in RULE_VERDICTS:
                raise ValueError(f"a rule for a finding this version does not have: {kind}")
            if stat.verdict != RULE_VERDICTS[kind]:
                raise ValueError(f"rule {kind} gives {RULE_VERDICTS[kind]}, not {stat.verdict}")
        return self

    def settles(self, kind: str) -> bool:
        stat = self.rules.get(kind)
        return stat is not None and stat.settles

    def to_json(self) -> str:
        return self.model_dump_json(indent=2, exclude_none=True) + "\n"


def _parse(text: str, where: str) -> Profile:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{where}: not a calibration profile (not JSON: {exc})") from None
    if not isinstance(data, dict) or data.get("format") != PROFILE_FORMAT:
        raise ConfigError(f"{where}: not a calibration profile (expected format {PROFILE_FORMAT!r})")
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        at = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise ConfigError(f"{where}: invalid calibration profile ({at}: {first['msg']})") from None


def load_profile(path: str | Path) -> Profile:
    """A profile from a JSON file, validated; :class:`ConfigError` with one line when it is not one."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the profile ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a calibration profile (not UTF-8 text)") from None
    return _parse(text, str(path))


@cache
def shipped_profiles() -> tuple[Profile, ...]:
    """The profiles inside the package, the generic one last."""
    found = [_parse(f.read_text(encoding="utf-8"), f.name) for f in sorted(_PROFILES_DIR.glob("*.json"))]
    return tuple(sorted(found, key=lambda p: not p.models))


def profile_for_model(model: str) -> Profile:
    """The shipped profile whose model prefix matches ``model`` best (longest), else the generic one."""
    name = model.lower().split("/")[-1]
    best: tuple[int, Profile] | None = None
    generic: Profile | None = None
    for profile in shipped_profiles():
        if not profile.models:
            generic = generic or profile
        for prefix in profile.models:
            if name.startswith(prefix.lower()) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), profile)
    if best is not None:
        return best[1]
    if generic is None:
        raise ConfigError("no generic calibration profile is shipped (summarizer/profiles/generic.json)")
    return generic

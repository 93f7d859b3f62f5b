"""Examples: the labelled claims a profile is fitted on, and the files that keep them.

An :class:`Example` is one labelled claim with everything a profile weighs: its local features, the
decisive findings of the local checks, and the model's log-odds (when the model was asked). Collecting them
costs model calls (:mod:`summarizer.calibration.calibrate`); fitting costs none, so they are kept:

* :func:`save_examples` / :func:`load_examples` — the examples as JSONL, so a profile can be refitted
  without a call;
* :func:`append_scores` / :func:`read_scores` — the log-odds as a run collects them (``{"id", "logit"}``
  per line, in :func:`scores_path` beside the examples file), so an interrupted run loses nothing it paid
  for.

Every reader checks each line and raises :class:`~summarizer.errors.InputError` naming the file and the
line for anything that is not what the writer wrote.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from ..errors import ConfigError, InputError
from ..rules.checker import RULE_VERDICTS, LocalChecker, LocalResult, Signal
from ..rules.features import claim_features
from ..text.jsonl import jsonl_objects

__all__ = [
    "Example",
    "append_scores",
    "examples_for_document",
    "load_examples",
    "read_scores",
    "save_examples",
    "scores_path",
]


@dataclass
class Example:
    """One labelled claim, as a profile sees it."""

    id: str
    domain: str
    label: int
    features: dict[str, float]
    findings: list[str]
    """Kinds of the decisive local findings that agree with the local verdict (the rule candidates)."""
    local_verdict: str | None
    signals: list[tuple[str, bool]] = field(default_factory=list)
    """(kind, decisive) of every local finding: enough to rebuild the decision without the texts."""
    logit: float | None = None

    def local_result(self) -> LocalResult:
        """A stand-in :class:`LocalResult` with the findings the decision reads (no texts, no evidence)."""
        signals = tuple(Signal(kind=kind, text="", detail="", decisive=decisive) for kind, decisive in self.signals)
        return LocalResult(self.local_verdict, 0.0, signals, (), "")  # type: ignore[arg-type]


def examples_for_document(
    doc: str, claims: Sequence[tuple[str, str, int]], domain: str, checker: LocalChecker | None = None
) -> list[Example]:
    """Examples (without log-odds) for ``claims`` — (id, claim, label) — about one document, read as
    :func:`summarizer.check` reads it (page furniture blanked)."""
    from ..text.documents import document_from_text

    checker = checker or LocalChecker(document_from_text(doc).evidence_text)
    out = []
    for rid, claim, label in claims:
        result = checker.check(claim)
        findings = [
            s.kind for s in result.signals if s.decisive and RULE_VERDICTS.get(s.kind) == result.verdict
        ]
        out.append(
            Example(
                id=rid,
                domain=domain,
                label=label,
                features=claim_features(checker, claim, result),
                findings=list(dict.fromkeys(findings)),
                local_verdict=result.verdict,
                signals=[(s.kind, s.decisive) for s in result.signals],
            )
        )
    return out


def save_examples(examples: Iterable[Example], path: str | Path) -> None:
    """Examples as JSONL (one per line), so a profile can be refitted without calling the model again.

    Written atomically (never half a file); when that fails, they are kept in the cache's ``unsaved/``
    folder and the :class:`~summarizer.errors.ConfigError` says where (:func:`~summarizer.report.save.save_text`)."""
    from ..report.save import save_text

    save_text("".join(json.dumps(asdict(ex)) + "\n" for ex in examples), path)


def load_examples(path: str | Path) -> list[Example]:
    """The examples :func:`save_examples` wrote.

    A file that cannot be read, is not UTF-8 JSONL, or holds a line that is not a saved example (a
    dataset row, a field missing or of the wrong type, a log-odds that is not a finite number) raises
    :class:`~summarizer.errors.InputError` naming the file and the line."""
    out = []
    for lineno, obj in jsonl_objects(path, "a saved example", torn_tail=True):
        try:
            out.append(_example_from_json(obj))
        except ValueError as exc:
            raise InputError(f"{path}: line {lineno}: {exc}") from None
    return out


def append_scores(path: str | Path, found: Mapping[str, float | None]) -> None:
    """Append rows' log-odds to a scores file (JSONL ``{"id", "logit"}``), as a run collects them.

    A write that fails (a full disk) is a :class:`~summarizer.errors.ConfigError`: the run stops, and what
    was appended before stays (a torn last line is skipped when read back)."""
    try:
        with Path(path).open("a", encoding="utf-8") as fh:
            for rid, logit in found.items():
                fh.write(json.dumps({"id": rid, "logit": logit}) + "\n")
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot save the log-odds ({exc.strerror or exc}); those saved before are kept: "
            "free the space and run again to go on"
        ) from None


def read_scores(path: str | Path) -> dict[str, float | None]:
    """The log-odds :func:`append_scores` saved, by row id (the last one wins; none when there is no file).

    A file that cannot be read, is not UTF-8 JSONL, or holds a line that is not ``{"id": string, "logit":
    finite number or null}`` raises :class:`~summarizer.errors.InputError` naming the file and the line
    (a last line cut short by an interrupted run is skipped with a warning: that row is asked again)."""
    if not Path(path).exists():
        return {}
    out: dict[str, float | None] = {}
    for lineno, obj in jsonl_objects(path, 'a saved log-odds {"id", "logit"}', torn_tail=True):
        rid = obj.get("id")
        if not isinstance(rid, str):
            raise InputError(f'{path}: line {lineno}: "id" must be a string (a row id)')
        if "logit" not in obj:
            raise InputError(f'{path}: line {lineno}: no "logit" (the log-odds, or null)')
        try:
            out[rid] = _optional_finite(obj["logit"], "logit")
        except ValueError as exc:
            raise InputError(f"{path}: line {lineno}: {exc}") from None
    return out


_EXAMPLE_FIELDS = {f.name for f in fields(Example)}
_EXAMPLE_REQUIRED = ("id", "domain", "label", "features", "findings", "local_verdict")


def _example_from_json(obj: Mapping[str, Any]) -> Example:
    """An :class:`Example` from one saved line; ``ValueError`` says what is wrong with it."""
    unknown = sorted(set(obj) - _EXAMPLE_FIELDS)
    if unknown:
        if {"doc", "claim"} & set(unknown):
            raise ValueError("a labelled dataset row, not a saved example (those have id, domain, features...)")
        raise ValueError(f"not a saved example (unexpected field {', '.join(map(repr, unknown))})")
    missing = [name for name in _EXAMPLE_REQUIRED if name not in obj]
    if missing:
        raise ValueError(f"not a saved example (no {', '.join(map(repr, missing))})")
    if not isinstance(obj["id"], str) or not isinstance(obj["domain"], str):
        raise ValueError('"id" and "domain" must be strings')
    label = obj["label"]
    if isinstance(label, bool) or label not in (0, 1):
        raise ValueError(f'"label" must be 0 or 1, not {label!r}')
    features = obj["features"]
    if not isinstance(features, dict):
        raise ValueError('"features" must be an object of feature values')
    values = {str(name): _finite(value, f"feature {name!r}") for name, value in features.items()}
    findings = obj["findings"]
    if not isinstance(findings, list) or not all(isinstance(k, str) for k in findings):
        raise ValueError('"findings" must be a list of finding kinds')
    verdict = obj["local_verdict"]
    if verdict is not None and not isinstance(verdict, str):
        raise ValueError('"local_verdict" must be a string or null')
    signals = obj.get("signals", [])
    if not isinstance(signals, list) or not all(
        isinstance(s, list) and len(s) == 2 and isinstance(s[0], str) and isinstance(s[1], bool) for s in signals
    ):
        raise ValueError('"signals" must be a list of [kind, decisive] pairs')
    return Example(
        id=obj["id"],
        domain=obj["domain"],
        label=int(label),
        features=values,
        findings=list(findings),
        local_verdict=verdict,
        signals=[(kind, decisive) for kind, decisive in signals],
        logit=_optional_finite(obj.get("logit"), "logit"),
    )


def _optional_finite(value: object, name: str) -> float | None:
    """``value`` as a float when it is a finite JSON number, None when it is null; ``ValueError`` else."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ValueError(f"{name} must be a number or null, not {value!r}")
    return None if value is None else _finite(value, name)


def _finite(value: object, name: str) -> float:
    """``value`` as a float when it is a finite JSON number; ``ValueError`` else (NaN and infinities are
    not log-odds or features: a profile fitted on them is not a profile)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, not {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return number


def scores_path(examples_path: str | Path) -> Path:
    """Where the log-odds of an examples file are saved as they come: beside it, ``<examples>.scores``."""
    return Path(f"{examples_path}.scores")

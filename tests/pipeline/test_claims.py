"""What a check is given: claims files, "needs a model", "nothing to check" — one rule for CLI, batch and API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import summarizer
from summarizer.batch import BatchInput, check_needs_model
from summarizer.errors import ConfigError, InputError
from summarizer.pipeline.claims import default_split, needs_model, read_claims, require_claims


@pytest.mark.parametrize(
    ("mode", "summary", "split", "expected"),
    [
        ("local", None, "model", False),  # claims only, zero tokens
        ("local", "A summary.", "sentences", False),  # split by sentences: still no model
        ("local", "A summary.", "model", True),  # the model splits the summary
        ("hybrid", None, "sentences", True),
        ("model", None, "model", True),
        ("local", "", "model", True),  # an empty summary is still a summary to split
    ],
)
def test_needs_model(mode: str, summary: str | None, split: str, expected: bool) -> None:
    assert needs_model(mode, summary, split) is expected


def test_batch_needs_model_counts_the_summaries_of_jsonl_lines() -> None:
    plain = [BatchInput(id="a", path="a.txt")]
    with_summary = [*plain, BatchInput(id="b", path="x.jsonl", text="t", extra={"summary": "S."})]
    assert not check_needs_model(plain, mode="local", split="model")
    assert check_needs_model(with_summary, mode="local", split="model")
    assert not check_needs_model(with_summary, mode="local", split="sentences")


def test_require_claims() -> None:
    require_claims(["A claim."], None)
    require_claims([], "A summary.")
    with pytest.raises(ConfigError, match="nothing to check: give --claim"):
        require_claims([], None)
    with pytest.raises(ConfigError, match="nothing to check: somewhere else"):
        require_claims((), None, hint="somewhere else")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("claims.txt", "One.\n\n  Two.  \n"),
        ("claims.json", json.dumps(["One.", {"claim": "Two."}])),
        ("claims.jsonl", '"One."\n{"text": "Two."}\n'),
        ("claims.txt", '{"claim": "One."}\n{"claim": "Two.", "n": 2}\n'),  # JSONL by content
    ],
)
def test_read_claims_formats(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert read_claims(path) == ["One.", "Two."]
    assert read_claims(str(path)) == ["One.", "Two."]


def test_read_claims_errors_name_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "claims.jsonl"
    bad.write_text('{"claim": "One."}\n{oops\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"claims\.jsonl: line 2 is not valid JSON"):
        read_claims(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError):
        read_claims(empty)


def test_claim_helpers_are_public() -> None:
    assert summarizer.read_claims is read_claims
    assert summarizer.needs_model is needs_model


def test_a_summary_is_split_by_sentences_in_local_mode_unless_a_split_is_named() -> None:
    assert default_split("local") == "sentences"
    assert default_split("hybrid") == "model" and default_split("model") == "model"
    assert default_split("local", "model") == "model" and default_split("hybrid", "sentences") == "sentences"
    assert not needs_model("local", "A summary.", default_split("local"))

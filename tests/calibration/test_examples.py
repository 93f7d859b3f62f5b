"""Examples and the files that keep them (summarizer.calibration.examples): what a document's examples
hold, the round trip, every line checked when read, and a write that fails is a one-line error that loses
nothing already kept."""

from __future__ import annotations

import errno
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from summarizer.calibration.examples import (
    Example,
    append_scores,
    examples_for_document,
    load_examples,
    read_scores,
    save_examples,
)
from summarizer.errors import ConfigError, InputError
from summarizer.report import save


def an_example(i: int) -> Example:
    return Example(id=str(i), domain="d", label=i % 2, features={"coverage_best": 0.5}, findings=[],
                   local_verdict=None, logit=0.25 * i)  # fmt: skip


def test_log_odds_that_cannot_be_appended_stop_the_run_and_keep_what_was_saved(tmp_path: Path) -> None:
    path = tmp_path / "ex.jsonl.scores"
    append_scores(path, {"a": 1.0})
    blocked = tmp_path / "a-folder"
    blocked.mkdir()
    with pytest.raises(ConfigError, match=r"cannot save the log-odds .*those saved before are kept"):
        append_scores(blocked, {"b": 2.0})  # a folder where the file should be: the write fails
    assert read_scores(path) == {"a": 1.0}


def test_examples_that_cannot_be_written_are_kept_in_the_cache_never_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "ex.jsonl"
    save_examples([an_example(1)], path)
    real = save._write_atomically

    def full_disk(text: str, target: Path) -> None:
        if target == path:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(text, target)

    monkeypatch.setattr(save, "_write_atomically", full_disk)
    with pytest.raises(ConfigError, match="the result is saved in"):
        save_examples([an_example(1), an_example(2)], path)
    assert [ex.id for ex in load_examples(path)] == ["1"]  # the old file, whole
    (kept,) = save.unsaved_dir().iterdir()
    assert [ex.id for ex in load_examples(kept)] == ["1", "2"]


def test_examples_for_a_document_read_the_local_findings() -> None:
    doc = "The bridge opened in 1932. It carries 61,000 vehicles a day."
    found = examples_for_document(
        doc, [("a", "The bridge opened in 1932.", 1), ("b", "It carries 90,000 vehicles a day.", 0)], "news"
    )
    assert found[0].findings == ["verbatim"] and found[0].local_verdict == "supported"
    assert found[1].findings == ["number_mismatch"] and found[1].local_verdict == "contradicted"
    assert found[1].features["number_mismatch"] == 1.0 and found[1].features["coverage_best"] > 0.5
    assert all(ex.logit is None and ex.domain == "news" for ex in found)


def test_examples_round_trip_through_jsonl(tmp_path: Path) -> None:
    examples = [an_example(i) for i in range(6)]
    examples[1].signals = [("number_missing", True), ("name_missing", False)]
    examples[2].findings, examples[2].local_verdict = ["number_missing"], "not_in_source"
    examples[3].logit = None
    save_examples(examples, tmp_path / "ex.jsonl")
    back = load_examples(tmp_path / "ex.jsonl")
    assert [e.__dict__ for e in back] == [
        {**e.__dict__, "signals": [tuple(s) for s in e.signals]} for e in examples
    ]


def test_log_odds_saved_as_they_come_are_read_back_by_row_id(tmp_path: Path) -> None:
    # what an interrupted `calibrate` (and the calibration benchmark) resumes from
    path = tmp_path / "ex.jsonl.scores"
    assert read_scores(path) == {}  # nothing saved yet: nothing known, no error
    append_scores(path, {"a": 1.25, "b": None})
    append_scores(path, {"c": -0.5, "a": 2.0})  # asked again later: the last answer wins
    assert read_scores(path) == {"a": 2.0, "b": None, "c": -0.5}


SAVED = json.dumps({"id": "a", "domain": "d", "label": 1, "features": {"coverage_best": 0.5}, "findings": [],
                    "local_verdict": None, "signals": [["verbatim", True]], "logit": 1.5})  # fmt: skip


@pytest.mark.parametrize(
    ("content", "where", "cause"),
    [
        (f"{SAVED}\nnot json\n{SAVED}\n", "line 2", "not valid JSON"),
        ('{"foo": 1}\n', "line 1", "unexpected field 'foo'"),
        ('{"doc": "A text.", "claim": "A claim.", "label": 1}\n', "line 1", "a labelled dataset row"),
        (f"{SAVED}\n[1, 2]\n", "line 2", "expected a JSON object"),
        (SAVED.replace('"logit": 1.5', '"logit": NaN') + "\n", "line 1", "logit must be a finite number"),
        (SAVED.replace('"logit": 1.5', '"logit": "high"') + "\n", "line 1", "logit must be a number or null"),
        (SAVED.replace('"label": 1', '"label": 2') + "\n", "line 1", '"label" must be 0 or 1'),
        (SAVED.replace('0.5}', 'Infinity}') + "\n", "line 1", "feature 'coverage_best' must be a finite"),
        (SAVED.replace('"findings": [], ', "") + "\n", "line 1", "no 'findings'"),
        (SAVED.replace('[["verbatim", true]]', '["verbatim"]') + "\n", "line 1", '"signals" must be'),
    ],
)
def test_a_bad_examples_file_is_an_input_error_naming_the_file_and_line(
    tmp_path: Path, content: str, where: str, cause: str
) -> None:
    path = tmp_path / "ex.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_examples(path)
    assert info.value.message.startswith(f"{path}: {where}: ") and cause in info.value.message
    assert "\n" not in info.value.message


@pytest.mark.parametrize(
    ("make", "cause"),
    [
        (lambda p: p.write_bytes(b"\x00\x01\x02 binary"), "looks like a binary file"),
        (lambda p: p.write_bytes(f"{SAVED}\n".encode() + 'caf\u00e9\n'.encode("latin-1")), "line 2: not UTF-8"),
        (lambda p: p.mkdir(), "is a directory"),
    ],
)
def test_an_unreadable_examples_or_scores_file_is_an_input_error(tmp_path: Path, make: Any, cause: str) -> None:
    for reader in (load_examples, read_scores):
        path = tmp_path / f"{reader.__name__}.jsonl"
        make(path)
        with pytest.raises(InputError, match=cause):
            reader(path)


@pytest.mark.parametrize(
    ("content", "where", "cause"),
    [
        ('{"id": "a", "logit": 1.0}\n{"id": "b", "lo\n{"id": "c", "logit": 2.0}\n', "line 2", "not valid JSON"),
        ('{"logit": 1.0}\n', "line 1", '"id" must be a string'),
        ('{"id": 7, "logit": 1.0}\n', "line 1", '"id" must be a string'),
        ('{"id": "a"}\n', "line 1", 'no "logit"'),
        ('{"id": "a", "logit": "high"}\n', "line 1", "logit must be a number or null, not 'high'"),
        ('{"id": "a", "logit": NaN}\n', "line 1", "logit must be a finite number"),
        ('{"id": "a", "logit": -Infinity}\n', "line 1", "logit must be a finite number"),
        ('"a"\n', "line 1", "expected a JSON object"),
    ],
)
def test_a_bad_scores_file_is_an_input_error_naming_the_file_and_line(
    tmp_path: Path, content: str, where: str, cause: str
) -> None:
    path = tmp_path / "ex.jsonl.scores"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_scores(path)
    assert info.value.message.startswith(f"{path}: {where}: ") and cause in info.value.message


def test_a_last_line_cut_short_by_an_interrupted_run_is_left_out_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ex.jsonl.scores"
    path.write_text('{"id": "a", "logit": 1.0}\n{"id": "b", "lo', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert read_scores(path) == {"a": 1.0}  # "b" is asked again
    assert "line 2 is cut short" in caplog.text
    path.write_text('{"id": "a", "logit": 1.0}\n{"id": "b", "lo\n', encoding="utf-8")  # ended: not cut short
    with pytest.raises(InputError, match="line 2: not valid JSON"):
        read_scores(path)

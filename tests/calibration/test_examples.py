"""The files that keep examples and log-odds (summarizer.calibration.examples): a write that fails is a
one-line error that loses nothing already kept."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from summarizer.calibration.examples import Example, append_scores, load_examples, read_scores, save_examples
from summarizer.errors import ConfigError
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

"""A result written to a file (summarizer.report.save): the path checked before any call is paid for,
and a result that still cannot be written kept in the cache, never lost."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from summarizer import cli, errors
from summarizer.report import save
from summarizer.report.save import check_output, save_text, unsaved_dir
from summarizer.types import Summary
from tests._support.fake_openai_server import FakeOpenAIServer
from tests._support.paths import EXAMPLE


def bad_paths(tmp_path: Path) -> dict[str, tuple[str, str]]:
    (tmp_path / "a-folder").mkdir()
    return {
        "missing folder": (str(tmp_path / "nope" / "x.json"), "folder does not exist"),
        "empty": ("", "the output path is empty"),
        "a folder": (str(tmp_path / "a-folder"), "is a folder"),
        "name too long": (str(tmp_path / ("x" * 300 + ".json")), "file name is too long"),
        "/proc": ("/proc/summarizer-test.json", "cannot write in /proc"),
        "/sys": ("/sys/summarizer-test.json", "cannot write in /sys"),
    }


@pytest.mark.parametrize("case", ["missing folder", "empty", "a folder", "name too long", "/proc", "/sys"])
def test_check_output_refuses_what_cannot_be_written(tmp_path: Path, case: str) -> None:
    path, message = bad_paths(tmp_path)[case]
    with pytest.raises(errors.ConfigError, match=message):
        check_output(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_check_output_refuses_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(errors.ConfigError, match="cannot write in"):
            check_output(folder / "x.json")
    finally:
        folder.chmod(0o755)


def test_check_output_accepts_a_writable_path_and_leaves_nothing(tmp_path: Path) -> None:
    for ok in (None, "-", str(tmp_path / "x.json"), str(tmp_path / ("y" * 200 + ".json"))):
        check_output(ok)
    assert list(tmp_path.iterdir()) == []
    long = tmp_path / ("z" * 250 + ".md")  # a name near the limit: the temporary file's name still fits
    assert save_text("text", long) == long and long.read_text() == "text"


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
@pytest.mark.parametrize("case", ["missing folder", "empty", "a folder", "name too long", "/proc", "/sys"])
def test_no_call_is_paid_for_an_output_that_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    path, message = bad_paths(tmp_path)[case]
    with FakeOpenAIServer() as server:
        for command in (["summarize", str(EXAMPLE)], ["check", str(EXAMPLE), "--claim", "A claim.", "--mode", "model"]):
            code = cli.main([*command, "--base-url", server.url, "-o", path])
            err = capsys.readouterr().err
            assert code == errors.ConfigError.exit_code and message in err and err.count("\n") == 1
        assert server.requests == 0


@pytest.mark.block_network(allowed_hosts=["127.0.0.1"])
def test_a_result_that_cannot_be_written_after_the_call_is_kept_in_the_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "summary.json"
    real_replace = os.replace

    def disk_full_for_the_target(src: str, dst: str | os.PathLike[str]) -> None:
        if Path(dst) == target:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(save.os, "replace", disk_full_for_the_target)
    with FakeOpenAIServer() as server:
        code = cli.main(["summarize", str(EXAMPLE), "--base-url", server.url, "-o", str(target)])
    err = capsys.readouterr().err
    assert code == errors.ConfigError.exit_code and server.requests == 1
    assert "No space left on device" in err and "the result is saved in" in err
    (kept,) = unsaved_dir().iterdir()
    assert str(kept) in err and kept.name.endswith("summary.json")
    assert Summary.model_validate(json.loads(kept.read_text(encoding="utf-8"))).claims
    assert not target.exists() and not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_an_output_that_is_one_of_the_inputs_is_refused_however_it_is_spelt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "article.txt"
    source.write_text("text", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(source)
    monkeypatch.chdir(tmp_path)
    for spelling in ("article.txt", "./article.txt", str(source), "link.txt"):
        with pytest.raises(errors.ConfigError, match="is also an input"):
            check_output(spelling, inputs=[str(source)])
    check_output("other.json", inputs=[str(source), None, "-"])  # another file: fine
    with pytest.raises(errors.ConfigError, match="is also an input"):  # not there yet, the same path
        check_output("new.json", inputs=["./new.json"])


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    save_text("new", link)
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"


def test_a_named_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    import threading

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(pipe.read_text(encoding="utf-8")), daemon=True)
    reader.start()
    save_text("through the pipe", pipe)
    reader.join(timeout=10)
    assert got == ["through the pipe"]
    assert pipe.is_fifo()


@pytest.mark.skipif(not hasattr(os, "mknod") or os.geteuid() != 0, reason="making a device node needs root")
def test_a_full_device_keeps_its_node_and_the_result_goes_to_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat

    monkeypatch.setenv("SUMMARIZER_CACHE_DIR", str(tmp_path / "cache"))
    full = tmp_path / "full"  # a node of its own, like /dev/full: every write fails with ENOSPC
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    with pytest.raises(errors.ConfigError, match=r"cannot write .*the result is saved in"):
        save_text("result", full)
    assert full.is_char_device()
    (kept,) = unsaved_dir().iterdir()
    assert kept.read_text(encoding="utf-8") == "result"

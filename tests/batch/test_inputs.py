"""Batch inputs: files, folders, globs, JSONL lines and standard input (summarizer.batch.inputs)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from summarizer import batch
from summarizer.batch import collect_inputs
from summarizer.errors import InputError
from tests._support.batches import make_docs


def test_collect_files_folders_globs_and_jsonl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make_docs(tmp_path / "corpus", 2)
    (tmp_path / "corpus" / "sub").mkdir()
    (tmp_path / "corpus" / "sub" / "page.html").write_text("<html><body><p>Hi.</p></body></html>")
    (tmp_path / "corpus" / "sub" / "notes.md").write_text("# Notes\n")
    (tmp_path / "corpus" / "image.png").write_bytes(b"\x89PNG")  # not a document suffix: skipped
    (tmp_path / "corpus" / ".hidden.txt").write_text("hidden")
    (tmp_path / "corpus" / ".git").mkdir()
    (tmp_path / "corpus" / ".git" / "x.txt").write_text("hidden folder")
    (tmp_path / "one.text").write_text("One.")
    (tmp_path / "lines.jsonl").write_text(
        '{"id": "a", "text": "Alpha."}\n\n{"id": 7, "text": "Seven.", "claims": ["x"]}\n', encoding="utf-8"
    )
    items = collect_inputs(["corpus", "one.text", "corpus/doc0*.txt", "lines.jsonl", "-"])
    ids = [it.id for it in items]
    assert ids == [
        os.path.join("corpus", "doc01.txt"),
        os.path.join("corpus", "doc02.txt"),
        os.path.join("corpus", "sub", "notes.md"),
        os.path.join("corpus", "sub", "page.html"),
        "one.text",
        "a",
        "7",
        "-",
    ]  # the glob named doc01/doc02 again: taken once
    by_id = {it.id: it for it in items}
    assert by_id["a"].path == "lines.jsonl" and by_id["a"].line == 1 and by_id["a"].text == "Alpha."
    assert by_id["7"].line == 3 and by_id["7"].extra == {"claims": ["x"]}
    assert by_id["-"].path == "-"
    doc = by_id["a"].load()
    assert doc.text == "Alpha." and doc.sha256 == hashlib.sha256(b"Alpha.").hexdigest()
    assert batch.is_batch(["corpus"]) and batch.is_batch(["lines.jsonl"]) and batch.is_batch(["*.txt"])
    assert batch.is_batch(["one.text", "lines.jsonl"])
    assert not batch.is_batch(["one.text"]) and not batch.is_batch(["-"])


def test_bad_inputs_are_clear_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "picture.png").write_bytes(b"\x89PNG")
    with pytest.raises(InputError, match=r"empty: no documents in this folder \(looked for \.txt"):
        collect_inputs([str(tmp_path / "empty")])
    with pytest.raises(InputError, match="not found"):
        collect_inputs([str(tmp_path / "nope.txt")])
    with pytest.raises(InputError, match="no file matches"):
        collect_inputs([str(tmp_path / "*.nothing")])

    dup = tmp_path / "dup.jsonl"
    dup.write_text('{"id": "x", "text": "a"}\n{"id": "y", "text": "b"}\n{"id": "x", "text": "c"}\n')
    with pytest.raises(InputError, match=r"dup\.jsonl: line 3: duplicate id 'x' \(first on line 1\)"):
        collect_inputs([str(dup)])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "a"}\n{"id": "y", "text": \n')
    with pytest.raises(InputError, match=r"bad\.jsonl: line 2: not valid JSON"):
        collect_inputs([str(bad)])
    notext = tmp_path / "notext.jsonl"
    notext.write_text('{"id": "x", "body": "a"}\n')
    with pytest.raises(InputError, match=r'notext\.jsonl: line 1: "text" must be a string'):
        collect_inputs([str(notext)])
    noid = tmp_path / "noid.jsonl"
    noid.write_text('{"text": "a"}\n')
    with pytest.raises(InputError, match=r'noid\.jsonl: line 1: "id" must be'):
        collect_inputs([str(noid)])


def test_ids_must_be_unique_across_jsonl_files(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": "x", "text": "a"}\n')
    (tmp_path / "b.jsonl").write_text('{"id": "x", "text": "b"}\n')
    with pytest.raises(InputError, match=r"duplicate id 'x': .*b\.jsonl line 1"):
        collect_inputs([str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")])


# --- files that are not regular files ----------------------------------------------------------------


def _special_files(folder: Path) -> list[str]:
    """A FIFO, a Unix socket and a link to a character device, each named like a document."""
    import socket

    os.mkfifo(folder / "fifo.txt")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(folder / "socket.txt"))
    sock.close()  # the socket file stays
    (folder / "device.txt").symlink_to("/dev/zero")
    return ["a FIFO", "a socket", "a character device"]


def test_a_folder_skips_fifos_sockets_and_devices_with_a_note(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A FIFO in a folder blocked the whole batch until something wrote to it: non-regular files found by
    a folder walk or a glob are skipped, each with a one-line note; links to regular files are kept."""
    docs = make_docs(tmp_path / "in", 2)
    (tmp_path / "in" / "link.txt").symlink_to(docs[0])
    kinds = _special_files(tmp_path / "in")
    with caplog.at_level("WARNING", logger="summarizer.batch.inputs"):
        by_folder = [item.id for item in collect_inputs([str(tmp_path / "in")])]
        by_glob = [item.id for item in collect_inputs([str(tmp_path / "in" / "*.txt")])]
    expected = [str(docs[0]), str(docs[1]), str(tmp_path / "in" / "link.txt")]
    assert sorted(by_folder) == sorted(expected) and sorted(by_glob) == sorted(expected)
    notes = [r.getMessage() for r in caplog.records]
    assert len(notes) == 2 * len(kinds)
    for kind in kinds:
        assert sum(f"skipped, {kind}, not a regular file" in note for note in notes) == 2
    assert all("\n" not in note for note in notes)


def test_a_batch_over_a_folder_with_a_fifo_finishes(tmp_path: Path) -> None:
    import subprocess
    import sys

    make_docs(tmp_path / "in", 2)
    os.mkfifo(tmp_path / "in" / "waiting.txt")  # nothing ever writes to it
    argv = ["summarize", str(tmp_path / "in"), "--dry-run", "-m", "gpt-4o-mini", "-f", "json"]
    code = f"from summarizer.cli import main; raise SystemExit(main({argv!r}))"
    env = {**os.environ, "SUMMARIZER_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 0, result.stderr
    assert "waiting.txt: skipped, a FIFO, not a regular file" in result.stderr


def test_a_jsonl_line_with_an_empty_claim_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text('{"id": "a", "text": "Alpha.", "claims": ["Alpha is first.", "  "]}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r'items.jsonl: line 1: "claims" holds an empty claim'):
        collect_inputs([str(path)])
